/**
 * meta.json (format reference §3.2, Thanos extension §5.2). Written byte for byte as Prometheus
 * writes it: Go's json.MarshalIndent with tabs, keys in struct order, zero stats and empty
 * optional fields omitted, Go's HTML-safe string escaping, no trailing newline.
 */

import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

export const META_FILE = 'meta.json';
export const META_VERSION = 1;

export interface BlockStats {
  readonly numSamples: number;
  readonly numSeries: number;
  readonly numChunks: number;
  readonly numTombstones?: number;
}

export interface BlockDesc {
  readonly ulid: string;
  readonly minTime: number;
  readonly maxTime: number;
}

export interface BlockCompaction {
  readonly level: number;
  readonly sources: readonly string[];
  readonly parents?: readonly BlockDesc[];
  readonly deletable?: boolean;
  readonly failed?: boolean;
  readonly hints?: readonly string[];
}

export interface ThanosFile {
  readonly rel_path: string;
  readonly size_bytes?: number;
  readonly hash?: { readonly hashFunc: string; readonly value: string };
}

export interface ThanosMeta {
  readonly version?: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly downsample: { readonly resolution: number };
  readonly source: string;
  readonly segment_files?: readonly string[];
  readonly files?: readonly ThanosFile[];
}

export interface BlockMeta {
  readonly ulid: string;
  /** Inclusive, ms. */
  readonly minTime: number;
  /** Exclusive, ms. */
  readonly maxTime: number;
  readonly stats: BlockStats;
  readonly compaction: BlockCompaction;
  readonly version: number;
  readonly thanos?: ThanosMeta;
}

/** A JSON value whose object keys keep the order they were built in. */
type Json = string | number | boolean | readonly Json[] | { readonly [k: string]: Json };

/** Go's encoding/json string escaping (HTML-safe, \u00XX for other control characters). */
function goString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029) {
      out += '\\u' + c.toString(16).padStart(4, '0');
    } else out += ch;
  }
  return out + '"';
}

/** json.MarshalIndent(v, "", "\t"). */
function goJSON(v: Json, indent = ''): string {
  if (typeof v === 'string') return goString(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`meta.json: cannot encode ${v}`);
    return String(v);
  }
  if (typeof v === 'boolean') return String(v);
  const inner = indent + '\t';
  if (Array.isArray(v)) {
    const arr = v as readonly Json[];
    if (arr.length === 0) return '[]';
    return '[\n' + arr.map((x) => inner + goJSON(x, inner)).join(',\n') + '\n' + indent + ']';
  }
  const entries = Object.entries(v as { readonly [k: string]: Json });
  if (entries.length === 0) return '{}';
  return '{\n' + entries.map(([k, x]) => `${inner}${goString(k)}: ${goJSON(x, inner)}`).join(',\n') + '\n' + indent + '}';
}

function thanosJSON(t: ThanosMeta): Json {
  const o: Record<string, Json> = {};
  if (t.version !== undefined && t.version !== 0) o.version = t.version;
  const labels: Record<string, Json> = {};
  for (const k of Object.keys(t.labels).sort()) labels[k] = t.labels[k]!;
  o.labels = labels;
  o.downsample = { resolution: t.downsample.resolution };
  o.source = t.source;
  if (t.segment_files && t.segment_files.length > 0) o.segment_files = [...t.segment_files];
  if (t.files && t.files.length > 0) {
    o.files = t.files.map((f) => {
      const fo: Record<string, Json> = { rel_path: f.rel_path };
      if (f.size_bytes !== undefined && f.size_bytes !== 0) fo.size_bytes = f.size_bytes;
      if (f.hash) fo.hash = { hashFunc: f.hash.hashFunc, value: f.hash.value };
      return fo;
    });
  }
  return o;
}

/** The text Prometheus (and Thanos, for the `thanos` key) would write for `meta`. */
export function encodeMeta(meta: BlockMeta): string {
  const stats: Record<string, Json> = {};
  if (meta.stats.numSamples) stats.numSamples = meta.stats.numSamples;
  if (meta.stats.numSeries) stats.numSeries = meta.stats.numSeries;
  if (meta.stats.numChunks) stats.numChunks = meta.stats.numChunks;
  if (meta.stats.numTombstones) stats.numTombstones = meta.stats.numTombstones;
  const c = meta.compaction;
  const compaction: Record<string, Json> = { level: c.level };
  if (c.sources.length > 0) compaction.sources = [...c.sources];
  if (c.parents && c.parents.length > 0) compaction.parents = c.parents.map((p) => ({ ulid: p.ulid, minTime: p.minTime, maxTime: p.maxTime }));
  if (c.deletable) compaction.deletable = true;
  if (c.failed) compaction.failed = true;
  if (c.hints && c.hints.length > 0) compaction.hints = [...c.hints];
  const o: Record<string, Json> = {
    ulid: meta.ulid,
    minTime: meta.minTime,
    maxTime: meta.maxTime,
    stats,
    compaction,
    version: meta.version,
  };
  if (meta.thanos) o.thanos = thanosJSON(meta.thanos);
  return goJSON(o);
}

