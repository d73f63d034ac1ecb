/**
 * What alerting and recording rules share: identity, the parsed expression, and the health the
 * rules API reports (Prometheus's `health`, `lastError`, `lastEvaluation`, `evaluationTime`).
 */

import type { Expr } from '../../promql/ast.js';
import type { Labels } from '../../tsdb/labels.js';
import type { GroupContext, RuleSample } from './types.js';

export type RuleHealth = 'unknown' | 'ok' | 'err';

export abstract class RuleBase {
  health: RuleHealth = 'unknown';
  lastError: string | null = null;
  /** Wall-clock ms of the last evaluation's start; null before the first. */
  lastEvaluation: number | null = null;
  evaluationDurationMs = 0;

  constructor(
    readonly name: string,
    readonly expr: Expr,
    /** The expression as Prometheus prints it (the API's `query`, the alert's generator URL). */
    readonly exprText: string,
    readonly labels: Labels,
  ) {}

  abstract readonly kind: 'alerting' | 'recording';

  /** Evaluates at `ts` and returns the samples to write. */
  abstract eval(ts: number, ctx: GroupContext, limit: number, signal?: AbortSignal): Promise<RuleSample[]>;

  /** Prometheus's nameAndLabels: how CopyState matches a rule of an updated group to its old self. */
  identity(): string {
    return this.name + '{' + this.labels.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(', ') + '}';
  }
}
