/**
 * Values and errors of the PromQL engine (after Prometheus 2.42's promql/value.go and the error
 * types of promql/engine.go). The public shapes are re-exported by engine.ts.
 */

import type { Labels } from '../tsdb/labels.js';

export type EngineErrorType = 'bad_data' | 'execution' | 'timeout' | 'canceled' | 'internal';

/** An evaluation error with the `errorType` Prometheus's HTTP API would answer. */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(
    readonly type: EngineErrorType,
    message: string,
  ) {
    super(message);
  }
}

export function tooManySamples(): EngineError {
  return new EngineError('execution', 'query processing would load too many samples into memory in query execution');
}

/** An execution error (Prometheus's ev.errorf and the panics of functions). */
export function execError(message: string): EngineError {
  return new EngineError('execution', message);
}

export interface Sample {
  readonly labels: Labels;
  readonly t: number;
  readonly v: number;
}

export interface Point {
  readonly t: number;
  readonly v: number;
}

export interface SeriesPoints {
  readonly labels: Labels;
  readonly points: readonly Point[];
}

export type QueryValue =
  | { readonly type: 'scalar'; readonly t: number; readonly v: number }
  | { readonly type: 'string'; readonly t: number; readonly s: string }
  | { readonly type: 'vector'; readonly samples: readonly Sample[] }
  | { readonly type: 'matrix'; readonly series: readonly SeriesPoints[] };

export interface QueryResult {
  readonly value: QueryValue;
  readonly warnings: readonly string[];
}

/** One element of an instant vector during evaluation (its timestamp is the step's). */
export interface VecSample {
  readonly labels: Labels;
  readonly v: number;
}

export type Vec = VecSample[];

/**
 * Receives the outputs of one input series at every step at once (range function results or a
 * selector's samples): `vals[i]` where `has[i] === 1`, for each step i. Series come in order, each
 * with its own label-set object; the arrays are reused for the next series.
 */
export interface SeriesSink {
  series(labels: Labels, vals: Float64Array, has: Uint8Array): void;
}

/** A sink that builds the vector of every step (the path when nothing folds the outputs). */
export class StepVectors implements SeriesSink {
  readonly steps: Vec[];

  constructor(numSteps: number) {
    this.steps = Array.from({ length: numSteps }, () => []);
  }

  series(labels: Labels, vals: Float64Array, has: Uint8Array): void {
    const steps = this.steps;
    for (let i = 0; i < steps.length; i++) if (has[i] === 1) steps[i]!.push({ labels, v: vals[i]! });
  }
}

/**
 * A series loaded into memory: timestamps and values side by side, stale markers kept (for
 * instant selection), and the same without stale markers (for range windows).
 */
export interface LoadedSeries {
  readonly labels: Labels;
  /** Typed arrays: their memory lies outside the JS heap, so loading millions of samples costs the collector little. */
  readonly ts: Float64Array;
  readonly vs: Float64Array;
  readonly rangeTs: Float64Array;
  readonly rangeVs: Float64Array;
  /**
   * 1 at the indexes of stale markers, or null when there are none. Kept beside the values
   * because a NaN's payload does not reliably survive being stored in a JS array (V8 may
   * canonicalise it once code is optimised), so `vs` alone cannot tell a stale marker from NaN.
   */
  readonly stale: Uint8Array | null;
}

/**
 * The value of a node over all steps of an evaluation:
 * vector — one Vec per step; scalar — one number per step; string; matrix — only for a range
 * vector at the top of an instant query.
 */
export type EvalValue =
  | { readonly kind: 'vector'; readonly steps: Vec[] }
  | { readonly kind: 'scalar'; readonly vals: Float64Array }
  | { readonly kind: 'string'; readonly s: string }
  | { readonly kind: 'matrix'; readonly series: SeriesPoints[] };
