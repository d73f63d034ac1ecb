/** Metrics shared by the distributor and the ingesters when they run in one process. */

import { Counter, type Registry } from 'prom-client';

function sharedCounter(registry: Registry, name: string, help: string): Counter<'reason' | 'user'> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<'reason' | 'user'>;
  return new Counter({ name, help, labelNames: ['reason', 'user'], registers: [registry] });
}

/** `vigil_discarded_samples_total{reason,user}`: one counter per registry, whoever asks first creates it. */
export function discardedSamplesCounter(registry: Registry): Counter<'reason' | 'user'> {
  return sharedCounter(registry, 'vigil_discarded_samples_total', 'Samples refused, by reason.');
}

/** `vigil_discarded_metadata_total{reason,user}`, shared the same way. */
export function discardedMetadataCounter(registry: Registry): Counter<'reason' | 'user'> {
  return sharedCounter(registry, 'vigil_discarded_metadata_total', 'Metadata entries refused, by reason.');
}

/** `vigil_discarded_exemplars_total{reason,user}`, shared the same way. */
export function discardedExemplarsCounter(registry: Registry): Counter<'reason' | 'user'> {
  return sharedCounter(registry, 'vigil_discarded_exemplars_total', 'Exemplars refused, by reason.');
}
