/**
 * The tombstones file (format reference §3.4): magic 0x0130BA30, version 1, then entries
 * `uvarint series id | varint mint | varint maxt` (deleted, inclusive), then a CRC32C of the
 * entries alone. Prometheus writes an empty one (9 bytes) into every block; an absent file
 * reads as empty.
 */

import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32c } from '../encoding/crc32c.js';
import { Decbuf, Encbuf, readBE32 } from '../encoding/encbuf.js';

export const TOMBSTONES_FILE = 'tombstones';
export const TOMBSTONES_MAGIC = 0x0130ba30;
export const TOMBSTONES_VERSION = 1;

export interface Interval {
  readonly mint: number;
  readonly maxt: number;
}

/** Series id → deleted intervals. */
export type Tombstones = ReadonlyMap<number, readonly Interval[]>;

export function encodeTombstones(t: Tombstones = new Map()): Uint8Array {
  const e = new Encbuf(64);
  e.putBE32(TOMBSTONES_MAGIC);
  e.putByte(TOMBSTONES_VERSION);
  const start = e.len;
  for (const id of [...t.keys()].sort((a, b) => a - b)) {
    for (const iv of t.get(id)!) {
      e.putUvarint(id);
      e.putVarint(iv.mint);
      e.putVarint(iv.maxt);
    }
  }
  e.putBE32(crc32c(e.buf, start, e.len));
  return e.get().slice();
}

export function decodeTombstones(b: Uint8Array): Tombstones {
  if (b.length < 9) throw new Error(`read tombstones: invalid size ${b.length}`);
  const magic = readBE32(b, 0);
  if (magic !== TOMBSTONES_MAGIC) throw new Error(`read tombstones: invalid magic number ${magic.toString(16)}`);
  if (b[4] !== TOMBSTONES_VERSION) throw new Error(`read tombstones: invalid tombstone format version ${b[4]}`);
  const end = b.length - 4;
  if (readBE32(b, end) !== crc32c(b, 5, end)) throw new Error('read tombstones: invalid checksum');
  const out = new Map<number, Interval[]>();
  const d = new Decbuf(b, 5, end);
  while (d.remaining() > 0 && !d.err()) {
    const id = d.uvarint();
    const mint = d.varint();
    const maxt = d.varint();
    if (d.err()) break;
    const list = out.get(id);
    if (list) list.push({ mint, maxt });
    else out.set(id, [{ mint, maxt }]);
  }
  if (d.err()) throw new Error(`read tombstones: ${d.err()!.message}`);
  for (const list of out.values()) list.sort((x, y) => x.mint - y.mint);
  return out;
}

/** Writes `<blockDir>/tombstones`, fsynced; returns its size. */
export async function writeTombstonesFile(blockDir: string, t: Tombstones = new Map()): Promise<number> {
  const b = encodeTombstones(t);
  const f = await open(join(blockDir, TOMBSTONES_FILE), 'w');
  try {
    await f.writeFile(b);
    await f.sync();
  } finally {
    await f.close();
  }
  return b.length;
}

export async function readTombstonesFile(blockDir: string): Promise<Tombstones> {
  let b: Uint8Array;
  try {
    b = await readFile(join(blockDir, TOMBSTONES_FILE));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw e;
  }
  return decodeTombstones(b);
}
