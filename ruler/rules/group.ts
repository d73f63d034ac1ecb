/**
 * A rule group (Prometheus 2.42 rules/manager.go Group): its rules evaluated in order at one
 * timestamp, each rule's results written before the next rule runs (so later rules see them),
 * stale markers for series a rule stopped producing, `for` state restored from
 * ALERTS_FOR_STATE after a start, and state carried over when the group is reloaded.
 */

import type { Labels } from '../../tsdb/labels.js';
import { Matcher } from '../../tsdb/matchers.js';
import { STALE_NAN, isStaleNaN } from '../../tsdb/storage.js';
import { ALERT_FOR_STATE_METRIC, AlertingRule } from './alerting-rule.js';
import { labelSetKey } from './label-builder.js';
import type { RecordingRule } from './recording-rule.js';
import type { GroupContext, RuleSample } from './types.js';

export type Rule = AlertingRule | RecordingRule;

export class Group {
  /** Per rule: the series its last successful evaluation wrote, by label-set key. */
  private seriesInPreviousEval: Map<string, Labels>[];
  /** Series of rules that no longer exist; marked stale at the next evaluation. */
  private staleSeries: Labels[] = [];
  lastEvaluation: number | null = null;
  evaluationDurationMs = 0;

  constructor(
    readonly name: string,
    /** The namespace (rule file) the group belongs to. */
    readonly file: string,
    readonly intervalMs: number,
    readonly limit: number,
    readonly rules: readonly Rule[],
  ) {
    this.seriesInPreviousEval = rules.map(() => new Map());
  }

  /** Evaluates every rule at `ts`; a failing rule records its error and the others still run. */
  async eval(ts: number, ctx: GroupContext, signal?: AbortSignal): Promise<void> {
    const started = Date.now();
    for (let i = 0; i < this.rules.length; i++) {
      if (signal?.aborted) return;
      const rule = this.rules[i]!;
      const ruleStart = Date.now();
      try {
        let vector: RuleSample[];
        try {
          vector = await rule.eval(ts, ctx, this.limit, signal);
        } catch (e) {
          this.fail(rule, e, ctx);
          continue;
        }
        rule.health = 'ok';
        rule.lastError = null;
        if (rule instanceof AlertingRule) rule.sendAlerts(ts, ctx.resendDelayMs, this.intervalMs, ctx.externalURL, ctx.notify);

        const returned = new Map<string, Labels>();
        for (const s of vector) returned.set(labelSetKey(s.labels), s.labels);
        const batch = [...vector];
        for (const [key, labels] of this.seriesInPreviousEval[i]!) {
          if (!returned.has(key)) batch.push({ labels, t: ts, v: STALE_NAN, stale: true });
        }
        if (batch.length > 0) {
          try {
            await ctx.append(batch);
          } catch (e) {
            this.fail(rule, e, ctx);
            continue;
          }
        }
        this.seriesInPreviousEval[i] = returned;
      } finally {
        rule.lastEvaluation = ruleStart;
        rule.evaluationDurationMs = Date.now() - ruleStart;
      }
    }
    await this.cleanupStaleSeries(ts, ctx);
    this.lastEvaluation = started;
    this.evaluationDurationMs = Date.now() - started;
  }

  private fail(rule: Rule, e: unknown, ctx: GroupContext): void {
    const err = e instanceof Error ? e : new Error(String(e));
    rule.health = 'err';
    rule.lastError = err.message;
    ctx.onError?.(rule.name, err);
  }

