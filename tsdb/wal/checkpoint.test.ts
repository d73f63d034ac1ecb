import { mkdir, mkdtemp, readdir, rm, truncate as truncateFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointError, checkpoint, checkpointDirName, lastCheckpoint } from './checkpoint.js';
import { replay } from './reader.js';
import { MetricType, SamplesRecordBuilder, decodeRecord, encodeExemplars, encodeMetadata, encodeSeries } from './records.js';
import type { MetadataEntry } from './records.js';
import { PAGE_SIZE, listSegments, segmentPath } from './segment.js';
import { WAL } from './wal.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-walc-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface State {
  series: Map<number, string>;
  samples: string[];
  metadata: Map<number, MetadataEntry>;
  exemplars: string[];
}

function emptyState(): State {
  return { series: new Map(), samples: [], metadata: new Map(), exemplars: [] };
}

/** Apply decoded records to a state; samples as "ref@t=hi:lo" strings, in replay order. */
function applier(st: State): (rec: Uint8Array) => void {
  return (rec) => {
    const d = decodeRecord(rec);
    if (d.type === 'series') for (const s of d.series) st.series.set(s.ref, s.labels.map((l) => `${l.name}=${l.value}`).join(','));
    if (d.type === 'samples') for (let i = 0; i < d.count; i++) st.samples.push(`${d.refs[i]}@${d.ts[i]}=${d.hi[i]}:${d.lo[i]}`);
    if (d.type === 'metadata') for (const m of d.metadata) st.metadata.set(m.ref, m);
    if (d.type === 'exemplars') for (const e of d.exemplars) st.exemplars.push(`${e.ref}@${e.t}=${e.labels.map((l) => l.value).join(',')}`);
  };
}

/** What a restart would see: the last checkpoint, then the segments after it. */
async function restore(walDir: string): Promise<State> {
  const st = emptyState();
  const cp = await lastCheckpoint(walDir);
  if (cp !== null) expect((await replay(cp.dir, {}, applier(st))).corruption).toBeNull();
  expect((await replay(walDir, cp === null ? {} : { from: cp.index + 1 }, applier(st))).corruption).toBeNull();
  return st;
}

/** Segment k holds: series 10k..10k+9 (each segment creates ten), samples t = 100k+j for every series so far. */
async function writeSegments(w: WAL, k0: number, k1: number): Promise<void> {
  const b = new SamplesRecordBuilder();
  for (let k = k0; k < k1; k++) {
    const series = [...Array(10).keys()].map((j) => ({ ref: 10 * k + j, labels: [{ name: '__name__', value: `m${10 * k + j}` }, { name: 'seg', value: String(k) }] }));
    b.reset();
    for (let ref = 0; ref < 10 * (k + 1); ref++) b.add(ref, 100 * k + (ref % 10), 0x7ff00000, ref === 3 ? 2 : ref);
    const md: MetadataEntry[] = [
      { ref: 10 * k, type: MetricType.Counter, unit: '', help: `v${k}` },
      { ref: 1, type: MetricType.Gauge, unit: 'bytes', help: `one at ${k}` },
    ];
    const ex = [
      { ref: 10 * k, t: 100 * k + 5, hi: 0, lo: k, labels: [{ name: 'trace_id', value: `a${k}` }] },
      { ref: 1, t: 100 * k + 7, hi: 0, lo: k, labels: [{ name: 'trace_id', value: `b${k}` }] },
    ];
    await w.log([encodeSeries(series), b.bytes(), encodeExemplars(ex), encodeMetadata(md), new Uint8Array([3, 0, 0])]);
    await w.nextSegment();
  }
}

