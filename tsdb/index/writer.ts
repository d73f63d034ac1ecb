/**
 * Writes an index file, format version 2, exactly as Prometheus 2.42 does (FORMAT.md beside
 * this file): symbols (with ""), 16-byte aligned series, the legacy label indices, postings
 * (all-postings first, then by name and value), the legacy label offset table, the postings
 * offset table and the TOC. Every section carries a CRC32C.
 *
 * Sections are built in memory one at a time and streamed to the file in large pieces.
 */

import { type FileHandle, open } from 'node:fs/promises';
import { crc32c } from '../encoding/crc32c.js';
import { Encbuf } from '../encoding/encbuf.js';
import { compareLabels, compareStrings, type Labels } from '../labels.js';

export const INDEX_MAGIC = 0xbaaad700;
export const INDEX_VERSION = 2;
export const TOC_SIZE = 52;
const FLUSH_SIZE = 4 * 1024 * 1024;

export interface ChunkMeta {
  readonly minT: number;
  readonly maxT: number;
  readonly ref: number;
}

export interface IndexSeries {
  readonly labels: Labels;
  readonly chunks: readonly ChunkMeta[];
}

/** Streams bytes to a file, tracking the absolute offset. */
class Sink {
  pos = 0;
  private readonly buf = new Encbuf(1024 * 1024);

  constructor(private readonly file: FileHandle) {}

  async put(b: Uint8Array): Promise<void> {
    this.buf.putBytes(b);
    this.pos += b.length;
    if (this.buf.len >= FLUSH_SIZE) await this.flush();
  }

  async padTo(align: number): Promise<void> {
    const r = this.pos % align;
    if (r !== 0) await this.put(new Uint8Array(align - r));
  }

  /** `be32 len | payload | be32 crc32c(payload)`. */
  async section(payload: Uint8Array): Promise<void> {
    const head = new Uint8Array(4);
    new DataView(head.buffer).setUint32(0, payload.length);
    const tail = new Uint8Array(4);
    new DataView(tail.buffer).setUint32(0, crc32c(payload));
    await this.put(head);
    await this.put(payload);
    await this.put(tail);
  }

  async flush(): Promise<void> {
    const data = this.buf.get();
    let off = 0;
    while (off < data.length) {
      const { bytesWritten } = await this.file.write(data, off, data.length - off);
      off += bytesWritten;
    }
    this.buf.reset();
  }
}

/**
 * Writes the index of `series` (sorted by labels, each label set once) to `path`, fsynced.
 * Chunk metas must be sorted by time within a series.
 */