  /** Writes stale markers for the series of rules removed by a reload (or of a removed group). */
  async cleanupStaleSeries(ts: number, ctx: GroupContext): Promise<void> {
    if (this.staleSeries.length === 0) return;
    const batch = this.staleSeries.map((labels): RuleSample => ({ labels, t: ts, v: STALE_NAN, stale: true }));
    try {
      await ctx.append(batch);
      this.staleSeries = [];
    } catch (e) {
      ctx.onError?.('', e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** The group is going away: everything its rules wrote becomes stale at the next cleanup. */
  markAllStale(): void {
    for (const m of this.seriesInPreviousEval) for (const ls of m.values()) this.staleSeries.push(ls);
    this.seriesInPreviousEval = this.rules.map(() => new Map());
  }

  /**
   * Prometheus's CopyState: rules of the new group take over the state of the old group's rules
   * with the same name and labels (in order for duplicates); series of old rules without a
   * successor become stale.
   */
  copyState(from: Group): void {
    this.lastEvaluation = from.lastEvaluation;
    this.evaluationDurationMs = from.evaluationDurationMs;
    const byIdentity = new Map<string, number[]>();
    from.rules.forEach((r, i) => {
      const id = r.identity();
      byIdentity.set(id, [...(byIdentity.get(id) ?? []), i]);
    });
    this.rules.forEach((r, i) => {
      const id = r.identity();
      const idx = byIdentity.get(id) ?? [];
      const fi = idx[0];
      if (fi === undefined) return;
      byIdentity.set(id, idx.slice(1));
      this.seriesInPreviousEval[i] = from.seriesInPreviousEval[fi]!;
      const old = from.rules[fi]!;
      if (r instanceof AlertingRule && old instanceof AlertingRule) {
        for (const [k, a] of old.active) r.active.set(k, a);
        r.restored = old.restored;
      }
    });
    this.staleSeries = [...from.staleSeries];
    for (const idx of byIdentity.values()) for (const fi of idx) for (const ls of from.seriesInPreviousEval[fi]!.values()) this.staleSeries.push(ls);
  }

  /**
   * Prometheus's RestoreForState: for each pending instance, the last ALERTS_FOR_STATE sample
   * within the outage tolerance gives when it became active; the time it was down does not
   * count towards `for`, and an alert close to firing still waits the grace period.
   */
  async restoreForState(ts: number, ctx: GroupContext): Promise<void> {
    const q = ctx.queryable?.querier(ts - ctx.outageToleranceMs, ts) ?? null;
    try {
      for (const rule of this.rules) {
        if (!(rule instanceof AlertingRule)) continue;
        if (q === null || rule.holdMs < ctx.forGracePeriodMs) {
          rule.restored = true;
          continue;
        }
        for (const a of rule.active.values()) {
          const want = rule.seriesLabels(a, ALERT_FOR_STATE_METRIC, null);
          const matchers = want.map((l) => new Matcher('=', l.name, l.value));
          let last: { t: number; v: number } | null = null;
          try {
            const set = await q.select(false, null, matchers);
            while (set.next()) {
              const s = set.at();
              if (s.labels.length !== want.length) continue;
              const it = s.iterator();
              while (it.next()) last = { t: it.atT(), v: it.atV() };
            }
          } catch (e) {
            ctx.onError?.(rule.name, e instanceof Error ? e : new Error(String(e)));
            continue;
          }
          if (last === null || isStaleNaN(last.v)) continue;
          const downAt = Math.trunc(last.t / 1000) * 1000;
          let activeAt = Math.trunc(last.v) * 1000;
          const remaining = rule.holdMs - (downAt - activeAt);
          if (remaining <= 0) {
            // It was firing when the ruler went down; the next evaluation decides.
          } else if (remaining < ctx.forGracePeriodMs) {
            activeAt = ts + ctx.forGracePeriodMs - rule.holdMs;
          } else {
            activeAt += ts - downAt;
          }
          a.activeAt = activeAt;
        }
        rule.restored = true;
      }
    } finally {
      q?.close();
    }
  }

  /** Prometheus's EvalTimestamp: evaluation slots of this group, offset by a hash of its name and file. */
  evalTimestamp(nowMs: number): number {
    const offset = groupOffset(this.name, this.file, this.intervalMs);
    const adj = nowMs - offset;
    return adj - (((adj % this.intervalMs) + this.intervalMs) % this.intervalMs) + offset;
  }
}

/** A stable spread of groups over their interval (FNV-1a of name and file). */
function groupOffset(name: string, file: string, intervalMs: number): number {
  let h = 0x811c9dc5;
  for (const ch of name + '\xff' + file) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % intervalMs;
}

