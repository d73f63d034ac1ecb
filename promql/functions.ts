/**
 * Every PromQL function and aggregation operator of Prometheus 2.42, as one data table
 * (promql/parser/functions.go). `variadic` follows Prometheus: 0 = exactly `argTypes.length`
 * arguments; n > 0 = the last n argument(s) may be left out (all of the last type);
 * -1 = the last argument type may repeat without bound (label_join).
 */

import type { AggregateOp, ValueType } from './ast.js';

export interface FunctionDef {
  readonly name: string;
  readonly argTypes: readonly ValueType[];
  readonly variadic: number;
  readonly returnType: ValueType;
  /**
   * Behind a feature flag. Prometheus 2.42 gates no function; the native-histogram functions
   * (histogram_count, histogram_sum, histogram_fraction) parse without one and are marked
   * `nativeHistogram` instead.
   */
  readonly experimental: boolean;
  /** Operates on native histograms only (not supported by Vigil's engine). */
  readonly nativeHistogram: boolean;
}

type Row = readonly [name: string, args: string, returns: 's' | 'v', variadic?: number, flags?: 'nh'];

// args: one letter per argument — v instant vector, m range vector, s scalar, S string.
const ROWS: readonly Row[] = [
  ['abs', 'v', 'v'],
  ['absent', 'v', 'v'],
  ['absent_over_time', 'm', 'v'],
  ['acos', 'v', 'v'],
  ['acosh', 'v', 'v'],
  ['asin', 'v', 'v'],
  ['asinh', 'v', 'v'],
  ['atan', 'v', 'v'],
  ['atanh', 'v', 'v'],
  ['avg_over_time', 'm', 'v'],
  ['ceil', 'v', 'v'],
  ['changes', 'm', 'v'],
  ['clamp', 'vss', 'v'],
  ['clamp_max', 'vs', 'v'],
  ['clamp_min', 'vs', 'v'],
  ['cos', 'v', 'v'],
  ['cosh', 'v', 'v'],
  ['count_over_time', 'm', 'v'],
  ['days_in_month', 'v', 'v', 1],
  ['day_of_month', 'v', 'v', 1],
  ['day_of_week', 'v', 'v', 1],
  ['day_of_year', 'v', 'v', 1],
  ['deg', 'v', 'v'],
  ['delta', 'm', 'v'],
  ['deriv', 'm', 'v'],
  ['exp', 'v', 'v'],
  ['floor', 'v', 'v'],
  ['histogram_count', 'v', 'v', 0, 'nh'],
  ['histogram_sum', 'v', 'v', 0, 'nh'],
  ['histogram_fraction', 'ssv', 'v', 0, 'nh'],
  ['histogram_quantile', 'sv', 'v'],
  ['holt_winters', 'mss', 'v'],
  ['hour', 'v', 'v', 1],
  ['idelta', 'm', 'v'],
  ['increase', 'm', 'v'],
  ['irate', 'm', 'v'],
  ['label_replace', 'vSSSS', 'v'],
  ['label_join', 'vSSS', 'v', -1],
  ['last_over_time', 'm', 'v'],
  ['ln', 'v', 'v'],
  ['log10', 'v', 'v'],
  ['log2', 'v', 'v'],
  ['max_over_time', 'm', 'v'],
  ['min_over_time', 'm', 'v'],
  ['minute', 'v', 'v', 1],
  ['month', 'v', 'v', 1],
  ['pi', '', 's'],
  ['predict_linear', 'ms', 'v'],
  ['present_over_time', 'm', 'v'],
  ['quantile_over_time', 'sm', 'v'],
  ['rad', 'v', 'v'],
  ['rate', 'm', 'v'],
  ['resets', 'm', 'v'],
  ['round', 'vs', 'v', 1],
  ['scalar', 'v', 's'],
  ['sgn', 'v', 'v'],
  ['sin', 'v', 'v'],
  ['sinh', 'v', 'v'],
  ['sort', 'v', 'v'],
  ['sort_desc', 'v', 'v'],
  ['sqrt', 'v', 'v'],
  ['stddev_over_time', 'm', 'v'],
  ['stdvar_over_time', 'm', 'v'],
  ['sum_over_time', 'm', 'v'],
  ['tan', 'v', 'v'],
  ['tanh', 'v', 'v'],
  ['time', '', 's'],
  ['timestamp', 'v', 'v'],
  ['vector', 's', 'v'],
  ['year', 'v', 'v', 1],
];

const ARG: Readonly<Record<string, ValueType>> = { v: 'vector', m: 'matrix', s: 'scalar', S: 'string' };

/** All functions by name. */
export const FUNCTIONS: ReadonlyMap<string, FunctionDef> = new Map(
  ROWS.map(([name, args, ret, variadic = 0, flags]) => [
    name,
    Object.freeze({
      name,
      argTypes: Object.freeze([...args].map((c) => ARG[c] as ValueType)),
      variadic,
      returnType: ret === 's' ? 'scalar' : 'vector',
      experimental: false,
      nativeHistogram: flags === 'nh',
    } satisfies FunctionDef),
  ]),
);

export function getFunction(name: string): FunctionDef | undefined {
  return FUNCTIONS.get(name);
}

export interface AggregationDef {
  readonly op: AggregateOp;
  /** The type of the first argument, for the operators that take a parameter. */
  readonly paramType: ValueType | null;
}

/** The aggregation operators, in Prometheus's order. */
export const AGGREGATIONS: ReadonlyMap<AggregateOp, AggregationDef> = new Map(
  (
    [
      ['sum', null],
      ['avg', null],
      ['count', null],
      ['min', null],
      ['max', null],
      ['group', null],
      ['stddev', null],
      ['stdvar', null],
      ['topk', 'scalar'],
      ['bottomk', 'scalar'],
      ['quantile', 'scalar'],
      ['count_values', 'string'],
    ] as const
  ).map(([op, paramType]) => [op, Object.freeze({ op, paramType })]),
);

export function isAggregateOp(s: string): s is AggregateOp {
  return AGGREGATIONS.has(s as AggregateOp);
}
