/**
 * The evaluator: every node is evaluated over all steps of [start, end] at once, as
 * Prometheus 2.42's evaluator does (promql/engine.go), from series loaded before evaluation.
 * Instant queries are the one-step case. Windows follow 2.42: a vector selector looks back
 * `lookbackDelta` with both ends included, a range selector covers [t - range, t], and a stale
 * marker ends a series.
 */

import { assertNever, typeOf, unwrapParens, type AggregateExpr, type BinaryExpr, type Call, type Expr, type SubqueryExpr, type VectorSelector } from './ast.js';
import { aggregate, groupingKeyCache } from './engine-aggr.js';
import { FusedAggregation, fusableInput } from './engine-fused.js';
import { scalarBinop, vectorBinop, vectorScalarBinop, vectorSetOp } from './engine-binary.js';
import { METRIC_NAME, type Labels } from '../tsdb/labels.js';
import { dropMetricName, labelsKey } from './engine-labels.js';
import { EngineError, StepVectors, execError, tooManySamples, type EvalValue, type LoadedSeries, type Point, type SeriesPoints, type SeriesSink, type Vec } from './engine-types.js';
import { absentLabels, type StepArg } from './functions-impl.js';
import type { RangeFn, RangeWindow } from './functions-range.js';
import { FUNCTION_IMPLS } from './functions-table.js';
import type { EvalContext } from './engine-context.js';

/** The window's arrays before the first series: a Float64Array like every series', so the range functions' element loads see one array type. */
const EMPTY = new Float64Array(0);

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** How many samples a value holds at one step (a scalar is one sample per step). */
function samplesAt(v: EvalValue, i: number): number {
  switch (v.kind) {
    case 'vector':
      return v.steps[i]!.length;
    case 'scalar':
      return 1;
    case 'string':
    case 'matrix':
      return 0;
    default:
      return assertNever(v);
  }
}

/** The index of the last timestamp <= t, or -1. */
function lastAtOrBefore(ts: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (ts[m]! <= t) lo = m + 1;
    else hi = m;
  }
  return lo - 1;
}

