/**
 * How a tenant's rule groups reach the rest of Vigil: queries through the querier's engine over
 * the tenant's merged view, results pushed through the distributor (so validation and limits
 * apply to them as to any remote write), alerts handed to the notifier, templates expanded with
 * `query` answered by the same engine.
 */

import { encodeWriteRequestV1, type EncSeries } from '../proto/write-encoder.js';
import { decodeWriteRequestV1 } from '../proto/write-decoder.js';
import { WriteBatch } from '../proto/write-batch.js';
import type { Labels } from '../tsdb/labels.js';
import { STALE_NAN_HI, STALE_NAN_LO, type Queryable } from '../tsdb/storage.js';
import { type InstantEngine, instantVector } from './rules/query.js';
import type { AlertToSend, ExpandFunc, GroupContext, RuleSample } from './rules/types.js';
import { labelSetKey } from './rules/label-builder.js';

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** A remote write 1.0 batch of rule results, one series per label set, samples in time order. */
export function ruleSamplesBatch(samples: readonly RuleSample[]): WriteBatch {
  const bySeries = new Map<string, { labels: Labels; samples: { timestamp: number; value: number; valueBits: { hi: number; lo: number } }[] }>();
  for (const s of samples) {
    const key = labelSetKey(s.labels);
    let e = bySeries.get(key);
    if (!e) {
      e = { labels: s.labels, samples: [] };
      bySeries.set(key, e);
    }
    f64[0] = s.v;
    const bits = s.stale ? { lo: STALE_NAN_LO, hi: STALE_NAN_HI } : { lo: u32[0]!, hi: u32[1]! };
    e.samples.push({ timestamp: s.t, value: s.v, valueBits: bits });
  }
  const timeseries: EncSeries[] = [...bySeries.values()].map((e) => ({ labels: e.labels, samples: e.samples.sort((a, b) => a.timestamp - b.timestamp) }));
  const batch = new WriteBatch();
  const buf = encodeWriteRequestV1({ timeseries });
  batch.reset(buf, 1);
  decodeWriteRequestV1(buf, batch);
  return batch;
}

export interface TenantContextDeps {
  readonly engine: InstantEngine;
  readonly queryable: (tenant: string) => Queryable;
  /** Writes samples for the tenant; rejects with the reason when any was refused. */
  readonly push: (tenant: string, batch: WriteBatch) => Promise<void>;
  readonly notify: (tenant: string, alerts: readonly AlertToSend[]) => void;
  readonly expand: ExpandFunc;
  readonly externalURL: string;
  readonly externalLabels: Labels;
  readonly resendDelayMs: number;
  readonly outageToleranceMs: number;
  readonly forGracePeriodMs: number;
  readonly onError?: (tenant: string, rule: string, err: Error) => void;
}

export function tenantContext(tenant: string, deps: TenantContextDeps): GroupContext {
  const q = deps.queryable(tenant);
  const query = (expr: string, t: number, signal?: AbortSignal): Promise<RuleSample[]> => instantVector(deps.engine, q, expr, t, signal);
  return {
    query,
    append: async (samples) => {
      if (samples.length > 0) await deps.push(tenant, ruleSamplesBatch(samples));
    },
    notify: (_expr, alerts) => deps.notify(tenant, alerts),
    expand: deps.expand,
    queryable: q,
    externalLabels: deps.externalLabels,
    externalURL: deps.externalURL,
    resendDelayMs: deps.resendDelayMs,
    outageToleranceMs: deps.outageToleranceMs,
    forGracePeriodMs: deps.forGracePeriodMs,
    ...(deps.onError ? { onError: (rule: string, err: Error) => deps.onError!(tenant, rule, err) } : {}),
  };
}
