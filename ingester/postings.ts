/**
 * The inverted index of a tenant's head: label name → value → sorted series refs. Matchers are
 * resolved by intersecting postings lists; a matcher that also matches the empty string (and so
 * series without the label) is applied as a filter on the candidates instead.
 */

import { compareStrings } from '../tsdb/labels.js';
import type { Matcher } from '../tsdb/matchers.js';
import { intersectPostings, mergePostings } from '../tsdb/index/postings.js';

export class Postings {
  private readonly index = new Map<string, Map<string, number[]>>();

  add(ref: number, pairs: readonly string[]): void {
    for (let i = 0; i < pairs.length; i += 2) {
      let values = this.index.get(pairs[i]!);
      if (!values) {
        values = new Map();
        this.index.set(pairs[i]!, values);
      }
      const list = values.get(pairs[i + 1]!);
      if (list) list.push(ref);
      else values.set(pairs[i + 1]!, [ref]);
    }
  }

  /** Remove series from every list they are in; each touched list is filtered once. */
  remove(series: readonly { readonly ref: number; readonly pairs: readonly string[] }[]): void {
    if (series.length === 0) return;
    const gone = new Set<number>();
    const touched = new Map<string, Set<string>>();
    for (const s of series) {
      gone.add(s.ref);
      for (let i = 0; i < s.pairs.length; i += 2) {
        let vs = touched.get(s.pairs[i]!);
        if (!vs) touched.set(s.pairs[i]!, (vs = new Set()));
        vs.add(s.pairs[i + 1]!);
      }
    }
    for (const [name, vs] of touched) {
      const values = this.index.get(name);
      if (!values) continue;
      for (const v of vs) {
        const list = values.get(v);
        if (!list) continue;
        const kept = list.filter((r) => !gone.has(r));
        if (kept.length > 0) values.set(v, kept);
        else values.delete(v);
      }
      if (values.size === 0) this.index.delete(name);
    }
  }

  labelNames(): string[] {
    return [...this.index.keys()].sort(compareStrings);
  }

  labelValues(name: string): string[] {
    return [...(this.index.get(name)?.keys() ?? [])].sort(compareStrings);
  }

  /**
   * Refs that may match every matcher: the intersection of the postings of the matchers that do
   * not match "", or null when all matchers match "" (then every series is a candidate).
   * The caller still checks the matchers that match "" against each candidate.
   */
  candidates(matchers: readonly Matcher[]): number[] | null {
    let result: number[] | null = null;
    // Equality first: usually the shortest lists.
    const ordered = [...matchers].sort((a, b) => (a.type === '=' ? 0 : 1) - (b.type === '=' ? 0 : 1));
    for (const m of ordered) {
      if (m.matchesEmpty()) continue;
      const values = this.index.get(m.name);
      let list: number[];
      if (!values) list = [];
      else if (m.type === '=') list = values.get(m.value) ?? [];
      else {
        const lists: number[][] = [];
        for (const [v, refs] of values) if (m.matches(v)) lists.push(refs);
        list = mergePostings(lists);
      }
      result = result === null ? list : intersectPostings(result, list);
      if (result.length === 0) return result;
    }
    return result;
  }
}
