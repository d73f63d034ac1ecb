/**
 * The PromQL engine: parses (or takes) an expression, loads each selector's series once over
 * the time range the whole query needs, then evaluates synchronously (engine-eval.ts).
 * Semantics are Prometheus 2.42's promql/engine.go; errors carry the `errorType` of its HTTP API.
 */

import { compareLabels, type Labels } from '../tsdb/labels.js';
import { type Queryable, type Querier, SampleBuffer } from '../tsdb/storage.js';
import { assertNever, documentedType, typeOf, unwrapParens, type Expr, type SubqueryExpr, type VectorSelector } from './ast.js';
import { EvalContext } from './engine-context.js';
import { Evaluator, withRangeView } from './engine-eval.js';
import { labelsKey } from './engine-labels.js';
import { stepInvariantNodes } from './engine-preprocess.js';
import { EngineError, type EvalValue, type LoadedSeries, type Point, type QueryResult, type QueryValue, type SeriesPoints } from './engine-types.js';
import { parseExpr } from './parser.js';
import { SampleArena } from './sample-arena.js';

export { EngineError } from './engine-types.js';
export type { EngineErrorType, Point, QueryResult, QueryValue, Sample, SeriesPoints } from './engine-types.js';

export interface EngineOptions {
  readonly lookbackDeltaMs: number;
  readonly maxSamples: number;
  readonly timeoutMs: number;
  /** The step of subqueries written without one (`[5m:]`); Prometheus's evaluation interval, 1m by default. */
  readonly defaultSubqueryStepMs?: number;
}

interface SelectorRange {
  readonly vs: VectorSelector;
  readonly mint: number;
  readonly maxt: number;
}

/**
 * The time range each selector needs (Prometheus's getTimeRangesForSelector): the query range
 * moved by enclosing subqueries and the selector's own offset, widened by the lookback delta or
 * the range of a range selector; `@` pins it.
 */
function selectorRanges(expr: Expr, start: number, end: number, lookback: number): SelectorRange[] {
  const out: SelectorRange[] = [];
  const resolveAt = (n: { timestamp: number | null; startOrEnd: 'start' | 'end' | null }): number | null =>
    n.timestamp ?? (n.startOrEnd === 'start' ? start : n.startOrEnd === 'end' ? end : null);
  const walk = (e: Expr, path: readonly SubqueryExpr[], evalRange: number): void => {
    switch (e.kind) {
      case 'VectorSelector': {
        let subqOffset = 0;
        let subqRange = 0;
        let subqTs: number | null = null;
        for (const sq of path) {
          subqOffset += sq.offset;
          subqRange += sq.range;
          const at = resolveAt(sq);
          if (at !== null) {
            subqOffset = sq.offset;
            subqRange = sq.range;
            subqTs = at;
          }
        }
        let s = subqTs ?? start;
        let t = subqTs ?? end;
        const at = resolveAt(e);
        if (at !== null) {
          s = at;
          t = at;
        } else {
          s -= subqOffset + subqRange;
          t -= subqOffset;
        }
        s -= evalRange === 0 ? lookback : evalRange;
        out.push({ vs: e, mint: s - e.offset, maxt: t - e.offset });
        return;
      }
      case 'MatrixSelector':
        walk(e.vectorSelector, path, e.range);
        return;
      case 'SubqueryExpr':
        walk(e.expr, [...path, e], 0);
        return;
      case 'NumberLiteral':
      case 'StringLiteral':
        return;
      case 'ParenExpr':
      case 'UnaryExpr':
        walk(e.expr, path, 0);
        return;
      case 'BinaryExpr':
        walk(e.lhs, path, 0);
        walk(e.rhs, path, 0);
        return;
      case 'AggregateExpr':
        if (e.param) walk(e.param, path, 0);
        walk(e.expr, path, 0);
        return;
      case 'Call':
        for (const a of e.args) walk(a, path, 0);
        return;
      default:
        assertNever(e);
    }
  };
  walk(expr, [], 0);
  return out;
}

function storageError(e: unknown): EngineError {
  if (e instanceof EngineError) return e;
  return new EngineError('internal', e instanceof Error ? e.message : String(e));
}

export class Engine {
  private readonly opts: Required<EngineOptions>;

  constructor(opts: EngineOptions) {
    this.opts = Object.freeze({ defaultSubqueryStepMs: 60_000, ...opts });
  }

  instantQuery(q: Queryable, query: string | Expr, timeMs: number, signal?: AbortSignal): Promise<QueryResult> {
    return this.exec(q, query, timeMs, timeMs, 1, true, signal);
  }

  rangeQuery(q: Queryable, query: string | Expr, startMs: number, endMs: number, stepMs: number, signal?: AbortSignal): Promise<QueryResult> {
    return this.exec(q, query, startMs, endMs, stepMs, false, signal);
  }