/** Writes `<blockDir>/meta.json` (through a temporary file, fsynced, then renamed). */
export async function writeMetaFile(blockDir: string, meta: BlockMeta): Promise<number> {
  const text = encodeMeta(meta);
  const path = join(blockDir, META_FILE);
  const tmp = path + '.tmp';
  const f = await open(tmp, 'w');
  try {
    await f.writeFile(text);
    await f.sync();
  } finally {
    await f.close();
  }
  await rename(tmp, path);
  return Buffer.byteLength(text);
}

const int = z.number().int();
const descSchema = z.object({ ulid: z.string(), minTime: int, maxTime: int });
const metaSchema = z.object({
  ulid: z.string(),
  minTime: int,
  maxTime: int,
  stats: z
    .object({
      numSamples: int.nonnegative().optional(),
      numSeries: int.nonnegative().optional(),
      numChunks: int.nonnegative().optional(),
      numTombstones: int.nonnegative().optional(),
    })
    .optional(),
  compaction: z.object({
    level: int,
    sources: z.array(z.string()).nullish(),
    parents: z.array(descSchema).nullish(),
    deletable: z.boolean().optional(),
    failed: z.boolean().optional(),
    hints: z.array(z.string()).nullish(),
  }),
  version: int,
  thanos: z
    .object({
      version: int.optional(),
      labels: z.record(z.string(), z.string()).nullish(),
      downsample: z.object({ resolution: int }).optional(),
      source: z.string().optional(),
      segment_files: z.array(z.string()).nullish(),
      files: z
        .array(
          z.object({
            rel_path: z.string(),
            size_bytes: int.optional(),
            hash: z.object({ hashFunc: z.string(), value: z.string() }).optional(),
          }),
        )
        .nullish(),
    })
    .optional(),
});

/** Parses meta.json text; unknown keys are ignored, the version must be 1. */
export function decodeMeta(text: string): BlockMeta {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`meta.json: ${(e as Error).message}`);
  }
  const r = metaSchema.safeParse(raw);
  if (!r.success) throw new Error(`meta.json: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const m = r.data;
  if (m.version !== META_VERSION) throw new Error(`unexpected meta file version ${m.version}`);
  const s = m.stats ?? {};
  const stats: BlockStats = {
    numSamples: s.numSamples ?? 0,
    numSeries: s.numSeries ?? 0,
    numChunks: s.numChunks ?? 0,
    ...(s.numTombstones ? { numTombstones: s.numTombstones } : {}),
  };
  const c = m.compaction;
  const compaction: BlockCompaction = {
    level: c.level,
    sources: c.sources ?? [],
    ...(c.parents ? { parents: c.parents } : {}),
    ...(c.deletable ? { deletable: true } : {}),
    ...(c.failed ? { failed: true } : {}),
    ...(c.hints ? { hints: c.hints } : {}),
  };
  let thanos: ThanosMeta | undefined;
  if (m.thanos) {
    const t = m.thanos;
    thanos = {
      ...(t.version !== undefined ? { version: t.version } : {}),
      labels: t.labels ?? {},
      downsample: { resolution: t.downsample?.resolution ?? 0 },
      source: t.source ?? '',
      ...(t.segment_files ? { segment_files: t.segment_files } : {}),
      ...(t.files
        ? {
            files: t.files.map((f) => ({
              rel_path: f.rel_path,
              ...(f.size_bytes !== undefined ? { size_bytes: f.size_bytes } : {}),
              ...(f.hash ? { hash: f.hash } : {}),
            })),
          }
        : {}),
    };
  }
  return { ulid: m.ulid, minTime: m.minTime, maxTime: m.maxTime, stats, compaction, version: m.version, ...(thanos ? { thanos } : {}) };
}

export async function readMetaFile(blockDir: string): Promise<BlockMeta> {
  return decodeMeta(await readFile(join(blockDir, META_FILE), 'utf8'));
}
