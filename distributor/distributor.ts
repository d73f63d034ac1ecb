/**
 * The distributor's write path, one ordered list of steps:
 *   1. count what arrived                     (vigil_distributor_samples_in_total)
 *   2. validate every series, its samples and exemplars (invalid ones are dropped and counted by reason)
 *   3. validate metadata
 *   4. the tenant's ingestion rate limit      (all or nothing → 429)
 *   5. hash each series onto the ring and push each ingester its share in parallel
 *   6. a series is stored when a quorum of its replicas acknowledged it
 * Every valid series is stored even when others are rejected; the answer carries the first error.
 */

import { Counter, type Registry } from 'prom-client';
import type { IngesterClient, IngesterPushResult } from '../ingester/client.js';
import type { MetricMetadata, WriteBatch } from '../proto/write-batch.js';
import type { ClientPool } from '../ring/client-pool.js';
import type { InstanceDesc } from '../ring/model.js';
import { type Ring, RingError, fnv1a32 } from '../ring/ring.js';
import { VigilError } from '../util/errors.js';
import type { Overrides } from '../util/limits.js';
import { DiscardReason } from './discard-reasons.js';
import { discardedExemplarsCounter, discardedMetadataCounter, discardedSamplesCounter } from './metrics.js';
import type { RateLimiter } from './rate-limit.js';
import { type ValidationError, newSeriesResult, validateMetadata, validateSeries } from './validate.js';
import { type ExemplarsResult, validateExemplars } from './validate-exemplars.js';

export interface DistributorOptions {
  readonly ring: Ring;
  readonly pool: ClientPool<IngesterClient>;
  readonly overrides: Overrides;
  readonly rateLimiter: RateLimiter;
  readonly registry: Registry;
  readonly remoteTimeoutMs: number;
  readonly now?: () => number;
}

export interface PushOutcome {
  readonly samplesWritten: number;
  readonly histogramsWritten: number;
  readonly exemplarsWritten: number;
  /** Null when everything was stored. */
  readonly error: VigilError | null;
}

interface InstanceShare {
  readonly inst: InstanceDesc;
  series: Uint32Array;
  count: number;
  metadata: MetricMetadata[];
}

export class Distributor {
  private readonly now: () => number;
  private readonly samplesIn: Counter<'user'>;
  private readonly received: Counter<'user'>;
  private readonly metadataIn: Counter<'user'>;
  private readonly receivedMetadata: Counter<'user'>;
  private readonly discarded: Counter<'reason' | 'user'>;
  private readonly discardedMetadata: Counter<'reason' | 'user'>;
  private readonly discardedExemplars: Counter<'reason' | 'user'>;

  constructor(private readonly opts: DistributorOptions) {
    this.now = opts.now ?? Date.now;
    const r = [opts.registry];
    this.samplesIn = new Counter({ name: 'vigil_distributor_samples_in_total', help: 'Samples received by the distributor, before validation.', labelNames: ['user'], registers: r });
    this.received = new Counter({ name: 'vigil_distributor_received_samples_total', help: 'Samples that passed validation and limits and were sent to ingesters.', labelNames: ['user'], registers: r });
    this.metadataIn = new Counter({ name: 'vigil_distributor_metadata_in_total', help: 'Metadata entries received by the distributor, before validation.', labelNames: ['user'], registers: r });
    this.receivedMetadata = new Counter({ name: 'vigil_distributor_received_metadata_total', help: 'Metadata entries that passed validation and limits.', labelNames: ['user'], registers: r });
    this.discarded = discardedSamplesCounter(opts.registry);
    this.discardedMetadata = discardedMetadataCounter(opts.registry);
    this.discardedExemplars = discardedExemplarsCounter(opts.registry);
  }

