/**
 * An alerting rule (Prometheus 2.42 rules/alerting.go): each element of the expression's result
 * is an alert instance identified by its labels (the sample's, `__name__` dropped, the rule's
 * expanded labels set, `alertname` added). Instances move inactive → pending → firing after
 * `for`, stay firing for `keep_firing_for` after the condition clears, and resolved instances are
 * kept (and re-sent) for 15 minutes. Each evaluation writes `ALERTS` and `ALERTS_FOR_STATE`.
 *
 * Times are milliseconds; -Infinity stands for Go's zero time (unset), since 0 is a real time in
 * rule unit tests, which start at the epoch.
 */

import type { Expr } from '../../promql/ast.js';
import { type Labels, METRIC_NAME, labelsToRecord } from '../../tsdb/labels.js';
import { LabelBuilder, labelSetKey } from './label-builder.js';
import { RuleBase } from './rule.js';
import { tableLinkForExpression } from '../links.js';
import type { AlertToSend, GroupContext, NotifyFunc, RuleSample } from './types.js';

export type AlertState = 'inactive' | 'pending' | 'firing';

const STATE_ORDER: Readonly<Record<AlertState, number>> = { inactive: 0, pending: 1, firing: 2 };

/** How long a resolved instance is kept and re-sent as resolved. */
export const RESOLVED_RETENTION_MS = 15 * 60_000;

export const ALERT_METRIC = 'ALERTS';
export const ALERT_FOR_STATE_METRIC = 'ALERTS_FOR_STATE';
export const ALERT_NAME_LABEL = 'alertname';
export const ALERT_STATE_LABEL = 'alertstate';

export interface Alert {
  labels: Labels;
  annotations: Labels;
  state: AlertState;
  value: number;
  activeAt: number;
  firedAt: number;
  resolvedAt: number;
  lastSentAt: number;
  validUntil: number;
  keepFiringSince: number;
}

const UNSET = -Infinity;

export class AlertingRule extends RuleBase {
  readonly kind = 'alerting' as const;
  /** Active instances by label-set key (pending, firing, and resolved ones within retention). */
  active = new Map<string, Alert>();
  /** False until `for` state has been restored after a start; no ALERTS series are written before. */
  restored = false;

  constructor(
    name: string,
    expr: Expr,
    exprText: string,
    labels: Labels,
    readonly annotations: Labels,
    readonly holdMs: number,
    readonly keepFiringForMs: number,
  ) {
    super(name, expr, exprText, labels);
  }

