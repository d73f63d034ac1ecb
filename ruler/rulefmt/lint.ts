/**
 * promtool's default lint of a rule file (`--lint=duplicate-rules`): rules with the same name
 * (alert or record) and the same labels, reported once per distinct duplicate, sorted by name
 * then labels, in promtool's wording.
 */

import type { RuleGroupNode } from './types.js';

interface Key {
  readonly metric: string;
  /** Labels sorted by name. */
  readonly labels: readonly (readonly [string, string])[];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** labels.Compare after comparing the names. */
function compareKeys(a: Key, b: Key): number {
  const m = cmp(a.metric, b.metric);
  if (m !== 0) return m;
  const n = Math.min(a.labels.length, b.labels.length);
  for (let i = 0; i < n; i++) {
    const [an, av] = a.labels[i]!;
    const [bn, bv] = b.labels[i]!;
    if (an !== bn) return cmp(an, bn);
    if (av !== bv) return cmp(av, bv);
  }
  return a.labels.length - b.labels.length;
}

/** The duplicated rules, each once. */
export function duplicateRules(groups: readonly RuleGroupNode[]): Key[] {
  const keys: Key[] = [];
  for (const g of groups) {
    for (const r of g.rules) {
      const labels = Object.entries(r.labels ?? {}).sort((x, y) => cmp(x[0], y[0]));
      keys.push({ metric: r.alert ? r.alert : (r.record ?? ''), labels });
    }
  }
  keys.sort(compareKeys);
  const dups: Key[] = [];
  for (let i = 1; i < keys.length; i++) {
    if (compareKeys(keys[i - 1]!, keys[i]!) === 0) {
      const last = dups[dups.length - 1];
      if (!last || compareKeys(keys[i]!, last) !== 0) dups.push(keys[i]!);
    }
  }
  return dups;
}

/** promtool's lint error text for the duplicates, or null when there are none. */
export function duplicateRulesMessage(groups: readonly RuleGroupNode[]): string | null {
  const dups = duplicateRules(groups);
  if (dups.length === 0) return null;
  let msg = `lint error ${dups.length} duplicate rule(s) found.\n`;
  for (const d of dups) {
    msg += `Metric: ${d.metric}\nLabel(s):\n`;
    for (const [n, v] of d.labels) msg += `\t${n}: ${v}\n`;
  }
  return msg + 'Might cause inconsistency while recording expressions';
}