  private async exec(q: Queryable, query: string | Expr, start: number, end: number, step: number, instant: boolean, signal: AbortSignal | undefined): Promise<QueryResult> {
    const expr = typeof query === 'string' ? parseExpr(query) : query;
    if (!instant) {
      const t = typeOf(expr);
      if (t !== 'scalar' && t !== 'vector') throw new EngineError('bad_data', `invalid expression type "${documentedType(t)}" for range query, must be Scalar or instant Vector`);
      if (!(step > 0)) throw new EngineError('bad_data', 'zero or negative query resolution step widths are not accepted. Try a positive integer');
      if (end < start) throw new EngineError('bad_data', 'end timestamp must not be before start time');
    }
    const deadline = Date.now() + this.opts.timeoutMs;
    const checkDone = (env: string): void => {
      if (signal?.aborted) throw new EngineError('canceled', `query was canceled in ${env}`);
      if (Date.now() > deadline) throw new EngineError('timeout', `query timed out in ${env}`);
    };
    checkDone('query preparation');
    const ranges = selectorRanges(expr, start, end, this.opts.lookbackDeltaMs);
    const series = new Map<VectorSelector, LoadedSeries[]>();
    const warnings: string[] = [];
    if (ranges.length > 0) {
      const mint = Math.min(...ranges.map((r) => r.mint));
      const maxt = Math.max(...ranges.map((r) => r.maxt));
      let querier: Querier;
      try {
        querier = q.querier(mint, maxt);
      } catch (e) {
        throw storageError(e);
      }
      try {
        for (const r of ranges) {
          series.set(r.vs, await this.load(querier, r, warnings));
          checkDone('query preparation');
        }
      } finally {
        querier.close();
      }
    }
    const ctx = new EvalContext(this.opts.lookbackDeltaMs, this.opts.maxSamples, this.opts.defaultSubqueryStepMs, start, end, series, stepInvariantNodes(expr), deadline, signal);
    const ev = new Evaluator(ctx, start, end, step);
    const top = unwrapParens(expr);
    if (!instant && top.kind === 'VectorSelector' && top.timestamp === null && top.startOrEnd === null) return { value: selectorMatrix(ev, top), warnings };
    const value = ev.eval(expr);
    return { value: instant ? instantValue(value, start) : rangeValue(value, ev), warnings };
  }

  private async load(querier: Querier, r: SelectorRange, warnings: string[]): Promise<LoadedSeries[]> {
    let set;
    try {
      set = await querier.select(true, { start: r.mint, end: r.maxt }, r.vs.matchers);
    } catch (e) {
      throw storageError(e);
    }
    const out: LoadedSeries[] = [];
    // Every series is gathered in one reused buffer, then copied once into the query's pages.
    const buf = loadBuffer;
    const arena = new SampleArena();
    while (set.next()) {
      const s = set.at();
      buf.reset();
      // Sources holding chunks in time order fill the buffer in one call (no call per sample).
      const got = s.readInto ? s.readInto(buf, r.mint, r.maxt) : false;
      if (got instanceof Error) throw storageError(got);
      if (got === false) {
        buf.reset();
        const it = s.iterator();
        if (it.seek(r.mint)) {
          do {
            const t = it.atT();
            if (t > r.maxt) break;
            buf.pushValue(t, it.atV());
          } while (it.next());
        }
        const err = it.err();
        if (err) throw storageError(err);
      }
      const { ts, vs } = arena.copy(buf);
      out.push(withRangeView(s.labels, ts, vs, buf.stale));
    }
    if (buf.ts.length > MAX_KEPT_BUFFER) loadBuffer = new SampleBuffer(4096);
    const err = set.err();
    if (err) throw storageError(err);
    warnings.push(...set.warnings);
    return out;
  }
}

/** The load buffer, shared by queries (loading is synchronous per series); replaced when a huge series grew it past MAX_KEPT_BUFFER. */
let loadBuffer = new SampleBuffer(4096);
const MAX_KEPT_BUFFER = 1 << 20;

function instantValue(v: EvalValue, t: number): QueryValue {
  switch (v.kind) {
    case 'vector':
      return { type: 'vector', samples: (v.steps[0] ?? []).map((s) => ({ labels: s.labels, t, v: s.v })) };
    case 'scalar':
      return { type: 'scalar', t, v: v.vals[0] ?? NaN };
    case 'string':
      return { type: 'string', t, s: v.s };
    case 'matrix':
      return { type: 'matrix', series: v.series };
  }
}

/**
 * A range query of a plain selector (Grafana's raw-series panels): each series' points taken
 * straight from the selector's outputs, with the same sample accounting, but without a vector
 * per step in between.
 */
function selectorMatrix(ev: Evaluator, vs: VectorSelector): QueryValue {
  const out: SeriesPoints[] = [];
  ev.selectorOutputs(vs, {
    series(labels, vals, has) {
      const points: Point[] = [];
      for (let i = 0; i < ev.numSteps; i++) if (has[i] === 1) points.push({ t: ev.stepTime(i), v: vals[i]! });
      out.push({ labels, points });
    },
  });
  out.sort((a, b) => compareLabels(a.labels, b.labels));
  return { type: 'matrix', series: out };
}

/** A range query's matrix, its series sorted by labels as Prometheus's API returns them. */
function rangeValue(v: EvalValue, ev: Evaluator): QueryValue {
  const series: { labels: Labels; points: Point[] }[] = [];
  switch (v.kind) {
    case 'vector': {
      const byKey = new Map<string, { labels: Labels; points: Point[] }>();
      v.steps.forEach((vec, i) => {
        const t = ev.stepTime(i);
        for (const s of vec) {
          const k = labelsKey(s.labels);
          let ser = byKey.get(k);
          if (!ser) {
            ser = { labels: s.labels, points: [] };
            byKey.set(k, ser);
            series.push(ser);
          }
          ser.points.push({ t, v: s.v });
        }
      });
      break;
    }
    case 'scalar':
      series.push({ labels: [], points: Array.from(v.vals, (x, i) => ({ t: ev.stepTime(i), v: x })) });
      break;
    case 'string':
    case 'matrix':
      throw new EngineError('internal', `range query evaluated to a ${v.kind}`);
  }
  series.sort((a, b) => compareLabels(a.labels, b.labels));
  return { type: 'matrix', series: series as SeriesPoints[] };
}
