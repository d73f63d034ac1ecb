/**
 * Test helpers for the store: a Bucket wrapper that counts calls, an uploader that ships a local
 * block the way ingester/shipper.ts does (chunks, then index, meta.json last), and a brute-force
 * reference of what a query over several blocks must return.
 */

import { uploadBlock as uploadBlockFiles } from '../tsdb/block/upload.js';
import type { Bucket, IterOptions, ObjectAttributes } from '../objstore/bucket.js';
import type { TestSeries } from '../tsdb/block/testutil.js';
import { compareLabels, getLabel, type Labels } from '../tsdb/labels.js';
import type { Matcher } from '../tsdb/matchers.js';
import { isStaleNaN, type SeriesSet, valueFromBits } from '../tsdb/storage.js';

/** Forwards to `inner`, counting calls per method and the keys passed to get. */
export class CountingBucket implements Bucket {
  readonly calls = { get: 0, getRange: 0, exists: 0, attributes: 0, upload: 0, iter: 0 };
  readonly gets: string[] = [];

  constructor(readonly inner: Bucket) {}

  get name(): string {
    return this.inner.name;
  }

  reset(): void {
    for (const k of Object.keys(this.calls) as (keyof CountingBucket['calls'])[]) this.calls[k] = 0;
    this.gets.length = 0;
  }

  get(key: string): Promise<Buffer> {
    this.calls.get++;
    this.gets.push(key);
    return this.inner.get(key);
  }

  getRange(key: string, offset: number, length: number): Promise<Buffer> {
    this.calls.getRange++;
    return this.inner.getRange(key, offset, length);
  }

  exists(key: string): Promise<boolean> {
    this.calls.exists++;
    return this.inner.exists(key);
  }

  attributes(key: string): Promise<ObjectAttributes> {
    this.calls.attributes++;
    return this.inner.attributes(key);
  }

  upload(key: string, body: Uint8Array): Promise<void> {
    this.calls.upload++;
    return this.inner.upload(key, body);
  }

  uploadFile(key: string, localPath: string): Promise<void> {
    this.calls.upload++;
    return this.inner.uploadFile(key, localPath);
  }

  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }

  iter(prefix: string, options?: IterOptions): AsyncIterable<string> {
    this.calls.iter++;
    return this.inner.iter(prefix, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Uploads `<blockDir>` to `<tenant>/<ULID>/` as the shipper does; `withMeta: false` leaves it partial. */
export async function uploadBlock(bucket: Bucket, tenant: string, blockDir: string, ulid: string, withMeta = true): Promise<void> {
  await uploadBlockFiles(bucket, `${tenant}/${ulid}/`, blockDir, { meta: withMeta });
}

/** A sample with its value made comparable (NaNs by kind, -0 apart from 0). */
export interface CmpSample {
  readonly t: number;
  readonly v: number | string;
}

export interface CmpSeries {
  readonly labels: Labels;
  readonly samples: readonly CmpSample[];
}

function cmpValue(v: number): number | string {
  if (Number.isNaN(v)) return isStaleNaN(v) ? 'stale' : 'NaN';
  if (Object.is(v, -0)) return '-0';
  return v;
}


/** Drains a SeriesSet (throwing its error). */
export function drainSet(set: SeriesSet): CmpSeries[] {
  const out: CmpSeries[] = [];
  while (set.next()) {
    const s = set.at();
    const it = s.iterator();
    const samples: CmpSample[] = [];
    while (it.next()) samples.push({ t: it.atT(), v: cmpValue(it.atV()) });
    const e = it.err();
    if (e) throw e;
    out.push({ labels: s.labels, samples });
  }
  const e = set.err();
  if (e) throw e;
  return out;
}

/**
 * What a query must return over blocks holding `blocks`' series: matching series with samples
 * in [mint, maxt], one per label set, samples by time, one per timestamp (the first wins).
 */
export function bruteForce(blocks: readonly (readonly TestSeries[])[], matchers: readonly Matcher[], mint: number, maxt: number): CmpSeries[] {
  const byKey = new Map<string, { labels: Labels; samples: Map<number, number | string> }>();
  for (const series of blocks) {
    for (const s of series) {
      if (!matchers.every((m) => m.matches(getLabel(s.labels, m.name)))) continue;
      const key = JSON.stringify(s.labels);
      let e = byKey.get(key);
      if (!e) {
        e = { labels: s.labels, samples: new Map() };
        byKey.set(key, e);
      }
      for (const x of s.samples) if (x.t >= mint && x.t <= maxt && !e.samples.has(x.t)) e.samples.set(x.t, cmpValue(valueFromBits(x.hi, x.lo)));
    }
  }
  return [...byKey.values()]
    .filter((e) => e.samples.size > 0)
    .map((e) => ({ labels: e.labels, samples: [...e.samples.entries()].sort((a, b) => a[0] - b[0]).map(([t, v]) => ({ t, v })) }))
    .sort((a, b) => compareLabels(a.labels, b.labels));
}
