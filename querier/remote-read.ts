/**
 * Remote read: `POST <prefix>/api/v1/read`, a snappy-compressed `ReadRequest`, answered with
 * SAMPLES (snappy `ReadResponse`) or STREAMED_XOR_CHUNKS (CRC-checked frames, one series per
 * frame, flushed as they are made), whichever comes first in `accepted_response_types` (none
 * listed: SAMPLES). Limits: at most `maxSamples` samples per request (Prometheus's
 * `--storage.remote.read-sample-limit`), answered with 400 past it; the tenant's per-query fetch
 * limits over all the queries of one request, answered with 422 past them.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ReadQuery, ResponseType, encodeChunkedReadResponse, encodeReadResponse, frame, decodeReadRequest } from '../proto/read-codec.js';
import { snappyDecodeAsync, snappyEncode } from '../proto/snappy.js';
import type { EncSeries } from '../proto/write-encoder.js';
import { SAMPLES_PER_CHUNK, Encoding, XorChunk } from '../tsdb/chunkenc/xor.js';
import { Matcher, type MatchType } from '../tsdb/matchers.js';
import { STALE_NAN_HI, STALE_NAN_LO, type SampleIterator, type SeriesSet, isStaleNaN } from '../tsdb/storage.js';
import { EngineError } from '../promql/engine-types.js';
import { VigilError } from '../util/errors.js';
import { ORG_ID_HEADER, type TenantResolver } from '../util/tenant.js';
import { type FetchLimits, NO_FETCH_LIMITS, QueryLimiter } from './query-limiter.js';

export interface SeriesSelector {
  select(tenant: string, mint: number, maxt: number, matchers: readonly Matcher[]): Promise<SeriesSet>;
}

export interface RemoteReadOptions {
  readonly prefix: string;
  readonly tenants: TenantResolver;
  readonly selector: SeriesSelector;
  readonly maxRecvMsgSize: number;
  /** Samples one request may return (0 = unlimited). */
  readonly maxSamples: number;
  /** Chunk bytes per streamed frame before it is cut (Prometheus: 1 MiB). */
  readonly maxBytesInFrame: number;
  /** The tenant's per-query fetch limits (`max_fetched_series_per_query`, `max_fetched_chunks_per_query`). */
  readonly fetchLimits?: (tenant: string) => FetchLimits;
}

/** A fetch limit passed is the client's doing: 422 with the limit's message, not a 500. */
function limitError(e: Error): Error {
  return e instanceof EngineError ? new VigilError('query-limit', e.message) : e;
}

const MATCH_TYPES: readonly MatchType[] = ['=', '!=', '=~', '!~'];

