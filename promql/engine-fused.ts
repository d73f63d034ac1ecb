/**
 * Aggregations fed straight from a range function (`sum by (job) (rate(x[5m]))`, Grafana's most
 * common shape) or from an instant selector (`sum(up)`): the range function's outputs (or the
 * selector's samples) arrive series by series, steps in order, and are
 * folded into per-group, per-step accumulators at once, so no sample object is made for the
 * inner vector. The results are those of aggregating each step's vector in order (engine-aggr.ts):
 * every group folds its samples in the same (series) order, with the same arithmetic, and each
 * step lists its groups in order of first appearance in that step's vector.
 */

import { METRIC_NAME, type Labels } from '../tsdb/labels.js';
import { type AggregateExpr, type AggregateOp, type Call, type Expr, type VectorSelector, unwrapParens } from './ast.js';
import type { RangeFn } from './functions-range.js';
import { FUNCTION_IMPLS } from './functions-table.js';
import { convertibleToInt64, heapAdd, heapResult } from './engine-aggr.js';
import { deleteLabels, groupingKey, keepLabels } from './engine-labels.js';
import type { SeriesSink, Vec, VecSample } from './engine-types.js';

/** The operators folded this way: one number per group and step, or (topk, bottomk with a constant k) a heap. */
export const FUSED_OPS: ReadonlySet<AggregateOp> = new Set<AggregateOp>(['sum', 'avg', 'count', 'min', 'max', 'group', 'topk', 'bottomk']);

/** What an aggregation folds as it runs: a range function's outputs, or an instant selector's samples. */
export type FusableInput =
  | { readonly kind: 'range'; readonly call: Call; readonly args: Expr[]; readonly fn: RangeFn }
  | { readonly kind: 'selector'; readonly selector: VectorSelector };

/**
 * The input an aggregation may fold as it runs, or null: the operator is one of FUSED_OPS
 * (topk/bottomk with a constant k of at least 1), and its argument, parentheses aside, is a range
 * function other than absent_over_time, or a plain instant-vector selector (`sum(up)`,
 * `count by (job) (x)`). A step-invariant argument is evaluated once and repeated by the
 * evaluator, so it is not folded.
 */
export function fusableInput(e: AggregateExpr, stepInvariant: (x: Expr) => boolean): { input: FusableInput; k: number } | null {
  if (!FUSED_OPS.has(e.op)) return null;
  let k = 0;
  if (e.op === 'topk' || e.op === 'bottomk') {
    const param = e.param ? unwrapParens(e.param) : null;
    if (param?.kind !== 'NumberLiteral' || !convertibleToInt64(param.val) || Math.trunc(param.val) < 1) return null;
    k = Math.trunc(param.val);
  } else if (e.param) return null;
  let x: Expr = e.expr;
  for (;;) {
    if (stepInvariant(x)) return null;
    if (x.kind !== 'ParenExpr') break;
    x = x.expr;
  }
  if (x.kind === 'VectorSelector') return { input: { kind: 'selector', selector: x }, k };
  if (x.kind !== 'Call' || x.func.name === 'absent_over_time') return null;
  const impl = FUNCTION_IMPLS.get(x.func.name);
  if (impl?.kind !== 'range') return null;
  return { input: { kind: 'range', call: x, args: x.args.map(unwrapParens), fn: impl.fn }, k };
}

interface Acc {
  readonly labels: Labels;
  /** sum/min/max/group: the value; avg: the running mean. */
  readonly value: Float64Array;
  readonly count: Int32Array;
  /** The input series whose sample opened the group at a step: the group's place in that step's answer. */
  readonly first: Int32Array;
  /** topk/bottomk: the kept samples per step (only those kept are ever made). */
  readonly heaps: VecSample[][];
  /** topk/bottomk: the value at the top of each step's heap (the one a new sample must beat), read without touching the heap. */
  readonly tops: Float64Array;
}

