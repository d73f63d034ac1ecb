/**
 * What the evaluators of one query share: the loaded series, the step-invariant subtrees, the
 * deadline, and the count of samples held, kept as Prometheus 2.42 keeps currentSamples.
 */

import type { Expr, VectorSelector } from './ast.js';
import { EngineError, tooManySamples, type LoadedSeries } from './engine-types.js';

/** What all evaluators of one query share. */
export class EvalContext {
  /** Samples currently held in memory by the evaluation (Prometheus's currentSamples). */
  private current = 0;

  constructor(
    readonly lookbackDeltaMs: number,
    readonly maxSamples: number,
    readonly defaultSubqueryStepMs: number,
    readonly queryStart: number,
    readonly queryEnd: number,
    readonly series: ReadonlyMap<VectorSelector, LoadedSeries[]>,
    /** The step-invariant subtrees (engine-preprocess.ts), evaluated once and repeated. */
    readonly stepInvariant: ReadonlySet<Expr>,
    private readonly deadline: number,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /** Throws on timeout or cancellation. */
  check(): void {
    if (this.signal?.aborted) throw new EngineError('canceled', 'query was canceled in expression evaluation');
    if (Date.now() > this.deadline) throw new EngineError('timeout', 'query timed out in expression evaluation');
  }

  /** Samples held now (for a node to remember before evaluating its arguments). */
  get held(): number {
    return this.current;
  }

  /** Samples added one by one, each refused once the limit is reached (selectors, windows). */
  take(n: number): void {
    if (n > 0 && this.current + n > this.maxSamples) throw tooManySamples();
    this.current += n;
  }

  release(n: number): void {
    this.current -= n;
  }

  /**
   * Prometheus's rangeEval accounting, replayed after the node was computed: the arguments stay
   * counted; at each step the samples gathered from them are counted again, then the step's
   * output, which stays counted; at the end only the arguments' `original` count and the output remain.
   */
  rangeEval(original: number, numSteps: number, gathered: (step: number) => number, output: (step: number) => number): void {
    let temp = this.current;
    let total = 0;
    for (let i = 0; i < numSteps; i++) {
      this.current = temp;
      this.take(gathered(i));
      const r = output(i);
      this.current += r;
      temp += r;
      total += r;
      if (this.current > this.maxSamples) throw tooManySamples();
    }
    this.current = original + total;
  }

  /** The `@` time of a selector or subquery, or null. */
  atTime(n: { timestamp: number | null; startOrEnd: 'start' | 'end' | null }): number | null {
    if (n.timestamp !== null) return n.timestamp;
    if (n.startOrEnd === 'start') return this.queryStart;
    if (n.startOrEnd === 'end') return this.queryEnd;
    return null;
  }
}
