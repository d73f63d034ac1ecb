/**
 * Byte compatibility with Prometheus 2.42 itself, when its binaries are installed (Debian
 * packages `prometheus`, which brings `promtool`): `promtool tsdb dump` replays a WAL written
 * here (plain, snappy-compressed, with a checkpoint), and our reader replays the WAL a real
 * Prometheus wrote while scraping itself.
 */

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort, requireBinaries } from '../../test/harness/process.js';
import { checkpoint } from './checkpoint.js';
import { replay } from './reader.js';
import { MetricType, SamplesRecordBuilder, decodeRecord, encodeMetadata, encodeSeries } from './records.js';
import { PAGE_SIZE } from './segment.js';
import { WAL } from './wal.js';

const haveProm = requireBinaries('promtool', 'prometheus');
const run = promisify(execFile);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-walp-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** 300 series with long labels (the series record spans pages) and three pushes each. */
async function writeWal(walDir: string, compress: boolean, withCheckpoint: boolean): Promise<void> {
  const w = await WAL.open(walDir, { fsync: 'never', segmentSize: 4 * PAGE_SIZE, compress });
  const series = [...Array(300).keys()].map((k) => ({
    ref: k + 1,
    labels: [
      { name: '__name__', value: 'm' },
      { name: 'i', value: String(k + 1) },
      { name: 'pad', value: 'x'.repeat(200) },
    ],
  }));
  await w.log([encodeSeries(series)]);
  const b = new SamplesRecordBuilder();
  for (let push = 0; push < 3; push++) {
    b.reset();
    for (let ref = 1; ref <= 300; ref++) {
      const stale = push === 2 && ref === 5;
      b.add(ref, 1000 * push + ref, stale ? 0x7ff00000 : 0x3ff00000, stale ? 2 : 0);
    }
    await w.log([b.bytes(), encodeMetadata([{ ref: 1, type: MetricType.Counter, unit: 'u', help: 'h' }])]);
  }
  if (withCheckpoint) {
    const n = await w.nextSegment();
    await checkpoint(walDir, 0, n - 1, (ref) => ref % 2 === 0, 1000);
    await w.truncate(n);
    b.reset();
    b.add(2, 5000, 0x40000000, 0);
    await w.log([b.bytes()]);
  }
  await w.close();
}

async function dump(db: string): Promise<string[]> {
  const { stdout } = await run('promtool', ['tsdb', 'dump', db], { maxBuffer: 64 * 1024 * 1024 });
  return stdout.split('\n').filter((l) => l.startsWith('{'));
}

describe.skipIf(!haveProm)('Prometheus 2.42 compatibility', () => {
  for (const compress of [false, true]) {
    it(`promtool replays a WAL written here (compress=${compress})`, async () => {
      await writeWal(join(dir, 'wal'), compress, false);
      const lines = await dump(dir);
      expect(lines.length).toBe(900);
      const five = lines.filter((l) => l.includes('i="5"'));
      expect(five.map((l) => l.split(' ').slice(-2).join(' '))).toEqual(['1 5', '1 1005', 'NaN 2005']);
    });
  }

  it('promtool replays a checkpoint plus the segments after it', async () => {
    await writeWal(join(dir, 'wal'), true, true);
    const lines = await dump(dir);
    // 150 kept series × 2 pushes at t >= 1000, plus one later sample.
    expect(lines.length).toBe(301);
    const two = lines.filter((l) => l.includes('i="2"'));
    expect(two.map((l) => l.split(' ').slice(-2).join(' '))).toEqual(['1 1002', '1 2002', '2 5000']);
    expect(lines.some((l) => l.includes('i="3"'))).toBe(false);
  });

  it('replays the WAL of a real Prometheus scraping itself', async () => {
    const port = await freePort();
    await writeFile(
      join(dir, 'prometheus.yml'),
      `global: { scrape_interval: 1s }\nscrape_configs:\n  - job_name: self\n    static_configs: [{ targets: ['127.0.0.1:${port}'] }]\n`,
    );
    const prom: ChildProcess = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.wal-compression',
      ],
      { stdio: 'ignore' },
    );
    try {
      const deadline = Date.now() + 8000;
      let upSeen = false;
      while (!upSeen && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        const refs = new Set<number>();
        await replay(join(dir, 'data', 'wal'), {}, (rec) => {
          const d = decodeRecord(rec);
          if (d.type === 'series') {
            for (const s of d.series) if (s.labels.some((l) => l.name === '__name__' && l.value === 'up')) refs.add(s.ref);
          }
          if (d.type === 'samples') {
            for (let i = 0; i < d.count; i++) if (refs.has(d.refs[i]!) && d.hi[i] === 0x3ff00000 && d.lo[i] === 0) upSeen = true;
          }
        }).catch(() => undefined);
      }
      expect(upSeen).toBe(true);
    } finally {
      prom.kill('SIGKILL');
      await new Promise((r) => prom.once('exit', r));
    }
    // Killed mid-flight: at most a torn last record.
    let series = 0;
    let samples = 0;
    const r = await replay(join(dir, 'data', 'wal'), {}, (rec) => {
      const d = decodeRecord(rec);
      if (d.type === 'series') series += d.series.length;
      if (d.type === 'samples') samples += d.count;
    });
    if (r.corruption !== null) expect(r.corruption.reason).toBe('torn-record');
    expect(series).toBeGreaterThan(100);
    expect(samples).toBeGreaterThanOrEqual(series);
  });
});
