/** Options of the querier. */

import { opt } from '../util/options.js';

export const querierBlock = {
  max_samples: opt('int', 'querier.max-samples', 50_000_000, 'Most samples one query may load into memory (PromQL evaluation, one remote read request); past it the query fails.'),
  max_concurrent: opt('int', 'querier.max-concurrent', 20, 'Queries evaluated at once; the others wait their turn.'),
  timeout: opt('duration', 'querier.timeout', 120_000, 'Longest a query may run; a shorter `timeout` parameter of a request wins.'),
  lookback_delta: opt('duration', 'querier.lookback-delta', 300_000, 'How far back an instant vector selector looks for the latest sample of a series.'),
  query_ingesters_within: opt('duration', 'querier.query-ingesters-within', 13 * 3600_000, 'Ingesters are asked only for the part of a query within this long of now (0: always asked); keep it above -querier.query-store-after.'),
  query_store_after: opt('duration', 'querier.query-store-after', 12 * 3600_000, 'The bucket is read only for the part of a query older than this (0: always read); ingesters hold what is newer.'),
} as const;