describe('checkpoint', () => {
  it('keeps kept series, their samples >= mint, latest metadata; replay equals the expectation', async () => {
    const w = await WAL.open(dir, { fsync: 'never', segmentSize: 4 * PAGE_SIZE });
    await writeSegments(w, 0, 5); // segments 0..4, current is 5
    const keep = (ref: number): boolean => ref % 2 === 0 || ref === 1;
    const mint = 200;
    const before = await restore(dir);

    const r1 = await checkpoint(dir, 0, 2, keep, mint);
    expect(r1.dir).toBe(join(dir, 'checkpoint.00000002'));
    expect(r1.stats.totalSeries).toBe(30);
    expect(r1.stats.droppedSeries).toBe(30 - 16);
    expect(r1.stats.droppedOtherRecords).toBe(3);
    expect(await w.truncate(3)).toBe(3);
    expect(await listSegments(dir)).toEqual([3, 4, 5]);

    // The expectation, computed from the full WAL.
    const want = emptyState();
    for (const [ref, l] of before.series) if (ref >= 30 || keep(ref)) want.series.set(ref, l);
    for (const s of before.samples) {
      const [ref, t] = s.split(/[@=]/).map(Number) as [number, number];
      const inSegment = Math.floor(t / 100);
      if (inSegment >= 3 || (keep(ref) && t >= mint)) want.samples.push(s);
    }
    for (const [ref, m] of before.metadata) if (keep(ref) || ref >= 30) want.metadata.set(ref, m);
    for (const e of before.exemplars) {
      const [ref, t] = e.split(/[@=]/).map(Number) as [number, number];
      if (Math.floor(t / 100) >= 3 || (keep(ref) && t >= mint)) want.exemplars.push(e);
    }
    expect(want.exemplars).toEqual(['20@205=a2', '1@207=b2', '30@305=a3', '1@307=b3', '40@405=a4', '1@407=b4']);
    expect(r1.stats.totalExemplars).toBe(6);
    expect(r1.stats.droppedExemplars).toBe(4);
    const got = await restore(dir);
    expect(got.series).toEqual(want.series);
    expect(got.samples).toEqual(want.samples);
    expect(got.metadata).toEqual(want.metadata);
    expect(got.exemplars).toEqual(want.exemplars);
    expect(got.samples.some((s) => s.startsWith('3@') && s.endsWith(`=${0x7ff00000}:2`))).toBe(true);

    // A second checkpoint folds the first one in and removes it.
    await writeSegments(w, 5, 6); // segment 5, current 6
    const r2 = await checkpoint(dir, 3, 5, keep, 400);
    expect(r2.index).toBe(5);
    expect((await readdir(dir)).filter((n) => n.startsWith('checkpoint'))).toEqual([checkpointDirName(5)]);
    await w.truncate(6);
    const st = await restore(dir);
    const refs = [...Array(60).keys()];
    expect([...st.series.keys()].sort((a, b) => a - b)).toEqual(refs.filter(keep));
    for (const s of st.samples) {
      const [ref, t] = s.split(/[@=]/).map(Number) as [number, number];
      expect(keep(ref) && t >= 400).toBe(true);
    }
    // Samples at t >= 400 are those of segments 4 (refs 0..49) and 5 (refs 0..59).
    expect(st.samples.length).toBe(refs.slice(0, 50).filter(keep).length + refs.filter(keep).length);
    expect(st.metadata.get(1)?.help).toBe('one at 5');
    await w.close();
  });

  it('lastCheckpoint ignores unfinished .tmp directories and returns null without one', async () => {
    expect(await lastCheckpoint(dir)).toBeNull();
    await mkdir(join(dir, 'checkpoint.00000007.tmp'));
    expect(await lastCheckpoint(dir)).toBeNull();
    await mkdir(join(dir, 'checkpoint.00000003'));
    expect(await lastCheckpoint(dir)).toEqual({ dir: join(dir, 'checkpoint.00000003'), index: 3 });
  });

  it('refuses corrupted input and leaves no checkpoint behind', async () => {
    const w = await WAL.open(dir, { fsync: 'never' });
    await writeSegments(w, 0, 2);
    await w.close();
    await truncateFile(segmentPath(dir, 1), 20);
    await expect(checkpoint(dir, 0, 1, () => true, 0)).rejects.toThrow(CheckpointError);
    expect((await readdir(dir)).filter((n) => n.startsWith('checkpoint'))).toEqual([]);
  });

  it('a WAL opened after a checkpoint with no segments left starts after the checkpoint', async () => {
    const w = await WAL.open(dir, { fsync: 'never' });
    await writeSegments(w, 0, 3);
    await w.close();
    await checkpoint(dir, 0, 3, () => true, 0);
    for (const s of await listSegments(dir)) await rm(segmentPath(dir, s));
    const w2 = await WAL.open(dir, { fsync: 'never' });
    expect(w2.currentSegment).toBe(4);
    await w2.close();
  });

  it('refuses a gap after the last checkpoint', async () => {
    const w = await WAL.open(dir, { fsync: 'never' });
    await writeSegments(w, 0, 4);
    await checkpoint(dir, 0, 1, () => true, 0);
    await expect(checkpoint(dir, 3, 3, () => true, 0)).rejects.toThrow(/gap/);
    await w.close();
  });
});
