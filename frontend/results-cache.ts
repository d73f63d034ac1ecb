/**
 * Results cache (Cortex's resultsCache): the answers of a query are kept as extents — [start, end]
 * and the matrix for it — under the key `tenant:query:step:interval-index` (one entry per split
 * interval, Cortex's `tenant:query:step:startOfDay`). A later query that overlaps asks downstream
 * only for what no extent covers and merges. The newest `max_cache_freshness` of a range is never
 * stored, so it is fetched every time; `noCache` (`Cache-Control: no-store`) neither reads nor
 * writes; an answer with warnings is not stored; a request whose start or end is not a multiple
 * of its step is not cached (Mimir's rule; Cortex caches it and can mix step grids).
 *
 * Entry format (JSON in a Buffer): `{ "key": <full key>, "extents": [{ "start", "end", "result" }] }`.
 * The cache is addressed by the SHA-256 of the key; the stored key is compared on read, as Cortex
 * does, so a collision reads as a miss.
 */

import { createHash } from 'node:crypto';
import { latestAtModifier } from './at-modifier.js';
import type { Cache } from './cache.js';
import { extractRange, mergeResponses } from './merge.js';
import { doRequests } from './split.js';
import type { FrontendStats, LimitsFn, Middleware, RangeHandler, RangeRequest, RangeResponse } from './types.js';
import { withStartEnd } from './types.js';

/** Extents shorter than this are dropped when the request is longer (Cortex's minCacheExtent). */
export const MIN_CACHE_EXTENT_MS = 5 * 60_000;

export interface Extent {
  readonly start: number;
  readonly end: number;
  readonly response: RangeResponse;
}

interface CachedEntry {
  readonly key: string;
  readonly extents: readonly { start: number; end: number; result: RangeResponse['result'] }[];
}

export interface ResultsCacheOptions {
  readonly cache: Cache;
  readonly limits: LimitsFn;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  /** The split interval; 0 keys every request of a query and step to the same entry. */
  readonly splitIntervalMs: number;
  readonly ttlMs: number;
  readonly stats: FrontendStats;
}

export function cacheKey(req: RangeRequest, splitIntervalMs: number): string {
  const bucket = splitIntervalMs > 0 ? Math.floor(req.startMs / splitIntervalMs) : 0;
  return `${req.tenant}:${req.query}:${req.stepMs}:${bucket}`;
}

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function encodeEntry(key: string, extents: readonly Extent[]): Buffer {
  const entry: CachedEntry = { key, extents: extents.map((e) => ({ start: e.start, end: e.end, result: e.response.result })) };
  return Buffer.from(JSON.stringify(entry));
}

