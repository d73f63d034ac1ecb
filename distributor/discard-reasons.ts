/**
 * The `reason` label values of `vigil_discarded_samples_total`, `vigil_discarded_metadata_total` and `vigil_discarded_exemplars_total`
 * written by the distributor. They are Cortex's values, so dashboards and alerts written for
 * `cortex_discarded_samples_total{reason=...}` keep working; users alert on them, so never rename one.
 */

export const DiscardReason = {
  /** No `__name__` label, or no labels at all. */
  missingMetricName: 'missing_metric_name',
  metricNameInvalid: 'metric_name_invalid',
  maxLabelNamesPerSeries: 'max_label_names_per_series',
  labelInvalid: 'label_invalid',
  labelNameTooLong: 'label_name_too_long',
  labelValueTooLong: 'label_value_too_long',
  /** Vigil's addition (Mimir's value): a label value that is not well-formed UTF-8. */
  labelValueInvalid: 'label_value_invalid',
  duplicateLabelNames: 'duplicate_label_names',
  /**
   * Cortex's reason for unsorted label names. The distributor sorts labels instead of refusing them
   * (as Cortex does before validating), so it never reports this one; it is kept for the catalogue.
   */
  labelsNotSorted: 'labels_not_sorted',
  labelsSizeBytesExceeded: 'labels_size_bytes_exceeded',
  greaterThanMaxSampleAge: 'greater_than_max_sample_age',
  tooFarInFuture: 'too_far_in_future',
  rateLimited: 'rate_limited',
  /** Native histogram samples: not stored yet, so dropped and counted (the float samples are kept). */
  nativeHistogramSample: 'native_histogram_sample',
  tooManyHaClusters: 'too_many_ha_clusters',
  // Exemplars only (vigil_discarded_exemplars_total).
  exemplarLabelsMissing: 'exemplar_labels_missing',
  exemplarLabelsTooLong: 'exemplar_labels_too_long',
  exemplarTimestampInvalid: 'exemplar_timestamp_invalid',
  // Metadata only.
  metadataMetricNameTooLong: 'metric_name_too_long',
  helpTooLong: 'help_too_long',
  unitTooLong: 'unit_too_long',
} as const;

export type DiscardReason = (typeof DiscardReason)[keyof typeof DiscardReason];
