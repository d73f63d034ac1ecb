/**
 * The ingester-access seam. The distributor and querier talk to ingesters only through this
 * interface: in one process through the in-process implementation, across processes (later)
 * through HTTP with remote-write and remote-read bodies.
 */

import type { MetricMetadata, WriteBatch } from '../proto/write-batch.js';
import type { Labels } from '../tsdb/labels.js';
import type { Matcher } from '../tsdb/matchers.js';
import type { SeriesSet } from '../tsdb/storage.js';
import type { SeriesExemplars } from './exemplars.js';

/** The series of one batch that this ingester should store: `series[0..seriesCount)` index into `batch`. */
export interface IngesterPush {
  readonly batch: WriteBatch;
  readonly series: Uint32Array;
  readonly seriesCount: number;
  /** Metadata routed to this ingester. */
  readonly metadata: readonly MetricMetadata[];
}

/** A rejected-sample failure reported by an ingester; the rest of the push was stored. */
export interface IngesterPushError {
  /** 400 for bad data, 429 for limits, 5xx when the ingester failed. */
  readonly status: number;
  readonly reason: string;
  readonly message: string;
}

export interface IngesterPushResult {
  readonly samplesAppended: number;
  readonly samplesDiscarded: number;
  readonly exemplarsAppended: number;
  /** The first error met, or null when everything was stored. */
  readonly firstError: IngesterPushError | null;
}

export interface IngesterClient {
  push(tenant: string, req: IngesterPush, signal?: AbortSignal): Promise<IngesterPushResult>;
  select(tenant: string, mint: number, maxt: number, matchers: readonly Matcher[]): Promise<SeriesSet>;
  /** Label sets of series matching any of the matcher sets with samples in [mint, maxt]. */
  series(tenant: string, mint: number, maxt: number, matcherSets: readonly (readonly Matcher[])[]): Promise<Labels[]>;
  labelNames(tenant: string, mint: number, maxt: number, matchers: readonly Matcher[]): Promise<string[]>;
  labelValues(tenant: string, name: string, mint: number, maxt: number, matchers: readonly Matcher[]): Promise<string[]>;
  metadata(tenant: string, metric: string | null): Promise<MetricMetadata[]>;
  /** Exemplars in [start, end] of the series matching any of the matcher sets, series sorted by labels. */
  exemplars(tenant: string, start: number, end: number, matcherSets: readonly (readonly Matcher[])[]): Promise<SeriesExemplars[]>;
}