export class FusedAggregation implements SeriesSink {
  private readonly byKey = new Map<string, Acc>();
  private readonly accs: Acc[] = [];
  /** Samples of the inner vector at each step (for the sample accounting). */
  readonly inner: Int32Array;
  private seriesSeen = -1;

  private readonly bottom: boolean;

  /** `k`: topk/bottomk's parameter (at least 1), 0 for the others. */
  constructor(
    private readonly op: AggregateOp,
    private readonly grouping: readonly string[],
    private readonly without: boolean,
    private readonly numSteps: number,
    private readonly k = 0,
  ) {
    this.inner = new Int32Array(numSteps);
    this.bottom = op === 'bottomk';
  }

  private accFor(labels: Labels): Acc {
    const key = groupingKey(labels, this.grouping, this.without);
    let acc = this.byKey.get(key);
    if (!acc) {
      const out = this.without ? deleteLabels(labels, [...this.grouping, METRIC_NAME]) : this.grouping.length > 0 ? keepLabels(labels, this.grouping) : [];
      acc = { labels: out, value: new Float64Array(this.numSteps), count: new Int32Array(this.numSteps), first: new Int32Array(this.numSteps), heaps: this.k > 0 ? new Array<VecSample[]>(this.numSteps) : [], tops: new Float64Array(this.k > 0 ? this.numSteps : 0) };
      this.byKey.set(key, acc);
      this.accs.push(acc);
    }
    return acc;
  }

  /** One input series' outputs at every step, folded into its group. */
  series(labels: Labels, vals: Float64Array, has: Uint8Array): void {
    const g = this.accFor(labels);
    const s = ++this.seriesSeen;
    const n = this.numSteps;
    const inner = this.inner;
    const { value, count, first, tops } = g;
    const { k, bottom, op } = this;
    for (let i = 0; i < n; i++) {
      if (has[i] === 0) continue;
      inner[i]!++;
      const v = vals[i]!;
      const c = count[i]!;
      count[i] = c + 1;
      if (k > 0) {
        if (c === 0) {
          first[i] = s;
          g.heaps[i] = [{ labels, v }];
          tops[i] = v;
          continue;
        }
        // heapWants, from the step's top value alone (the heap holds min(c, k) samples).
        const top = tops[i]!;
        if (c < k || (bottom ? top > v : top < v) || top !== top) {
          const h = g.heaps[i]!;
          heapAdd(h, { labels, v }, k, bottom);
          tops[i] = h[0]!.v;
        }
        continue;
      }
      if (c === 0) {
        first[i] = s;
        value[i] = op === 'group' ? 1 : v;
        continue;
      }
      const cur = value[i]!;
      switch (op) {
        case 'sum':
          value[i] = cur + v;
          break;
        case 'avg': {
          const m = c + 1;
          if (Number.isFinite(cur) || Number.isNaN(cur)) value[i] = cur + (v / m - cur / m);
          else if (!(!Number.isFinite(v) && !Number.isNaN(v) && cur > 0 === v > 0) && !Number.isFinite(v)) value[i] = cur + (v / m - cur / m);
          break;
        }
        case 'max':
          if (cur < v || Number.isNaN(cur)) value[i] = v;
          break;
        case 'min':
          if (cur > v || Number.isNaN(cur)) value[i] = v;
          break;
        default:
          break;
      }
    }
  }

  /** Each step's answer: its groups in order of first appearance, as aggregate() gives them. */
  steps(): Vec[] {
    const out: Vec[] = [];
    const present: Acc[] = [];
    for (let i = 0; i < this.numSteps; i++) {
      present.length = 0;
      for (const g of this.accs) if (g.count[i]! > 0) present.push(g);
      if (present.length > 1) present.sort((a, b) => a.first[i]! - b.first[i]!);
      if (this.k > 0) out.push(present.flatMap((g) => heapResult(g.heaps[i]!, this.bottom)));
      else out.push(present.map((g) => ({ labels: g.labels, v: this.op === 'count' ? g.count[i]! : g.value[i]! })));
    }
    return out;
  }
}
