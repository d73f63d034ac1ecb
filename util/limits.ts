/**
 * Per-tenant limits (Cortex's `limits` block). Defaults come from flags/YAML; a runtime file
 * lists only what differs per tenant (util/runtime-config.ts). Every limit has one accessor on
 * the frozen Limits object the Overrides seam returns.
 */

import { type BlockValue, opt } from './options.js';

export const limitsBlock = {
  ingestion_rate: opt('float', 'distributor.ingestion-rate-limit', 25000, 'Samples per second a tenant may push (token bucket refill rate).'),
  ingestion_burst_size: opt('int', 'distributor.ingestion-burst-size', 50000, 'Samples a tenant may push at once above its rate (token bucket size).'),
  max_label_name_length: opt('int', 'validation.max-length-label-name', 1024, 'Longest label name accepted, in bytes.'),
  max_label_value_length: opt('int', 'validation.max-length-label-value', 2048, 'Longest label value accepted, in bytes; the metric name counts as a value.'),
  max_label_names_per_series: opt('int', 'validation.max-label-names-per-series', 30, 'Most labels a series may carry, the metric name included.'),
  max_labels_size_bytes: opt('int', 'validation.max-labels-size-bytes', 0, 'Largest encoded size of a series\' labels (names, values and their protobuf framing), in bytes; 0 means no limit.'),
  max_metadata_length: opt('int', 'validation.max-metadata-length', 1024, 'Longest metric family name, HELP or UNIT text accepted in metadata, in bytes.'),
  reject_old_samples: opt('bool', 'validation.reject-old-samples', false, 'Refuse samples older than -validation.reject-old-samples.max-age.'),
  reject_old_samples_max_age: opt('duration', 'validation.reject-old-samples.max-age', 14 * 24 * 3600_000, 'How old a sample may be when -validation.reject-old-samples is on.'),
  creation_grace_period: opt('duration', 'validation.create-grace-period', 10 * 60_000, 'How far ahead of the receiver\'s clock a sample may be stamped.'),
  max_series_per_user: opt('int', 'ingester.max-series-per-user', 5_000_000, 'Most in-memory series a tenant may have on one ingester; 0 means no limit.'),
  max_series_per_metric: opt('int', 'ingester.max-series-per-metric', 50_000, 'Most in-memory series one metric name may have per tenant on one ingester; 0 means no limit.'),
  max_metadata_per_user: opt('int', 'ingester.max-metadata-per-user', 8000, 'Most metric families with metadata a tenant may have on one ingester; 0 means no limit.'),
  max_metadata_per_metric: opt('int', 'ingester.max-metadata-per-metric', 10, 'Most distinct metadata entries one metric family may have on one ingester; 0 means no limit.'),
  max_exemplars: opt('int', 'ingester.max-exemplars', 0, 'Exemplars an ingester keeps in memory per tenant (a circular buffer: the newest overwrite the oldest); 0 stores none and query_exemplars answers nothing.'),
  max_query_length: opt('duration', 'store.max-query-length', 0, 'Longest time range a range query may cover; 0 means no limit.'),
  max_query_lookback: opt('duration', 'querier.max-query-lookback', 0, 'How far back queries may read: earlier parts of a range are cut off; 0 means no limit.'),
  max_fetched_series_per_query: opt('int', 'querier.max-fetched-series-per-query', 0, 'Most distinct series one query may fetch from ingesters and the bucket together; past it the query fails (422). 0 means no limit.'),
  max_fetched_chunks_per_query: opt('int', 'querier.max-fetched-chunks-per-query', 2_000_000, 'Most chunks one query may fetch from ingesters and the bucket together, replicas included; past it the query fails (422). 0 means no limit.'),
  max_query_parallelism: opt('int', 'querier.max-query-parallelism', 14, 'Most split queries of one query the query-frontend runs in parallel.'),
  max_cache_freshness: opt('duration', 'frontend.max-cache-freshness', 60_000, 'Results newer than this are never cached by the query-frontend (they may still change).'),
  ruler_max_rule_groups_per_tenant: opt('int', 'ruler.max-rule-groups-per-tenant', 70, 'Most rule groups a tenant may have; the rules API refuses more. 0 means no limit.'),
  ruler_max_rules_per_rule_group: opt('int', 'ruler.max-rules-per-rule-group', 20, 'Most rules one rule group may hold; the rules API refuses more. 0 means no limit.'),
} as const;

export type Limits = BlockValue<typeof limitsBlock>;

/** The limits seam: a tenant's effective limits, reloaded at runtime. */
export interface Overrides {
  forTenant(tenant: string): Limits;
}

/** Overrides that give every tenant the same limits (tests and `-runtime-config.file` unset). */
export class StaticOverrides implements Overrides {
  constructor(private readonly limits: Limits) {}
  forTenant(): Limits {
    return this.limits;
  }
}
