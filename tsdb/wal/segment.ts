/**
 * What the writer, the reader, repair and checkpointing share: the page and fragment constants
 * of the segment format (FORMAT.md), segment file names and listing, directory fsync, snappy.
 */

import { createRequire } from 'node:module';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Fragments never cross a page; Prometheus's wlog pageSize. */
export const PAGE_SIZE = 32 * 1024;
/** type byte + be16 length + be32 CRC32C. */
export const HEADER_SIZE = 7;
/** Prometheus's DefaultSegmentSize. */
export const DEFAULT_SEGMENT_SIZE = 128 * 1024 * 1024;

/** Fragment types (the low 3 bits of the header's first byte). */
export const FragmentType = {
  PageTerm: 0,
  Full: 1,
  First: 2,
  Middle: 3,
  Last: 4,
} as const;
/** Bit 3 of the type byte: the record was snappy-compressed before it was fragmented. */
export const SNAPPY_FLAG = 0x08;
export const TYPE_MASK = 0x07;

const SEGMENT_NAME = /^\d+$/;
const CHECKPOINT_NAME = /^checkpoint\.(\d+)$/;

export function segmentName(index: number): string {
  return String(index).padStart(8, '0');
}

export function segmentPath(dir: string, index: number): string {
  return join(dir, segmentName(index));
}

/** Segment indexes present in dir, ascending (names made only of digits, as wlog.listSegments). */
export async function listSegments(dir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: number[] = [];
  for (const n of names) if (SEGMENT_NAME.test(n)) out.push(Number(n));
  return out.sort((a, b) => a - b);
}

/** Finished checkpoint directories in dir (`checkpoint.<index>`, not `.tmp`), ascending. */
export async function listCheckpoints(dir: string): Promise<{ name: string; index: number }[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: { name: string; index: number }[] = [];
  for (const name of names) {
    const m = CHECKPOINT_NAME.exec(name);
    if (m !== null) out.push({ name, index: Number(m[1]) });
  }
  return out.sort((a, b) => a.index - b.index);
}

/** fsync a directory so that created, renamed and removed entries survive a power loss. */
export async function fsyncDir(dir: string): Promise<void> {
  const h = await open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

interface SnappyCodec {
  compress(b: Uint8Array): Uint8Array;
  uncompress(b: Uint8Array): Uint8Array;
}

let snappy: SnappyCodec | null = null;

/** The pure-JS snappy block codec, loaded on first use (uncompressed WALs never load it). */
export function snappyCodec(): SnappyCodec {
  if (snappy === null) {
    const require = createRequire(import.meta.url);
    snappy = require('snappyjs') as SnappyCodec;
  }
  return snappy;
}