  async eval(ts: number, ctx: GroupContext, limit: number, signal?: AbortSignal): Promise<RuleSample[]> {
    const res = await ctx.query(this.exprText, ts, signal);
    const externalLabels = labelsToRecord(ctx.externalLabels);
    const found = new Map<string, Alert>();
    for (const s of res) {
      const data = { labels: labelsToRecord(s.labels), externalLabels, externalURL: ctx.externalURL, value: s.v };
      const lb = new LabelBuilder(s.labels).del(METRIC_NAME);
      for (const l of this.labels) lb.set(l.name, await ctx.expand(this.name, l.value, data, ts, ctx.query));
      lb.set(ALERT_NAME_LABEL, this.name);
      const annotations: { name: string; value: string }[] = [];
      for (const a of this.annotations) annotations.push({ name: a.name, value: await ctx.expand(this.name, a.value, data, ts, ctx.query) });
      const labels = lb.labels();
      const key = labelSetKey(labels);
      if (found.has(key)) throw new Error('vector contains metrics with the same labelset after applying alert labels');
      found.set(key, {
        labels,
        annotations,
        state: 'pending',
        value: s.v,
        activeAt: ts,
        firedAt: UNSET,
        resolvedAt: UNSET,
        lastSentAt: UNSET,
        validUntil: UNSET,
        keepFiringSince: UNSET,
      });
    }

    for (const [key, a] of found) {
      const old = this.active.get(key);
      if (old && old.state !== 'inactive') {
        old.value = a.value;
        old.annotations = a.annotations;
        continue;
      }
      this.active.set(key, a);
    }

    const out: RuleSample[] = [];
    let activePending = 0;
    for (const [key, a] of this.active) {
      if (!found.has(key)) {
        let keepFiring = false;
        if (a.state === 'firing' && this.keepFiringForMs > 0) {
          if (a.keepFiringSince === UNSET) a.keepFiringSince = ts;
          if (ts - a.keepFiringSince < this.keepFiringForMs) keepFiring = true;
        }
        if (a.state === 'pending' || (a.resolvedAt !== UNSET && ts - a.resolvedAt > RESOLVED_RETENTION_MS)) this.active.delete(key);
        if (a.state !== 'inactive' && !keepFiring) {
          a.state = 'inactive';
          a.resolvedAt = ts;
        }
        if (!keepFiring) continue;
      } else {
        a.keepFiringSince = UNSET;
      }
      activePending++;
      if (a.state === 'pending' && ts - a.activeAt >= this.holdMs) {
        a.state = 'firing';
        a.firedAt = ts;
      }
      if (this.restored) {
        out.push({ labels: this.seriesLabels(a, ALERT_METRIC, a.state), t: ts, v: 1 });
        out.push({ labels: this.seriesLabels(a, ALERT_FOR_STATE_METRIC, null), t: ts, v: Math.floor(a.activeAt / 1000) });
      }
    }
    if (limit > 0 && activePending > limit) {
      this.active = new Map();
      throw new Error(`exceeded limit of ${limit} with ${activePending} alerts`);
    }
    return out;
  }

  /**
   * The labels of an ALERTS / ALERTS_FOR_STATE sample. Like Prometheus, this starts from the
   * rule's labels as written (unexpanded) and lays the instance's labels over them.
   */
  seriesLabels(a: Alert, metric: string, state: AlertState | null): Labels {
    const lb = new LabelBuilder(this.labels);
    for (const l of a.labels) lb.set(l.name, l.value);
    lb.set(METRIC_NAME, metric).set(ALERT_NAME_LABEL, this.name);
    if (state !== null) lb.set(ALERT_STATE_LABEL, state);
    return lb.labels();
  }

  /** The highest state among the instances (the rules API's `state`). */
  state(): AlertState {
    let s: AlertState = 'inactive';
    for (const a of this.active.values()) if (STATE_ORDER[a.state] > STATE_ORDER[s]) s = a.state;
    return s;
  }

  /** Pending and firing instances (resolved ones excluded), as the alerts API lists them. */
  activeAlerts(): Alert[] {
    return [...this.active.values()].filter((a) => a.resolvedAt === UNSET);
  }

  /** Prometheus's sendAlerts: firing instances due for (re)sending and fresh resolutions. */
  sendAlerts(ts: number, resendDelayMs: number, intervalMs: number, externalURL: string, notify: NotifyFunc): void {
    const out: AlertToSend[] = [];
    const delta = Math.max(resendDelayMs, intervalMs);
    for (const a of this.active.values()) {
      if (!needsSending(a, ts, resendDelayMs)) continue;
      a.lastSentAt = ts;
      a.validUntil = ts + 4 * delta;
      out.push({
        labels: a.labels,
        annotations: a.annotations,
        startsAt: a.firedAt,
        endsAt: a.resolvedAt !== UNSET ? a.resolvedAt : a.validUntil,
        generatorURL: externalURL + tableLinkForExpression(this.exprText),
      });
    }
    if (out.length > 0) notify(this.exprText, out);
  }
}

function needsSending(a: Alert, ts: number, resendDelayMs: number): boolean {
  if (a.state === 'pending') return false;
  if (a.resolvedAt > a.lastSentAt) return true;
  return a.lastSentAt + resendDelayMs < ts;
}
