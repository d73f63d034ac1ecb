/**
 * The one implementation table of PromQL functions, keyed by name: each entry says how the
 * evaluator calls it — over a range vector window per series and step, per step over instant
 * vectors and scalars, or per step to a scalar. Every function of functions.ts has an entry
 * (functions-table.test.ts checks it).
 */

import { INSTANT_FUNCTIONS, SCALAR_FUNCTIONS, type InstantFn, type ScalarFn } from './functions-impl.js';
import { RANGE_FUNCTIONS, type RangeFn } from './functions-range.js';

export type FunctionImpl =
  | { readonly kind: 'range'; readonly fn: RangeFn }
  | { readonly kind: 'instant'; readonly fn: InstantFn }
  | { readonly kind: 'scalar'; readonly fn: ScalarFn };

export const FUNCTION_IMPLS: ReadonlyMap<string, FunctionImpl> = new Map<string, FunctionImpl>([
  ...[...RANGE_FUNCTIONS].map(([name, fn]): [string, FunctionImpl] => [name, { kind: 'range', fn }]),
  ...[...INSTANT_FUNCTIONS].map(([name, fn]): [string, FunctionImpl] => [name, { kind: 'instant', fn }]),
  ...[...SCALAR_FUNCTIONS].map(([name, fn]): [string, FunctionImpl] => [name, { kind: 'scalar', fn }]),
]);
