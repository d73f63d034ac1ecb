/** A tenant's metric metadata: the latest distinct entries of each metric family, within limits. */

import type { MetricMetadata } from '../proto/write-batch.js';
import type { Limits } from '../util/limits.js';

export class MetadataStore {
  private readonly families = new Map<string, MetricMetadata[]>();

  /** Store `md`; returns the discard reason when a limit refuses it, else null. */
  add(md: MetricMetadata, limits: Limits): string | null {
    return this.insert(md, limits.max_metadata_per_user, limits.max_metadata_per_metric);
  }

  /** Store an entry replayed from the WAL (it was within the limits when it was logged). */
  restore(md: MetricMetadata): void {
    this.insert(md, 0, 0);
  }

  private insert(md: MetricMetadata, maxPerUser: number, maxPerMetric: number): string | null {
    let list = this.families.get(md.metricFamilyName);
    if (!list) {
      if (maxPerUser > 0 && this.families.size >= maxPerUser) return 'per_user_metadata_limit';
      list = [];
      this.families.set(md.metricFamilyName, list);
    }
    const i = list.findIndex((m) => m.type === md.type && m.help === md.help && m.unit === md.unit);
    if (i >= 0) {
      // Move to the end: the latest seen comes last.
      list.splice(i, 1);
      list.push(md);
      return null;
    }
    if (maxPerMetric > 0 && list.length >= maxPerMetric) return 'per_metric_metadata_limit';
    list.push(md);
    return null;
  }

  get(metric: string | null): MetricMetadata[] {
    if (metric !== null) return [...(this.families.get(metric) ?? [])].reverse();
    const out: MetricMetadata[] = [];
    for (const list of this.families.values()) for (let i = list.length - 1; i >= 0; i--) out.push(list[i]!);
    return out;
  }
}