export async function writeIndex(path: string, series: readonly IndexSeries[]): Promise<void> {
  for (let i = 1; i < series.length; i++) {
    if (compareLabels(series[i - 1]!.labels, series[i]!.labels) >= 0) {
      throw new Error(`out-of-order series added with label set ${labelsText(series[i]!.labels)}`);
    }
  }

  // Symbols: every name and value, plus "" as Prometheus's head adds it.
  const symbolSet = new Set<string>(['']);
  for (const s of series) {
    for (const l of s.labels) {
      symbolSet.add(l.name);
      symbolSet.add(l.value);
    }
  }
  const symbols = [...symbolSet].sort(compareStrings);
  const symbolRef = new Map<string, number>();
  symbols.forEach((s, i) => symbolRef.set(s, i));

  const file = await open(path, 'w');
  try {
    const w = new Sink(file);
    const e = new Encbuf(4096);

    e.putBE32(INDEX_MAGIC);
    e.putByte(INDEX_VERSION);
    await w.put(e.get());

    // Symbol table.
    const tocSymbols = w.pos;
    e.reset();
    e.putBE32(symbols.length);
    for (const s of symbols) e.putUvarintStr(s);
    await w.section(e.get());
    const tocSeries = w.pos;

    // Series, and the postings they make: name → value → ids (ascending as written).
    const all: number[] = [];
    const postings = new Map<string, Map<string, number[]>>();
    const payload = new Encbuf(256);
    const entry = new Encbuf(256);
    for (const s of series) {
      await w.padTo(16);
      const id = w.pos / 16;
      if (!Number.isInteger(id) || id > 0xffffffff) throw new Error('index exceeds 64 GiB: series id does not fit 32 bits');
      payload.reset();
      payload.putUvarint(s.labels.length);
      for (const l of s.labels) {
        payload.putUvarint(symbolRef.get(l.name)!);
        payload.putUvarint(symbolRef.get(l.value)!);
        let values = postings.get(l.name);
        if (!values) postings.set(l.name, (values = new Map()));
        const list = values.get(l.value);
        if (list) list.push(id);
        else values.set(l.value, [id]);
      }
      all.push(id);
      payload.putUvarint(s.chunks.length);
      let prevMaxT = 0;
      let prevRef = 0;
      s.chunks.forEach((c, i) => {
        if (i === 0) {
          payload.putVarint(c.minT);
          payload.putUvarint(c.maxT - c.minT);
          payload.putUvarint(c.ref);
        } else {
          payload.putUvarint(c.minT - prevMaxT);
          payload.putUvarint(c.maxT - c.minT);
          payload.putVarint(c.ref - prevRef);
        }
        prevMaxT = c.maxT;
        prevRef = c.ref;
      });
      const body = payload.get();
      entry.reset();
      entry.putUvarint(body.length);
      entry.putBytes(body);
      entry.putBE32(crc32c(body));
      await w.put(entry.get());
    }
    const tocLabelIndices = w.pos;

    // Legacy label indices, one per name.
    const names = [...postings.keys()].sort(compareStrings);
    const labelIndexOffsets: number[] = [];
    for (const name of names) {
      await w.padTo(4);
      labelIndexOffsets.push(w.pos);
      const values = [...postings.get(name)!.keys()].sort(compareStrings);
      e.reset();
      e.putBE32(1);
      e.putBE32(values.length);
      for (const v of values) e.putBE32(symbolRef.get(v)!);
      await w.section(e.get());
    }
    const tocPostings = w.pos;

    // Postings lists in offset-table order: ("", "") first, then by name and value.
    const postingsKeys: { name: string; value: string; offset: number }[] = [];
    const writeList = async (name: string, value: string, ids: readonly number[]): Promise<void> => {
      await w.padTo(4);
      postingsKeys.push({ name, value, offset: w.pos });
      e.reset();
      e.putBE32(ids.length);
      for (const id of ids) e.putBE32(id);
      await w.section(e.get());
    };
    await writeList('', '', all);
    for (const name of names) {
      const values = postings.get(name)!;
      for (const v of [...values.keys()].sort(compareStrings)) await writeList(name, v, values.get(v)!);
    }

    // Legacy label offset table.
    const tocLabelOffsetTable = w.pos;
    e.reset();
    e.putBE32(names.length);
    names.forEach((name, i) => {
      e.putUvarint(1);
      e.putUvarintStr(name);
      e.putUvarint(labelIndexOffsets[i]!);
    });
    await w.section(e.get());

    // Postings offset table.
    const tocPostingsOffsetTable = w.pos;
    e.reset();
    e.putBE32(postingsKeys.length);
    for (const k of postingsKeys) {
      e.putUvarint(2);
      e.putUvarintStr(k.name);
      e.putUvarintStr(k.value);
      e.putUvarint(k.offset);
    }
    await w.section(e.get());

    // TOC.
    e.reset();
    for (const v of [tocSymbols, tocSeries, tocLabelIndices, tocLabelOffsetTable, tocPostings, tocPostingsOffsetTable]) e.putBE64(v);
    e.putBE32(crc32c(e.get()));
    await w.put(e.get());
    await w.flush();
    await file.sync();
  } finally {
    await file.close();
  }
}

function labelsText(ls: Labels): string {
  return '{' + ls.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(', ') + '}';
}
