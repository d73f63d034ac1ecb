/**
 * `/api/v1/query_exemplars` as Prometheus 2.42 serves it: the query's selectors (every vector
 * selector of the expression, ranges and subqueries included) pick the series, `start` and `end`
 * (RFC 3339 or float seconds; open when absent) bound the exemplars, and the answer lists each
 * series with its exemplars in time order, series sorted by labels. An expression without
 * selectors has no answer: 204 No Content, as Prometheus gives. Exemplars are held by the
 * ingesters only.
 */

import { type Expr, children } from '../promql/ast.js';
import { formatSampleValue } from '../promql/literals.js';
import { parseExpr } from '../promql/parser.js';
import { labelsToRecord } from '../tsdb/labels.js';
import type { Matcher } from '../tsdb/matchers.js';
import { valueFromBits } from '../tsdb/storage.js';
import { VigilError } from '../util/errors.js';
import type { SeriesMetadataReader } from './ingester-reader.js';
import { type Params, badParam, one, startEnd } from './params.js';

export interface ExemplarJson {
  readonly seriesLabels: Record<string, string>;
  readonly exemplars: { labels: Record<string, string>; value: string; timestamp: number }[];
}

/** Prometheus's parser.ExtractSelectors: the matchers of every vector selector, depth first. */
export function extractSelectors(expr: Expr): Matcher[][] {
  const out: Matcher[][] = [];
  const walk = (e: Expr): void => {
    if (e.kind === 'VectorSelector') out.push(e.matchers);
    for (const c of children(e)) walk(c);
  };
  walk(expr);
  return out;
}

/** The answer's data; undefined when the expression has no selector (answered 204). */
export async function queryExemplars(reader: SeriesMetadataReader, tenant: string, q: Params): Promise<ExemplarJson[] | undefined> {
  const { start, end } = startEnd(q);
  if (end < start) throw badParam('end timestamp must not be before start timestamp');
  let expr: Expr;
  try {
    expr = parseExpr(one(q, 'query') ?? '');
  } catch (e) {
    throw new VigilError('bad-query-param', (e as Error).message);
  }
  const selectors = extractSelectors(expr);
  if (selectors.length === 0) return undefined;
  const found = await reader.exemplars(tenant, start, end, selectors);
  return found.map((s) => ({
    seriesLabels: labelsToRecord(s.seriesLabels),
    exemplars: s.exemplars.map((e) => ({ labels: labelsToRecord(e.labels), value: formatSampleValue(valueFromBits(e.hi, e.lo)), timestamp: e.t / 1000 })),
  }));
}
