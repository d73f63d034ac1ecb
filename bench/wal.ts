/**
 * WAL micro benchmark: 1,000 series × 100 pushes, one Samples record of 1,000 samples per push,
 * under each fsync policy, with pushes one at a time and 16 in flight (group commit); then the
 * encode cost alone and the replay (read + CRC + decode) speed. Prints a table; records nothing.
 *
 *   npm run build && node dist/bench/wal.js [dir]
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { replay } from '../tsdb/wal/reader.js';
import { SamplesRecordBuilder, SamplesScratch, decodeRecord } from '../tsdb/wal/records.js';
import { type FsyncPolicy, WAL } from '../tsdb/wal/wal.js';

const SERIES = 1000;
const PUSHES = 100;
const T0 = 1_700_000_000_000;

function fill(b: SamplesRecordBuilder, push: number): void {
  b.reset();
  for (let ref = 0; ref < SERIES; ref++) b.add(ref + 1, T0 + push * 15_000, 0x40590000 + (ref & 0xff), push);
}

async function run(base: string, policy: FsyncPolicy, inFlight: number): Promise<string> {
  const dir = await mkdtemp(join(base, `wal-${policy}-`));
  const w = await WAL.open(dir, { fsync: policy, fsyncIntervalMs: 1000 });
  const builders = Array.from({ length: inFlight }, () => new SamplesRecordBuilder(16 * SERIES));
  const t0 = performance.now();
  let push = 0;
  const worker = async (b: SamplesRecordBuilder): Promise<void> => {
    while (push < PUSHES) {
      fill(b, push++);
      await w.log([b.bytes()]);
    }
  };
  await Promise.all(builders.map(worker));
  const ms = performance.now() - t0;
  const s = { ...w.stats };
  await w.close();
  const samples = SERIES * PUSHES;
  return [
    policy.padEnd(9),
    String(inFlight).padStart(9),
    (ms.toFixed(1) + ' ms').padStart(11),
    Math.round((PUSHES / ms) * 1000).toString().padStart(9),
    (((samples / ms) * 1000) / 1e6).toFixed(2).padStart(10),
    ((s.bytesWritten / 1e6 / ms) * 1000).toFixed(1).padStart(8),
    String(s.writes).padStart(7),
    String(s.fsyncs).padStart(7),
    ((s.fsyncSeconds * 1000) / Math.max(1, s.fsyncs)).toFixed(2).padStart(10),
  ].join(' ');
}

async function main(): Promise<void> {
  const base = await mkdtemp(join(process.argv[2] ?? tmpdir(), 'vigil-wal-bench-'));
  try {
    console.log(`WAL: ${SERIES} series × ${PUSHES} pushes, 1 Samples record per push (${SERIES} samples)`);
    await run(base, 'never', 16); // warm-up, not printed
    console.log('policy    in-flight        time  pushes/s  Msamples/s    MB/s  writes  fsyncs  ms/fsync');
    for (const policy of ['never', 'interval', 'always'] as const) {
      for (const inFlight of [1, 16]) console.log(await run(base, policy, inFlight));
    }

    const b = new SamplesRecordBuilder(16 * SERIES);
    const reps = 2000;
    let t = performance.now();
    for (let i = 0; i < reps; i++) fill(b, i);
    let ms = performance.now() - t;
    console.log(`encode: ${(((reps * SERIES) / ms) * 1000 / 1e6).toFixed(1)} M samples/s (SamplesRecordBuilder.add)`);

    const dir = await mkdtemp(join(base, 'replay-'));
    const w = await WAL.open(dir, { fsync: 'never' });
    const logged: Promise<void>[] = [];
    for (let i = 0; i < 1000; i++) {
      fill(b, i);
      logged.push(w.log([b.bytes()]));
    }
    await Promise.all(logged);
    await w.close();
    const scratch = new SamplesScratch();
    let n = 0;
    t = performance.now();
    const r = await replay(dir, {}, (rec) => {
      const d = decodeRecord(rec, scratch);
      if (d.type === 'samples') n += d.count;
    });
    ms = performance.now() - t;
    console.log(`replay: ${r.records} records, ${(r.bytes / 1e6).toFixed(1)} MB, ${((n / ms) * 1000 / 1e6).toFixed(1)} M samples/s, ${((r.bytes / 1e6 / ms) * 1000).toFixed(0)} MB/s (read + CRC + decode)`);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

await main();
