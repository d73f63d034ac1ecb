/**
 * What a rule group needs from the rest of Vigil, as small functions so the ruler, the unit-test
 * runner (`vigil-tool test rules`) and tests can each supply their own: an instant query, a place
 * to write results, a receiver of alerts to send, and the template expander.
 */

import type { Labels } from '../../tsdb/labels.js';
import type { Queryable } from '../../tsdb/storage.js';

export interface RuleSample {
  readonly labels: Labels;
  readonly t: number;
  readonly v: number;
  /** A staleness marker (said outright: a NaN's payload may not survive JS arrays and objects). */
  readonly stale?: true;
}

/** An instant query at `tMs` (rules pass their expression as printed, as Prometheus does); a scalar result comes back as one sample without labels. */
export type QueryFunc = (expr: string, tMs: number, signal?: AbortSignal) => Promise<RuleSample[]>;

/** Writes a rule's results (and stale markers); resolves once they are stored (later rules read them). */
export type AppendFunc = (samples: readonly RuleSample[]) => Promise<void>;

export interface AlertToSend {
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly startsAt: number;
  /** ms; resolution time for resolved alerts, else the time until which the alert is valid. */
  readonly endsAt: number;
  readonly generatorURL: string;
}

/** Hands alerts to the notifier (never blocks). `expr` is the rule's expression as printed. */
export type NotifyFunc = (expr: string, alerts: readonly AlertToSend[]) => void;

export interface TemplateInput {
  readonly labels: Readonly<Record<string, string>>;
  readonly externalLabels: Readonly<Record<string, string>>;
  readonly externalURL: string;
  readonly value: number;
}

/**
 * Expands one alert label or annotation (`__alert_<name>` template) at the evaluation time; the
 * template's `query` function runs through `query`. Never throws.
 */
export type ExpandFunc = (alertName: string, text: string, data: TemplateInput, tMs: number, query: QueryFunc) => Promise<string>;

export interface GroupContext {
  readonly query: QueryFunc;
  readonly append: AppendFunc;
  readonly notify: NotifyFunc;
  readonly expand: ExpandFunc;
  /** Reads ALERTS_FOR_STATE when restoring `for` state after a restart. */
  readonly queryable: Queryable | null;
  readonly externalLabels: Labels;
  readonly externalURL: string;
  /** -ruler.resend-delay */
  readonly resendDelayMs: number;
  /** -ruler.for-outage-tolerance */
  readonly outageToleranceMs: number;
  /** -ruler.for-grace-period */
  readonly forGracePeriodMs: number;
  readonly onError?: (rule: string, err: Error) => void;
}
