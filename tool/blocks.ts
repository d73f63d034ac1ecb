/**
 * `vigil-tool` block commands: importing Prometheus TSDB blocks into a tenant's bucket (the
 * migration path from Prometheus), listing a tenant's blocks and inspecting one.
 *
 * Import validates each block first — meta.json readable, the index opens (CRCs), every chunk of
 * every series decodes — and refuses a block whose time range overlaps one already in the
 * tenant's bucket (unless told to allow it) or whose ULID is there already. It uploads like the
 * shipper (chunks, index, then meta.json, so a half-done upload is never a block), with the
 * Thanos section saying `__org_id__` and source `bucket.upload`, then refreshes the bucket index
 * so queriers see the block at their next sync.
 */

import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Bucket } from '../objstore/bucket.js';
import { type BlockMeta, META_FILE, decodeMeta, readMetaFile } from '../tsdb/block/meta.js';
import { iterateBlockSeries, openBlock } from '../tsdb/block/reader.js';
import { uploadBlock } from '../tsdb/block/upload.js';
import { writeThanosMeta } from '../tsdb/block/writer.js';
import { compareStrings } from '../tsdb/labels.js';
import { isULID } from '../tsdb/ulid.js';

export interface Output {
  out(line: string): void;
}

export class ToolError extends Error {}

/** Block directories named by the arguments: a block directory itself, or a data directory holding several. */
export function blockDirs(args: readonly string[]): string[] {
  const dirs: string[] = [];
  for (const a of args) {
    let st;
    try {
      st = statSync(a);
    } catch {
      throw new ToolError(`${a}: no such directory`);
    }
    if (!st.isDirectory()) throw new ToolError(`${a}: not a directory`);
    if (isULID(basename(a))) dirs.push(a);
    else {
      const inner = readdirSync(a).filter((n) => isULID(n)).sort();
      if (inner.length === 0) throw new ToolError(`${a}: neither a block directory (named by its ULID) nor a directory holding blocks`);
      for (const n of inner) dirs.push(join(a, n));
    }
  }
  return dirs;
}

/** Check that a block is whole: meta, index, and every chunk. Returns its meta and sample count. */
export async function validateBlock(dir: string): Promise<{ meta: BlockMeta; samples: number; series: number }> {
  let meta: BlockMeta;
  try {
    meta = await readMetaFile(dir);
  } catch (e) {
    throw new ToolError(`${dir}: meta.json: ${(e as Error).message}`);
  }
  if (meta.ulid !== basename(dir)) throw new ToolError(`${dir}: meta.json names block ${meta.ulid}, the directory ${basename(dir)}`);
  try {
    const b = await openBlock(dir);
    await b.close();
  } catch (e) {
    throw new ToolError(`${dir}: index: ${(e as Error).message}`);
  }
  let samples = 0;
  let series = 0;
  try {
    // Series by series, samples straight off the iterator: a block of any size fits in memory.
    for await (const { id, samples: it } of iterateBlockSeries(dir)) {
      series++;
      while (it.next()) {
        const t = it.atT();
        if (t < meta.minTime || t >= meta.maxTime) {
          throw new Error(`a sample at ${t} lies outside the block's range [${meta.minTime}, ${meta.maxTime})`);
        }
        samples++;
      }
      const err = it.err();
      if (err) throw new Error(`series ${id}: ${err.message}`);
    }
  } catch (e) {
    throw new ToolError(`${dir}: chunks: ${(e as Error).message}`);
  }
  if (meta.stats.numSamples !== undefined && meta.stats.numSamples !== samples) {
    throw new ToolError(`${dir}: meta.json says ${meta.stats.numSamples} samples, the chunks hold ${samples}`);
  }
  return { meta, samples, series };
}

/** Metas of the complete blocks (with meta.json) of a tenant in the bucket, by minTime. */
export async function bucketBlocks(bucket: Bucket, tenant: string): Promise<BlockMeta[]> {
  const out: BlockMeta[] = [];
  for await (const entry of bucket.iter(`${tenant}/`)) {
    const name = entry.slice(tenant.length + 1).replace(/\/$/, '');
    if (!entry.endsWith('/') || !isULID(name)) continue;
    try {
      out.push(decodeMeta((await bucket.get(`${tenant}/${name}/${META_FILE}`)).toString('utf8')));
    } catch {
      // No meta.json: a partial upload, not a block.
    }
  }
  return out.sort((a, b) => a.minTime - b.minTime);
}

export interface ImportOptions {
  readonly allowOverlap: boolean;
  /** Called after the uploads, e.g. to refresh the bucket index. */
  readonly afterUpload?: () => Promise<void>;
}