  async push(tenant: string, batch: WriteBatch): Promise<PushOutcome> {
    const limits = this.opts.overrides.forTenant(tenant);
    const now = this.now();
    this.samplesIn.inc({ user: tenant }, batch.sampleTotal);
    if (batch.metadata.length > 0) this.metadataIn.inc({ user: tenant }, batch.metadata.length);

    // 2. Validate series; keep the indices of valid ones.
    let firstError: ValidationError | null = null;
    const discards = new Map<string, number>();
    const discard = (reason: string, n: number): void => {
      if (n > 0) discards.set(reason, (discards.get(reason) ?? 0) + n);
    };
    const keep = new Uint32Array(batch.seriesCount);
    let kept = 0;
    let validSamples = 0;
    let validExemplars = 0;
    const res = newSeriesResult();
    const exRes: ExemplarsResult = { error: null, kept: 0, discarded: new Map() };
    for (let i = 0; i < batch.seriesCount; i++) {
      validateSeries(batch, i, limits, now, res);
      if (res.error) {
        firstError ??= res.error;
        discard(res.error.reason, res.discarded);
      }
      // Exemplars of a series whose labels were refused go with it; otherwise each is judged alone.
      let exemplars = 0;
      if (batch.exemplarCount[i]! > 0) {
        if (!res.labelsValid) exRes.discarded.set(res.error!.reason, (exRes.discarded.get(res.error!.reason) ?? 0) + batch.exemplarCount[i]!);
        else {
          validateExemplars(batch, i, exRes);
          if (exRes.error) firstError ??= exRes.error;
          exemplars = exRes.kept;
        }
      }
      if (res.kept > 0 || exemplars > 0) {
        keep[kept++] = i;
        validSamples += res.kept;
        validExemplars += exemplars;
      }
    }
    for (const [reason, n] of exRes.discarded) this.discardedExemplars.inc({ reason, user: tenant }, n);

    // Native histograms are not stored yet (floats only): count them as discarded, answer
    // success for the rest, and report 0 written in the 2.0 headers.
    if (batch.histogramTotal > 0) discard(DiscardReason.nativeHistogramSample, batch.histogramTotal);

    // 3. Metadata.
    const metadata: MetricMetadata[] = [];
    for (const md of batch.metadata) {
      const err = validateMetadata(md, limits);
      if (err) {
        firstError ??= err;
        this.discardedMetadata.inc({ reason: err.reason, user: tenant });
      } else metadata.push(md);
    }

    // 4. Rate limit, on what survived validation (exemplars count as samples do, as in Cortex).
    const rl = this.opts.rateLimiter.allow(tenant, now, validSamples + validExemplars, metadata.length, limits);
    if (rl !== null) {
      discard(DiscardReason.rateLimited, validSamples);
      if (validExemplars > 0) this.discardedExemplars.inc({ reason: DiscardReason.rateLimited, user: tenant }, validExemplars);
      if (metadata.length > 0) this.discardedMetadata.inc({ reason: DiscardReason.rateLimited, user: tenant }, metadata.length);
      this.flushDiscards(tenant, discards);
      return { samplesWritten: 0, histogramsWritten: 0, exemplarsWritten: 0, error: new VigilError('rate-limited', rl) };
    }
    this.flushDiscards(tenant, discards);
    if (validSamples > 0) this.received.inc({ user: tenant }, validSamples);
    if (metadata.length > 0) this.receivedMetadata.inc({ user: tenant }, metadata.length);
    if (kept === 0 && metadata.length === 0) {
      return { samplesWritten: 0, histogramsWritten: 0, exemplarsWritten: 0, error: firstError ? this.validationError(firstError) : null };
    }

    // 5. Route and send.
    let shares: Map<string, InstanceShare>;
    let need: Uint8Array;
    try {
      ({ shares, need } = this.route(tenant, batch, keep, kept, metadata));
    } catch (e) {
      if (e instanceof RingError) throw new VigilError('ring-unavailable', e.message);
      throw e;
    }
    const results = await Promise.all(
      [...shares.values()].map(async (s) => {
        try {
          const r = await this.sendWithTimeout(tenant, batch, s);
          return { share: s, result: r, failure: null as Error | null };
        } catch (e) {
          return { share: s, result: null, failure: e instanceof Error ? e : new Error(String(e)) };
        }
      }),
    );

    // 6. Quorum per series: a series counts once `need[i]` of its replicas answered.
    let serverFailure: Error | null = null;
    let ingesterError: VigilError | null = null;
    const acks = new Uint8Array(batch.seriesCount);
    let written = 0;
    let exemplarsWritten = 0;
    for (const { share, result, failure } of results) {
      if (failure) {
        serverFailure ??= failure;
        continue;
      }
      for (let k = 0; k < share.count; k++) acks[share.series[k]!]!++;
      if (result?.firstError && !ingesterError) {
        ingesterError = new VigilError(
          result.firstError.status === 429 ? 'rate-limited' : 'validation',
          result.firstError.message,
          result.firstError.status,
        );
      }
      written = Math.max(written, result?.samplesAppended ?? 0);
      exemplarsWritten = Math.max(exemplarsWritten, result?.exemplarsAppended ?? 0);
    }
    for (let k = 0; k < kept; k++) {
      const i = keep[k]!;
      if (acks[i]! < need[i]!) {
        const cause = serverFailure?.message ?? 'no ingester acknowledged the series';
        return {
          samplesWritten: written,
          histogramsWritten: 0,
          exemplarsWritten,
          error: new VigilError('ingester-failed', `failed pushing to ingester: ${cause}`),
        };
      }
    }
    const error = firstError ? this.validationError(firstError) : ingesterError;
    return { samplesWritten: written, histogramsWritten: 0, exemplarsWritten, error };
  }