/** The extents of an entry stored under key, sorted by start; null when it is not one. */
export function decodeEntry(key: string, buf: Buffer): Extent[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(buf.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const entry = parsed as Partial<CachedEntry>;
  if (entry.key !== key || !Array.isArray(entry.extents)) return null;
  const out: Extent[] = [];
  for (const e of entry.extents) {
    if (typeof e.start !== 'number' || typeof e.end !== 'number' || !Array.isArray(e.result)) return null;
    out.push({ start: e.start, end: e.end, response: { resultType: 'matrix', result: e.result } });
  }
  return out.sort((a, b) => a.start - b.start);
}

/**
 * What to fetch and what is already there: the requests for the gaps between the extents that
 * overlap req, and the cached parts of req. extents must be sorted by start.
 */
export function partition(req: RangeRequest, extents: readonly Extent[]): { requests: RangeRequest[]; cached: RangeResponse[] } {
  const requests: RangeRequest[] = [];
  const cached: RangeResponse[] = [];
  let start = req.startMs;
  for (const e of extents) {
    if (e.end < start || e.start > req.endMs) continue;
    // A tiny extent is not worth a split request when the request is not tiny itself.
    if (req.startMs !== req.endMs && req.endMs - req.startMs > MIN_CACHE_EXTENT_MS && e.end - e.start < MIN_CACHE_EXTENT_MS) continue;
    if (start < e.start) requests.push(withStartEnd(req, start, e.start));
    cached.push(extractRange(start, req.endMs, e.response));
    start = e.end;
  }
  if (start < req.endMs) requests.push(withStartEnd(req, start, req.endMs));
  if (req.startMs === req.endMs && cached.length === 0) requests.push(req);
  return { requests, cached };
}

/** Sort and coalesce extents that overlap or touch within one step. */
export function mergeExtents(extents: readonly Extent[], stepMs: number): Extent[] {
  const sorted = [...extents].sort((a, b) => a.start - b.start);
  const out: Extent[] = [];
  let acc = sorted[0];
  if (acc === undefined) return out;
  for (const e of sorted.slice(1)) {
    if (acc.end + stepMs < e.start) {
      out.push(acc);
      acc = e;
      continue;
    }
    if (acc.end >= e.end) continue;
    acc = { start: acc.start, end: e.end, response: mergeResponses([acc.response, e.response]) };
  }
  out.push(acc);
  return out;
}

/** Cut every extent at the newest cacheable time; extents wholly newer are dropped. */
export function trimRecent(extents: readonly Extent[], maxCacheTimeMs: number): Extent[] {
  const out: Extent[] = [];
  for (const e of extents) {
    if (e.end <= maxCacheTimeMs) out.push(e);
    else if (e.start <= maxCacheTimeMs) out.push({ start: e.start, end: maxCacheTimeMs, response: extractRange(e.start, maxCacheTimeMs, e.response) });
  }
  return out;
}

const cacheable = (r: RangeResponse): boolean => r.warnings === undefined || r.warnings.length === 0;

export function resultsCacheMiddleware(opts: ResultsCacheOptions): Middleware {
  const { stats } = opts;

  async function lookup(key: string): Promise<Extent[] | null> {
    try {
      const [buf] = await opts.cache.get([hashKey(key)]);
      return buf === null || buf === undefined ? null : decodeEntry(key, buf);
    } catch {
      stats.cacheErrors++;
      return null;
    }
  }

  async function store(key: string, extents: readonly Extent[]): Promise<void> {
    try {
      await opts.cache.set([{ key: hashKey(key), value: encodeEntry(key, extents), ttlMs: opts.ttlMs }]);
    } catch {
      stats.cacheErrors++;
    }
  }

  return (next: RangeHandler): RangeHandler =>
    async (req, signal) => {
      if (req.noCache === true || req.stepMs <= 0) return next(req, signal);
      // As Mimir: only step-aligned requests are cached. An unaligned one would evaluate the gaps on
      // another grid than the cached samples and mix timestamps (-querier.align-querier-with-step
      // or Grafana's own alignment make requests aligned).
      if (req.startMs % req.stepMs !== 0 || req.endMs % req.stepMs !== 0) return next(req, signal);
      const limits = opts.limits(req.tenant);
      const maxCacheTime = opts.now() - limits.maxCacheFreshnessMs;
      // Wholly inside the freshness window: nothing of it could be stored.
      if (req.startMs > maxCacheTime) return next(req, signal);
      // Reads data at a time still within the freshness window (`@ <recent time>`): not final yet.
      const at = latestAtModifier(req.query);
      if (at !== null && at > maxCacheTime) return next(req, signal);

      const key = cacheKey(req, opts.splitIntervalMs);
      const found = await lookup(key);
      let response: RangeResponse;
      let extents: Extent[];
      if (found === null) {
        stats.cacheMisses++;
        stats.extentsFetched++;
        response = await next(req, signal);
        extents = cacheable(response) ? [{ start: req.startMs, end: req.endMs, response }] : [];
      } else {
        stats.cacheHits++;
        const { requests, cached } = partition(req, found);
        if (requests.length === 0) return mergeResponses(cached);
        stats.extentsFetched += requests.length;
        const fetched = await doRequests(next, requests, limits.maxQueryParallelism, signal);
        extents = [...found];
        fetched.forEach((r, i) => {
          const sub = requests[i]!;
          if (cacheable(r)) extents.push({ start: sub.startMs, end: sub.endMs, response: r });
        });
        extents = mergeExtents(extents, req.stepMs);
        response = mergeResponses([...cached, ...fetched]);
      }
      // Never store the freshness window; aligned to the step as Cortex does.
      const storable = trimRecent(extents, Math.floor(maxCacheTime / req.stepMs) * req.stepMs);
      if (storable.length > 0) await store(key, storable);
      return response;
    };
}
