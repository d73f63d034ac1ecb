/** Options of the querier. */

import { opt } from '../util/options.js';

export const querierBlock = {
  max_samples: opt('int', 'querier.max-samples', 50_000_000, 'Most samples one query may load into memory (PromQL evaluation, one remote read request); past it the query fails.'),
} as const;