export async function importBlocks(bucket: Bucket, tenant: string, args: readonly string[], opts: ImportOptions, o: Output): Promise<void> {
  const dirs = blockDirs(args);
  const existing = await bucketBlocks(bucket, tenant);
  const checked: { dir: string; meta: BlockMeta; samples: number; series: number }[] = [];
  for (const dir of dirs) {
    const v = await validateBlock(dir);
    if (existing.some((m) => m.ulid === v.meta.ulid)) throw new ToolError(`${dir}: block ${v.meta.ulid} is already in tenant ${tenant}'s bucket`);
    if (!opts.allowOverlap) {
      const clash = [...existing, ...checked.map((c) => c.meta)].find((m) => m.minTime < v.meta.maxTime && v.meta.minTime < m.maxTime);
      if (clash) {
        throw new ToolError(
          `${dir}: block ${v.meta.ulid} [${v.meta.minTime}, ${v.meta.maxTime}) overlaps block ${clash.ulid} [${clash.minTime}, ${clash.maxTime}) of tenant ${tenant}; pass -allow-overlap to import it anyway (queries merge overlapping blocks)`,
        );
      }
    }
    checked.push({ dir, ...v });
    o.out(`validated ${v.meta.ulid}: ${v.series} series, ${v.samples} samples, ${new Date(v.meta.minTime).toISOString()} – ${new Date(v.meta.maxTime).toISOString()}`);
  }
  for (const c of checked) {
    // Upload from a scratch copy whose meta.json gets the Thanos section; the source stays untouched.
    const scratch = mkdtempSync(join(tmpdir(), 'vigil-import-'));
    try {
      const dir = join(scratch, c.meta.ulid);
      await cp(c.dir, dir, { recursive: true });
      await writeThanosMeta(dir, { labels: { __org_id__: tenant }, downsample: { resolution: 0 }, source: 'bucket.upload' });
      const prefix = `${tenant}/${c.meta.ulid}/`;
      await uploadBlock(bucket, prefix, dir);
      o.out(`uploaded ${c.meta.ulid} to ${bucket.name} as ${prefix}`);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  if (opts.afterUpload) await opts.afterUpload();
  o.out(`imported ${checked.length} block(s) into tenant ${tenant}`);
}

function duration(ms: number): string {
  const h = Math.floor(ms / 3600_000);
  const m = Math.floor((ms % 3600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h}h${m}m${s}s`;
}

export async function listBlocks(bucket: Bucket, tenant: string, o: Output): Promise<void> {
  const rows = [['BLOCK ULID', 'MIN TIME', 'MAX TIME', 'DURATION', 'NUM SAMPLES', 'NUM CHUNKS', 'NUM SERIES', 'LEVEL', 'SOURCE']];
  for (const m of await bucketBlocks(bucket, tenant)) {
    rows.push([
      m.ulid,
      new Date(m.minTime).toISOString(),
      new Date(m.maxTime).toISOString(),
      duration(m.maxTime - m.minTime),
      String(m.stats.numSamples ?? 0),
      String(m.stats.numChunks ?? 0),
      String(m.stats.numSeries ?? 0),
      String(m.compaction.level),
      m.thanos?.source ?? '',
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) o.out(r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
}

/** Download a block of the tenant's bucket (or take a local directory) and summarise it. */
export async function inspectBlock(bucket: Bucket, tenant: string, ulidOrDir: string, o: Output): Promise<void> {
  let dir = ulidOrDir;
  let scratch: string | null = null;
  if (isULID(ulidOrDir)) {
    scratch = mkdtempSync(join(tmpdir(), 'vigil-inspect-'));
    dir = join(scratch, ulidOrDir);
    const prefix = `${tenant}/${ulidOrDir}/`;
    let found = false;
    for await (const key of bucket.iter(prefix, { recursive: true })) {
      found = true;
      const rel = key.slice(prefix.length);
      mkdirSync(join(dir, rel, '..'), { recursive: true });
      writeFileSync(join(dir, rel), await bucket.get(key));
    }
    if (!found) throw new ToolError(`block ${ulidOrDir} not found in tenant ${tenant}'s bucket`);
  }
  try {
    const v = await validateBlock(dir);
    const perMetric = new Map<string, number>();
    const block = await openBlock(dir);
    try {
      for (const id of block.index.allPostings()) {
        const name = block.index.series(id).labels.find((l) => l.name === '__name__')?.value ?? '';
        perMetric.set(name, (perMetric.get(name) ?? 0) + 1);
      }
    } finally {
      await block.close();
    }
    o.out(`Block ID: ${v.meta.ulid}`);
    o.out(`Time range: ${new Date(v.meta.minTime).toISOString()} – ${new Date(v.meta.maxTime).toISOString()} (${duration(v.meta.maxTime - v.meta.minTime)})`);
    o.out(`Series: ${v.series}`);
    o.out(`Samples: ${v.samples}`);
    o.out(`Chunks: ${v.meta.stats.numChunks ?? 0}`);
    o.out(`Level: ${v.meta.compaction.level}, source: ${v.meta.thanos?.source ?? 'prometheus'}`);
    if (v.meta.thanos) o.out(`External labels: ${JSON.stringify(v.meta.thanos.labels)}`);
    o.out('Series per metric name (top 10):');
    const top = [...perMetric].sort((a, b) => b[1] - a[1] || compareStrings(a[0], b[0])).slice(0, 10);
    for (const [name, n] of top) o.out(`  ${String(n).padStart(8)}  ${name}`);
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}