function matchersOf(q: ReadQuery): Matcher[] {
  return q.matchers.map((m) => {
    try {
      return new Matcher(MATCH_TYPES[m.type]!, m.name, m.value);
    } catch (e) {
      throw new VigilError('bad-request-body', `invalid matcher ${m.name}${MATCH_TYPES[m.type]}${JSON.stringify(m.value)}: ${(e as Error).message}`);
    }
  });
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** The stale marker's exact bits (a JS number may have quieted them). */
const STALE_BITS = { hi: STALE_NAN_HI, lo: STALE_NAN_LO } as const;

class SampleBudget {
  used = 0;
  constructor(private readonly max: number) {}
  take(n = 1): void {
    this.used += n;
    if (this.max > 0 && this.used > this.max) {
      throw new VigilError('bad-request-body', `exceeded sample limit (${this.max})`);
    }
  }
}

export function registerRemoteRead(app: FastifyInstance, opts: RemoteReadOptions): void {
  const path = `${opts.prefix.replace(/\/$/, '')}/api/v1/read`;
  app.post(path, async (req: FastifyRequest, reply: FastifyReply) => {
    const tenant = opts.tenants.resolve(req.headers[ORG_ID_HEADER]);
    const body = req.body;
    if (!Buffer.isBuffer(body) || body.length === 0) throw new VigilError('bad-request-body', 'empty remote read request body');
    let request;
    try {
      request = decodeReadRequest(await snappyDecodeAsync(body, opts.maxRecvMsgSize));
    } catch (e) {
      throw new VigilError('bad-request-body', `cannot decode the remote read request: ${(e as Error).message}`);
    }
    const types = request.acceptedResponseTypes.length === 0 ? [ResponseType.SAMPLES] : request.acceptedResponseTypes;
    const type = types.find((t) => t === ResponseType.SAMPLES || t === ResponseType.STREAMED_XOR_CHUNKS);
    if (type === undefined) {
      throw new VigilError('bad-request-body', `none of the accepted response types ${JSON.stringify(request.acceptedResponseTypes)} is supported; supported: SAMPLES (0), STREAMED_XOR_CHUNKS (1)`);
    }
    const budget = new SampleBudget(opts.maxSamples);
    const queries = request.queries.map((q) => ({ q, matchers: matchersOf(q) }));
    const limiter = new QueryLimiter(opts.fetchLimits?.(tenant) ?? NO_FETCH_LIMITS);
    if (type === ResponseType.SAMPLES) {
      const results: EncSeries[][] = [];
      for (const { q, matchers } of queries) {
        const set = limiter.wrap(await opts.selector.select(tenant, q.startMs, q.endMs, matchers));
        const series: EncSeries[] = [];
        while (set.next()) {
          const s = set.at();
          const it = s.iterator();
          const samples: EncSeries['samples'][number][] = [];
          while (it.next()) {
            budget.take();
            const v = it.atV();
            samples.push(isStaleNaN(v) ? { timestamp: it.atT(), value: 0, valueBits: STALE_BITS } : { timestamp: it.atT(), value: v });
          }
          const err = it.err();
          if (err) throw err;
          if (samples.length > 0) series.push({ labels: s.labels, samples });
        }
        const err = set.err();
        if (err) throw limitError(err);
        results.push(series);
      }
      return reply
        .header('Content-Type', 'application/x-protobuf')
        .header('Content-Encoding', 'snappy')
        .send(Buffer.from(snappyEncode(encodeReadResponse(results))));
    }
    // STREAMED_XOR_CHUNKS: write frames as they are made.
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'Content-Type': 'application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse' });
    try {
      for (let qi = 0; qi < queries.length; qi++) {
        const { q, matchers } = queries[qi]!;
        const set = limiter.wrap(await opts.selector.select(tenant, q.startMs, q.endMs, matchers));
        while (set.next()) {
          const s = set.at();
          for (const chunks of chunkFrames(s.iterator(), budget, opts.maxBytesInFrame)) {
            const ok = res.write(frame(encodeChunkedReadResponse({ labels: s.labels, chunks }, qi)));
            if (!ok) await new Promise<void>((r) => res.once('drain', () => r()));
          }
        }
        const err = set.err();
        if (err) throw err;
      }
      res.end();
    } catch (e) {
      // Headers are gone; end the stream early so the client sees a truncated answer.
      req.log.error({ err: (e as Error).message }, 'remote read stream failed');
      res.destroy(e as Error);
    }
  });
}

/** Re-encode a series' samples as XOR chunks of up to 120 samples, grouped into frames. */
function* chunkFrames(it: SampleIterator, budget: SampleBudget, maxBytes: number): Generator<{ minT: number; maxT: number; type: number; data: Uint8Array }[]> {
  let frameChunks: { minT: number; maxT: number; type: number; data: Uint8Array }[] = [];
  let frameBytes = 0;
  let c: XorChunk | null = null;
  const flushChunk = (): void => {
    if (!c || c.numSamples() === 0) return;
    const data = c.bytes();
    frameChunks.push({ minT: c.minT, maxT: c.maxT(), type: Encoding.XOR, data });
    frameBytes += data.length;
    c = null;
  };
  while (it.next()) {
    budget.take();
    if (!c) c = new XorChunk();
    const v = it.atV();
    if (isStaleNaN(v)) c.append(it.atT(), STALE_NAN_HI, STALE_NAN_LO);
    else {
      f64[0] = v;
      c.append(it.atT(), u32[1]!, u32[0]!);
    }
    if (c.numSamples() >= SAMPLES_PER_CHUNK) {
      flushChunk();
      if (frameBytes >= maxBytes) {
        yield frameChunks;
        frameChunks = [];
        frameBytes = 0;
      }
    }
  }
  const err = it.err();
  if (err) throw err;
  flushChunk();
  if (frameChunks.length > 0) yield frameChunks;
}
