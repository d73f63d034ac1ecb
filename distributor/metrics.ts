/** Metrics shared by the distributor and the ingesters when they run in one process. */

import { Counter, type Registry } from 'prom-client';

/** `vigil_discarded_samples_total{reason,user}`: one counter per registry, whoever asks first creates it. */
export function discardedSamplesCounter(registry: Registry): Counter<'reason' | 'user'> {
  const name = 'vigil_discarded_samples_total';
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<'reason' | 'user'>;
  return new Counter({ name, help: 'Samples refused, by reason.', labelNames: ['reason', 'user'], registers: [registry] });
}