/** The index of the first timestamp >= t (ts.length if none). */
function firstAtOrAfter(ts: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (ts[m]! < t) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** A loaded series with its stale-free view for range windows. */
export function withRangeView(labels: LoadedSeries['labels'], ts: Float64Array, vs: Float64Array, staleIdx: readonly number[] | null): LoadedSeries {
  if (staleIdx === null || staleIdx.length === 0) return { labels, ts, vs, rangeTs: ts, rangeVs: vs, stale: null };
  const stale = new Uint8Array(ts.length);
  for (const i of staleIdx) stale[i] = 1;
  const rangeTs = new Float64Array(ts.length - staleIdx.length);
  const rangeVs = new Float64Array(rangeTs.length);
  let n = 0;
  for (let i = 0; i < ts.length; i++) {
    if (stale[i] === 1) continue;
    rangeTs[n] = ts[i]!;
    rangeVs[n++] = vs[i]!;
  }
  return { labels, ts, vs, rangeTs, rangeVs, stale };
}

/** The window [mint, maxt] of a series' stale-free samples, as indexes [lo, hi). */
function windowOf(s: LoadedSeries, mint: number, maxt: number): [lo: number, hi: number] {
  return [firstAtOrAfter(s.rangeTs, mint), lastAtOrBefore(s.rangeTs, maxt) + 1];
}

/** The non-stale samples of `s` in [mint, maxt]. */
export function windowPoints(s: LoadedSeries, mint: number, maxt: number): Point[] {
  const [lo, hi] = windowOf(s, mint, maxt);
  const out: Point[] = [];
  for (let i = lo; i < hi; i++) out.push({ t: s.rangeTs[i]!, v: s.rangeVs[i]! });
  return out;
}

/** The samples of a range-vector argument: series plus the range, offset and `@` to window them. */
interface RangeSource {
  readonly series: readonly LoadedSeries[];
  readonly range: number;
  readonly offset: number;
  readonly at: number | null;
  /** The selector's matchers, for absent_over_time's labels (none for a subquery). */
  readonly selector: VectorSelector | null;
}

export class Evaluator {
  readonly numSteps: number;

  constructor(
    private readonly ctx: EvalContext,
    readonly start: number,
    readonly end: number,
    readonly interval: number,
  ) {
    this.numSteps = Math.floor((end - start) / interval) + 1;
  }

  stepTime(i: number): number {
    return this.start + i * this.interval;
  }

  eval(e: Expr): EvalValue {
    this.ctx.check();
    if (this.numSteps > 1 && this.ctx.stepInvariant.has(e) && e.kind !== 'NumberLiteral' && e.kind !== 'StringLiteral') return this.evalOnce(e);
    return this.evalNode(e);
  }

  /** A step-invariant subtree: evaluated at the first step, its value repeated at the others. */
  private evalOnce(e: Expr): EvalValue {
    const v = new Evaluator(this.ctx, this.start, this.start, this.interval).evalNode(e);
    const more = this.numSteps - 1;
    switch (v.kind) {
      case 'vector':
        this.ctx.take(v.steps[0]!.length * more);
        return { kind: 'vector', steps: Array.from({ length: this.numSteps }, () => v.steps[0]!) };
      case 'scalar':
        this.ctx.take(more);
        return { kind: 'scalar', vals: new Float64Array(this.numSteps).fill(v.vals[0]!) };
      case 'string':
      case 'matrix':
        return v;
      default:
        return assertNever(v);
    }
  }

  private evalNode(e: Expr): EvalValue {
    switch (e.kind) {
      case 'NumberLiteral':
        this.ctx.rangeEval(this.ctx.held, this.numSteps, () => 0, () => 1);
        return { kind: 'scalar', vals: new Float64Array(this.numSteps).fill(e.val) };
      case 'StringLiteral':
        return { kind: 'string', s: e.val };
      case 'ParenExpr':
        return this.eval(e.expr);
      case 'UnaryExpr': {
        const v = this.eval(e.expr);
        if (e.op === '+') return v;
        if (v.kind === 'scalar') return { kind: 'scalar', vals: v.vals.map((x) => -x) };
        if (v.kind !== 'vector') throw new EngineError('internal', `unary minus on ${v.kind}`);
        const steps = v.steps.map((vec) => vec.map((s) => ({ labels: dropMetricName(s.labels), v: -s.v })));
        return this.finishVector(steps, true);
      }
      case 'VectorSelector':
        return this.vectorSelector(e);
      case 'MatrixSelector': {
        const vs = unwrapParens(e.vectorSelector);
        if (vs.kind !== 'VectorSelector') throw new EngineError('internal', 'matrix selector over a non-selector');
        return { kind: 'matrix', series: this.matrixAt(this.rangeSourceOfSelector(vs, e.range)) };
      }
      case 'SubqueryExpr': {
        const series = this.subquerySeries(e);
        return { kind: 'matrix', series: series.map((s) => ({ labels: s.labels, points: Array.from(s.ts, (t, i) => ({ t, v: s.vs[i]! })) })) };
      }
      case 'BinaryExpr':
        return this.binary(e);
      case 'AggregateExpr':
        return this.aggregation(e);
      case 'Call':
        return this.call(e);
      default:
        return assertNever(e);
    }
  }

  /** Checks each step of a vector result for duplicate label sets (Prometheus's ContainsSameLabelset). */
  private finishVector(steps: Vec[], check: boolean): EvalValue {
    if (check) {
      for (const vec of steps) {
        if (vec.length < 2) continue;
        const seen = new Set<string>();
        for (const s of vec) {
          const k = labelsKey(s.labels);
          if (seen.has(k)) throw execError('vector cannot contain metrics with the same labelset');
          seen.add(k);
        }
      }
    }
    return { kind: 'vector', steps };
  }

  private vectorSelector(vs: VectorSelector): EvalValue {
    const out = new StepVectors(this.numSteps);
    this.selectorOutputs(vs, out);
    return { kind: 'vector', steps: out.steps };
  }

  /**
   * The samples of an instant selector at every step, given to `sink` series by series (one
   * label-set object per series), and counted as held. Aggregations over a selector fold them as
   * they come (promql/engine-fused.ts).
   */
  selectorOutputs(vs: VectorSelector, sink: SeriesSink): void {
    const series = this.ctx.series.get(vs) ?? [];
    const at = this.ctx.atTime(vs);
    const lookback = this.ctx.lookbackDeltaMs;
    const numSteps = this.numSteps;
    const vals = new Float64Array(numSteps);
    const has = new Uint8Array(numSteps);
    let n = 0;
    for (const s of series) {
      this.ctx.check();
      const ts = s.ts;
      const stale = s.stale;
      let j = -1;
      let found = 0;
      for (let i = 0; i < numSteps; i++) {
        has[i] = 0;
        const ref = (at ?? this.stepTime(i)) - vs.offset;
        // Steps move forward, so the last sample at or before ref only moves forward too.
        if (i === 0) j = lastAtOrBefore(ts, ref);
        else while (j + 1 < ts.length && ts[j + 1]! <= ref) j++;
        if (j < 0 || ts[j]! < ref - lookback) continue;
        if (stale !== null && stale[j] === 1) continue;
        vals[i] = s.vs[j]!;
        has[i] = 1;
        found++;
      }
      if (found > 0) sink.series(s.labels, vals, has);
      n += found;
    }
    this.ctx.take(n);
  }

  /**
   * timestamp(selector): the timestamps of the selected samples, not the step times. As in
   * Prometheus 2.42, with `@` the offset is dropped from the reference time but still bounds the
   * samples loaded (so `timestamp(x @ t offset 5m)` sees only samples in [t - lookback, t - 5m]).
   */
  private selectorTimestamps(vs: VectorSelector): EvalValue {
    const series = this.ctx.series.get(vs) ?? [];
    const steps: Vec[] = Array.from({ length: this.numSteps }, () => []);
    const at = this.ctx.atTime(vs);
    for (const s of series) {
      for (let i = 0; i < this.numSteps; i++) {
        const ref = at ?? this.stepTime(i) - vs.offset;
        const j = lastAtOrBefore(s.ts, ref);
        if (j < 0 || s.ts[j]! < ref - this.ctx.lookbackDeltaMs || (s.stale !== null && s.stale[j] === 1)) continue;
        steps[i]!.push({ labels: dropMetricName(s.labels), v: s.ts[j]! / 1000 });
      }
    }
    // The selector's samples are counted at each step, then again as the output.
    this.ctx.rangeEval(this.ctx.held, this.numSteps, (i) => steps[i]!.length, (i) => steps[i]!.length);
    return this.finishVector(steps, true);
  }

  private rangeSourceOfSelector(vs: VectorSelector, range: number): RangeSource {
    return { series: this.ctx.series.get(vs) ?? [], range, offset: vs.offset, at: this.ctx.atTime(vs), selector: vs };
  }

  /** A range vector at the single step of an instant query. */
  private matrixAt(src: RangeSource): SeriesPoints[] {
    const maxt = (src.at ?? this.start) - src.offset;
    const out: SeriesPoints[] = [];
    let n = 0;
    for (const s of src.series) {
      const points = windowPoints(s, maxt - src.range, maxt);
      n += points.length;
      if (points.length > 0) out.push({ labels: s.labels, points });
    }
    this.ctx.take(n);
    return out;
  }

  /** Evaluates a subquery's inner expression at its own aligned steps; one series per label set. */
  subquerySeries(e: SubqueryExpr): LoadedSeries[] {
    const at = this.ctx.atTime(e);
    const outerStart = at ?? this.start;
    const outerEnd = at ?? this.end;
    const step = e.step !== 0 ? e.step : this.ctx.defaultSubqueryStepMs;
    const from = outerStart - e.offset - e.range;
    // Go's integer division truncates toward zero; then move up to the first step >= from.
    let start = step * Math.trunc(from / step);
    if (start < from) start += step;
    const end = outerEnd - e.offset;
    if (start > end) return [];
    const inner = new Evaluator(this.ctx, start, end, step);
    const v = inner.eval(e.expr);
    if (v.kind !== 'vector') throw new EngineError('internal', `subquery over ${v.kind}`);
    const byKey = new Map<string, { labels: LoadedSeries['labels']; ts: number[]; vs: number[] }>();
    v.steps.forEach((vec, i) => {
      const t = inner.stepTime(i);
      for (const s of vec) {
        const k = labelsKey(s.labels);
        let ser = byKey.get(k);
        if (!ser) {
          ser = { labels: s.labels, ts: [], vs: [] };
          byKey.set(k, ser);
        }
        ser.ts.push(t);
        ser.vs.push(s.v);
      }
    });
    return [...byKey.values()].map((x) => {
      const ts = Float64Array.from(x.ts);
      const vs = Float64Array.from(x.vs);
      return { labels: x.labels, ts, vs, rangeTs: ts, rangeVs: vs, stale: null };
    });
  }

  private binary(e: BinaryExpr): EvalValue {
    const original = this.ctx.held;
    const lt = typeOf(e.lhs);
    const rt = typeOf(e.rhs);
    const lhs = this.eval(e.lhs);
    const rhs = this.eval(e.rhs);
    const op = e.op;
    if (lhs.kind === 'scalar' && rhs.kind === 'scalar') {
      const vals = new Float64Array(this.numSteps);
      for (let i = 0; i < this.numSteps; i++) vals[i] = scalarBinop(op, lhs.vals[i]!, rhs.vals[i]!);
      this.ctx.rangeEval(original, this.numSteps, () => 2, () => 1);
      return { kind: 'scalar', vals };
    }
    const steps: Vec[] = [];
    if (lhs.kind === 'vector' && rhs.kind === 'vector') {
      const m = e.vectorMatching;
      if (!m) throw new EngineError('internal', 'vector operation without matching');
      for (let i = 0; i < this.numSteps; i++) {
        this.ctx.check();
        const l = lhs.steps[i]!;
        const r = rhs.steps[i]!;
        steps.push(op === 'and' || op === 'or' || op === 'unless' ? vectorSetOp(op, l, r, m) : vectorBinop(op, l, r, m, e.returnBool));
      }
    } else if (lhs.kind === 'vector' && rhs.kind === 'scalar') {
      for (let i = 0; i < this.numSteps; i++) steps.push(vectorScalarBinop(op, lhs.steps[i]!, rhs.vals[i]!, false, e.returnBool));
    } else if (lhs.kind === 'scalar' && rhs.kind === 'vector') {
      for (let i = 0; i < this.numSteps; i++) steps.push(vectorScalarBinop(op, rhs.steps[i]!, lhs.vals[i]!, true, e.returnBool));
    } else {
      throw new EngineError('internal', `binary ${op} between ${lt} and ${rt}`);
    }
    const out = this.finishVector(steps, true);
    this.ctx.rangeEval(original, this.numSteps, (i) => samplesAt(lhs, i) + samplesAt(rhs, i), (i) => steps[i]!.length);
    return out;
  }

  private aggregation(e: AggregateExpr): EvalValue {
    const original = this.ctx.held;
    const grouping = [...e.grouping].sort();
    let stringParam: string | null = null;
    let scalarParam: Float64Array | null = null;
    let p: EvalValue | null = null;
    if (e.param) {
      p = this.eval(e.param);
      if (p.kind === 'string') stringParam = p.s;
      else if (p.kind === 'scalar') scalarParam = p.vals;
      else throw new EngineError('internal', `aggregation parameter of type ${p.kind}`);
    }
    const fusable = fusableInput(e, (x) => this.numSteps > 1 && this.ctx.stepInvariant.has(x));
    if (fusable) {
      const agg = new FusedAggregation(e.op, grouping, e.without, this.numSteps, fusable.k);
      const input = fusable.input;
      if (input.kind === 'range') this.rangeOutputs(input.call, input.args, input.fn, agg);
      else this.selectorOutputs(input.selector, agg);
      const steps = agg.steps();
      const out = this.finishVector(steps, false);
      this.ctx.rangeEval(original, this.numSteps, (i) => agg.inner[i]! + (p ? samplesAt(p, i) : 0), (i) => steps[i]!.length);
      return out;
    }
    const v = this.eval(e.expr);
    if (v.kind !== 'vector') throw new EngineError('internal', `aggregation over ${v.kind}`);
    const steps: Vec[] = [];
    const keyOf = groupingKeyCache(grouping, e.without);
    for (let i = 0; i < this.numSteps; i++) {
      this.ctx.check();
      const param = stringParam ?? (scalarParam ? scalarParam[i]! : null);
      steps.push(aggregate(e.op, grouping, e.without, param, v.steps[i]!, keyOf));
    }
    const out = this.finishVector(steps, false);
    this.ctx.rangeEval(original, this.numSteps, (i) => samplesAt(v, i) + (p ? samplesAt(p, i) : 0), (i) => steps[i]!.length);
    return out;
  }

  private call(e: Call): EvalValue {
    const original = this.ctx.held;
    const name = e.func.name;
    const impl = FUNCTION_IMPLS.get(name);
    if (!impl) throw new EngineError('execution', `function "${name}" is not supported`);
    const args = e.args.map(unwrapParens);
    if (impl.kind === 'range') return this.rangeCall(e, args, impl.fn);
    if (name === 'timestamp' && args[0]?.kind === 'VectorSelector') return this.selectorTimestamps(args[0]);
    // Arguments are evaluated as written (a parenthesised step-invariant argument is evaluated once).
    const values = e.args.map((a) => this.eval(a));
    const gathered = (i: number): number => values.reduce((n, v) => n + samplesAt(v, i), 0);
    if (impl.kind === 'scalar') {
      const vals = new Float64Array(this.numSteps);
      for (let i = 0; i < this.numSteps; i++) vals[i] = impl.fn(values.map((v) => stepArg(v, i)), this.stepTime(i));
      this.ctx.rangeEval(original, this.numSteps, gathered, () => 1);
      return { kind: 'scalar', vals };
    }
    const steps: Vec[] = [];
    for (let i = 0; i < this.numSteps; i++) {
      this.ctx.check();
      steps.push(impl.fn(values.map((v) => stepArg(v, i)), this.stepTime(i), args));
    }
    const out = this.finishVector(steps, true);
    this.ctx.rangeEval(original, this.numSteps, gathered, (i) => steps[i]!.length);
    return out;
  }

  /** A function over a range vector: each series windowed at each step (Prometheus's matrix path). */
  private rangeCall(e: Call, args: Expr[], fn: RangeFn): EvalValue {
    const out = new StepVectors(this.numSteps);
    const src = this.rangeOutputs(e, args, fn, out);
    if (e.func.name === 'absent_over_time') return this.absentOverTime(out.steps, src);
    return { kind: 'vector', steps: out.steps };
  }

  /**
   * A range function over every series and step, each series' outputs given to `sink` in
   * Prometheus's order (series by series; one label-set object per series), the samples
   * accounted as Prometheus's rangeEval does. Aggregations over a range function fold the
   * outputs as they come (promql/engine-fused.ts) instead of holding a sample object for each.
   */
  rangeOutputs(e: Call, args: Expr[], fn: RangeFn, sink: SeriesSink): RangeSource {
    const name = e.func.name;
    const matrixIndex = args.findIndex((a) => typeOf(a) === 'matrix');
    const scalars: (Float64Array | null)[] = e.args.map((a, i) => {
      if (i === matrixIndex) return null;
      const v = this.eval(a);
      if (v.kind !== 'scalar') throw new EngineError('internal', `argument ${i} of ${name} is ${v.kind}`);
      return v.vals;
    });
    const arg = args[matrixIndex]!;
    let src: RangeSource;
    let subquerySamples = 0;
    if (arg.kind === 'MatrixSelector') {
      const vs = unwrapParens(arg.vectorSelector);
      if (vs.kind !== 'VectorSelector') throw new EngineError('internal', 'matrix selector over a non-selector');
      src = this.rangeSourceOfSelector(vs, arg.range);
    } else if (arg.kind === 'SubqueryExpr') {
      const series = this.subquerySeries(arg);
      subquerySamples = series.reduce((n, x) => n + x.ts.length, 0);
      src = { series, range: arg.range, offset: arg.offset, at: this.ctx.atTime(arg), selector: null };
    } else {
      throw new EngineError('internal', `range argument of ${name} is a ${arg.kind}`);
    }
    const keepName = name === 'last_over_time';
    // Dropping the metric name can make two outputs one label set only when the inputs' names
    // differ: not when the selector names one metric (`rate(x[5m])`), the common case.
    const oneName = src.selector !== null && src.selector.matchers.some((m) => m.name === METRIC_NAME && m.type === '=');
    const checkDuplicates = !keepName && !oneName;
    const withOutput: string[] = [];
    const stepArgs: number[] = new Array<number>(args.length).fill(0);
    // One window object for every call (functions read it and keep nothing).
    const w: Mutable<RangeWindow> = { ts: EMPTY, vs: EMPTY, lo: 0, hi: 0, rangeStart: 0, rangeEnd: 0, rangeMs: src.range, evalTs: 0, args: stepArgs };
    const numSteps = this.numSteps;
    const vals = new Float64Array(numSteps);
    const has = new Uint8Array(numSteps);
    const withScalars = scalars.some((x) => x !== null);
    const { at, offset, range } = src;
    const start = this.start;
    const interval = this.interval;
    const max = this.ctx.maxSamples;
    for (const s of src.series) {
      this.ctx.check();
      // The window buffer is counted as Prometheus's matrixIterSlice counts it: samples still in
      // the next window stay, older ones are dropped, new ones are added one by one, each
      // checked against the limit. So the count held is base + the window's size, and the limit
      // can only be crossed at a step whose window is larger than the one before.
      const base = this.ctx.held;
      let win = 0;
      const labels = keepName ? s.labels : dropMetricName(s.labels);
      let outputs = 0;
      // Step windows only move forward (or stay, under `@`): two cursors instead of a search per step.
      const rts = s.rangeTs;
      const n = rts.length;
      let lo = 0;
      let hi = 0;
      w.ts = rts;
      w.vs = s.rangeVs;
      for (let i = 0; i < numSteps; i++) {
        has[i] = 0;
        const ts = start + i * interval;
        const maxt = (at ?? ts) - offset;
        const mint = maxt - range;
        while (lo < n && rts[lo]! < mint) lo++;
        if (hi < lo) hi = lo;
        while (hi < n && rts[hi]! <= maxt) hi++;
        const size = hi - lo;
        if (size > win && base + size > max) throw tooManySamples();
        win = size;
        if (size === 0) continue;
        if (withScalars) {
          for (let j = 0; j < args.length; j++) {
            const sc = scalars[j];
            if (sc) stepArgs[j] = sc[i]!;
          }
        }
        w.lo = lo;
        w.hi = hi;
        w.rangeStart = mint;
        w.rangeEnd = maxt;
        w.evalTs = ts;
        const v = fn(w);
        if (v === null) continue;
        vals[i] = v;
        has[i] = 1;
        outputs++;
      }
      if (outputs > 0) {
        if (base + win + outputs > max) throw tooManySamples();
        sink.series(labels, vals, has);
        this.ctx.release(-outputs);
        if (checkDuplicates) withOutput.push(labelsKey(labels));
      }
    }
    this.ctx.release(subquerySamples);
    if (new Set(withOutput).size !== withOutput.length) throw execError('vector cannot contain metrics with the same labelset');
    return src;
  }

  private absentOverTime(steps: Vec[], src: RangeSource): EvalValue {
    const labels = src.selector ? absentLabels(src.selector) : [];
    return { kind: 'vector', steps: steps.map((vec) => (vec.length > 0 ? [] : [{ labels, v: 1 }])) };
  }
}

function stepArg(v: EvalValue, i: number): StepArg {
  switch (v.kind) {
    case 'vector':
      return { kind: 'vector', vec: v.steps[i]! };
    case 'scalar':
      return { kind: 'scalar', v: v.vals[i]! };
    case 'string':
      return { kind: 'string', s: v.s };
    case 'matrix':
      throw new EngineError('internal', 'range vector passed to an instant function');
    default:
      return assertNever(v);
  }
}