  private validationError(e: ValidationError): VigilError {
    return new VigilError('validation', e.message, e.status);
  }

  private flushDiscards(tenant: string, discards: Map<string, number>): void {
    for (const [reason, n] of discards) this.discarded.inc({ reason, user: tenant }, n);
  }

  /** Group series (and metadata) per ingester; `need[i]` is series i's write quorum. */
  private route(
    tenant: string,
    batch: WriteBatch,
    keep: Uint32Array,
    kept: number,
    metadata: readonly MetricMetadata[],
  ): { shares: Map<string, InstanceShare>; need: Uint8Array } {
    const shares = new Map<string, InstanceShare>();
    const need = new Uint8Array(batch.seriesCount);
    const shareOf = (inst: InstanceDesc): InstanceShare => {
      let s = shares.get(inst.id);
      if (!s) {
        s = { inst, series: new Uint32Array(kept), count: 0, metadata: [] };
        shares.set(inst.id, s);
      }
      return s;
    };
    // One ingester (the single binary): it owns every series; no hashing needed.
    const sole = this.opts.ring.soleOwner('write');
    if (sole) {
      const inst = sole.instances[0]!;
      shares.set(inst.id, { inst, series: keep, count: kept, metadata: [...metadata] });
      need.fill(sole.minSuccess);
      return { shares, need };
    }
    const tenantHash = fnv1a32(Buffer.from(tenant), 0, Buffer.byteLength(tenant));
    const buf = batch.buf;
    const pos = batch.labelPos;
    for (let k = 0; k < kept; k++) {
      const i = keep[k]!;
      // Hash tenant and every label (name, 0xff, value, 0xff), straight from the request bytes.
      let h = tenantHash;
      const l0 = batch.labelStart[i]!;
      for (let j = l0, end = l0 + batch.labelCount[i]!; j < end; j++) {
        h = fnv1a32(buf, pos[4 * j]!, pos[4 * j + 1]!, h);
        h = Math.imul(h ^ 0xff, 0x01000193) >>> 0;
        h = fnv1a32(buf, pos[4 * j + 2]!, pos[4 * j + 3]!, h);
        h = Math.imul(h ^ 0xff, 0x01000193) >>> 0;
      }
      const rs = this.opts.ring.get(h, 'write');
      need[i] = rs.minSuccess;
      for (const inst of rs.instances) {
        const s = shareOf(inst);
        s.series[s.count++] = i;
      }
    }
    for (const md of metadata) {
      const rs = this.opts.ring.get(fnv1a32(Buffer.from(md.metricFamilyName), 0, Buffer.byteLength(md.metricFamilyName), tenantHash), 'write');
      for (const inst of rs.instances) shareOf(inst).metadata.push(md);
    }
    return { shares, need };
  }

  private async sendWithTimeout(tenant: string, batch: WriteBatch, s: InstanceShare): Promise<IngesterPushResult> {
    const client = this.opts.pool.clientFor(s.inst);
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(new Error(`push to ingester ${s.inst.id} timed out after ${this.opts.remoteTimeoutMs}ms`)), this.opts.remoteTimeoutMs);
    try {
      return await client.push(tenant, { batch, series: s.series, seriesCount: s.count, metadata: s.metadata }, ctl.signal);
    } finally {
      clearTimeout(timer);
    }
  }
}
