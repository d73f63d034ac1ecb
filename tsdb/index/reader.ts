/**
 * Reads an index file (format version 2) held in memory. The constructor validates the magic,
 * version, TOC, symbol table and postings offset table (CRCs included) and throws with
 * Prometheus-like messages (`read symbols: invalid checksum`); series and postings lists are
 * decoded, CRC checked, when asked for.
 */

import { crc32c } from '../encoding/crc32c.js';
import { Decbuf, readBE32 } from '../encoding/encbuf.js';
import { compareStrings, type Label } from '../labels.js';
import type { Matcher } from '../matchers.js';
import { intersectPostings, mergePostings, withoutPostings } from './postings.js';
import { INDEX_MAGIC, INDEX_VERSION, TOC_SIZE, type ChunkMeta, type IndexSeries } from './writer.js';

export interface TOC {
  readonly symbols: number;
  readonly series: number;
  readonly labelIndices: number;
  readonly labelOffsetTable: number;
  readonly postings: number;
  readonly postingsOffsetTable: number;
}

interface NameEntry {
  /** Sorted byte-wise. */
  readonly values: string[];
  readonly offsets: Map<string, number>;
}

export class IndexReader {
  readonly toc: TOC;
  private readonly buf: Buffer;
  private readonly syms: string[];
  private readonly table = new Map<string, NameEntry>();
  private readonly names: string[];
  private allPostingsOffset = -1;

  constructor(readonly b: Uint8Array) {
    this.buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    if (b.length < 5 + TOC_SIZE) throw new Error(`index size ${b.length} is too small`);
    const magic = readBE32(b, 0);
    if (magic !== INDEX_MAGIC) throw new Error(`invalid magic number ${magic.toString(16)}`);
    if (b[4] !== INDEX_VERSION) throw new Error(`unknown index file version ${b[4]}`);
    this.toc = this.readTOC();
    this.syms = this.readSymbols();
    this.readPostingsTable();
    this.names = [...this.table.keys()].filter((n) => n !== '').sort(compareStrings);
  }

  private readTOC(): TOC {
    const at = this.b.length - TOC_SIZE;
    if (readBE32(this.b, at + 48) !== crc32c(this.b, at, at + 48)) throw new Error('read TOC: invalid checksum');
    const d = new Decbuf(this.b, at, at + 48);
    return {
      symbols: d.be64(),
      series: d.be64(),
      labelIndices: d.be64(),
      labelOffsetTable: d.be64(),
      postings: d.be64(),
      postingsOffsetTable: d.be64(),
    };
  }

  /** A `be32 len | payload | be32 crc` section at `off`, CRC checked; a Decbuf over the payload. */
  private section(off: number, what: string): Decbuf {
    if (off < 0 || off + 4 > this.b.length) throw new Error(`${what}: invalid size`);
    const len = readBE32(this.b, off);
    const end = off + 4 + len;
    if (end + 4 > this.b.length) throw new Error(`${what}: invalid size`);
    if (readBE32(this.b, end) !== crc32c(this.b, off + 4, end)) throw new Error(`${what}: invalid checksum`);
    return new Decbuf(this.b, off + 4, end);
  }

  private str(d: Decbuf): string {
    const n = d.uvarint();
    const start = d.pos;
    d.skip(n);
    return this.buf.toString('utf8', start, start + n);
  }

  private readSymbols(): string[] {
    if (this.toc.symbols === 0) return [];
    const d = this.section(this.toc.symbols, 'read symbols');
    const n = d.be32();
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = this.str(d);
    if (d.err()) throw new Error(`read symbols: ${d.err()!.message}`);
    return out;
  }

  private readPostingsTable(): void {
    if (this.toc.postingsOffsetTable === 0) return;
    const d = this.section(this.toc.postingsOffsetTable, 'read postings offset table');
    const n = d.be32();
    let lastName: string | null = null;
    let entry: NameEntry | null = null;
    for (let i = 0; i < n && !d.err(); i++) {
      const keys = d.uvarint();
      if (keys !== 2) throw new Error(`read postings offset table: unexpected key length for posting table ${keys}`);
      const name = this.str(d);
      const value = this.str(d);
      const off = d.uvarint();
      if (name === '' && value === '') {
        this.allPostingsOffset = off;
        continue;
      }
      if (name !== lastName) {
        entry = this.table.get(name) ?? { values: [], offsets: new Map() };
        this.table.set(name, entry);
        lastName = name;
      }
      entry!.values.push(value);
      entry!.offsets.set(value, off);
    }
    if (d.err()) throw new Error(`read postings offset table: ${d.err()!.message}`);
  }

  symbols(): readonly string[] {
    return this.syms;
  }

  private symbol(ref: number): string {
    const s = this.syms[ref];
    if (s === undefined) throw new Error(`symbol reference ${ref} out of range (${this.syms.length} symbols)`);
    return s;
  }

  labelNames(): string[] {
    return [...this.names];
  }

  labelValues(name: string): string[] {
    return [...(this.table.get(name)?.values ?? [])];
  }

  private postingsAt(off: number): number[] {
    const d = this.section(off, 'read postings');
    const n = d.be32();
    if (d.remaining() !== n * 4) throw new Error(`read postings: ${n} ids do not fit the list's length`);
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = d.be32();
    return out;
  }

  /** The union of the postings of name=v for each v in values, ascending. */
  postings(name: string, values: readonly string[]): number[] {
    const e = this.table.get(name);
    if (!e) return [];
    const lists: number[][] = [];
    for (const v of values) {
      const off = e.offsets.get(v);
      if (off !== undefined) lists.push(this.postingsAt(off));
    }
    return mergePostings(lists);
  }

  /** Every series id, ascending. */
  allPostings(): number[] {
    return this.allPostingsOffset < 0 ? [] : this.postingsAt(this.allPostingsOffset);
  }

  /** The series with id `id` (its byte offset / 16). */
  series(id: number): IndexSeries {
    const off = id * 16;
    if (off < this.toc.series || off >= this.b.length) throw new Error(`read series ${id}: offset ${off} out of range`);
    const lenDec = new Decbuf(this.b, off, Math.min(off + 5, this.b.length));
    const len = lenDec.uvarint();
    const start = lenDec.pos;
    const end = start + len;
    if (lenDec.err() || end + 4 > this.b.length) throw new Error(`read series ${id}: invalid size`);
    if (readBE32(this.b, end) !== crc32c(this.b, start, end)) throw new Error(`read series ${id}: invalid checksum`);
    const d = new Decbuf(this.b, start, end);
    const nl = d.uvarint();
    const labels: Label[] = [];
    for (let i = 0; i < nl && !d.err(); i++) {
      const name = this.symbol(d.uvarint());
      const value = this.symbol(d.uvarint());
      labels.push({ name, value });
    }
    const nc = d.uvarint();
    const chunks: ChunkMeta[] = [];
    let maxT = 0;
    let ref = 0;
    for (let i = 0; i < nc && !d.err(); i++) {
      let minT: number;
      if (i === 0) {
        minT = d.varint();
        maxT = minT + d.uvarintSigned();
        ref = d.uvarint();
      } else {
        minT = maxT + d.uvarintSigned();
        maxT = minT + d.uvarintSigned();
        ref += d.varint();
      }
      chunks.push({ minT, maxT, ref });
    }
    if (d.err()) throw new Error(`read series ${id}: ${d.err()!.message}`);
    return { labels, chunks };
  }

  /** The ids of the series `matchers` select, ascending (Prometheus's PostingsForMatchers). */
  postingsForMatchers(matchers: readonly Matcher[]): number[] {
    const its: number[][] = [];
    const notIts: number[][] = [];
    // Positive lists first, shortest (equality) first, so an empty one ends the work early.
    const ordered = [...matchers].sort((a, b) => rank(a) - rank(b));
    for (const m of ordered) {
      if (!m.matchesEmpty()) {
        const list = this.postingsFor(m, true);
        if (list.length === 0) return [];
        its.push(list);
      } else {
        // Matches "", so series without the label too: remove those whose value fails it.
        // (Prometheus distinguishes labels another matcher forces to be set; the result is
        // the same.)
        notIts.push(this.postingsFor(m, false));
      }
    }
    if (its.length === 0) {
      if (notIts.length === 0) return [];
      its.push(this.allPostings());
    }
    let out = its[0]!;
    for (let i = 1; i < its.length && out.length > 0; i++) out = intersectPostings(out, its[i]!);
    for (const n of notIts) if (out.length > 0) out = withoutPostings(out, n);
    return out;
  }

  /** Postings of the values of m.name that m matches (want = true) or does not match. */
  private postingsFor(m: Matcher, want: boolean): number[] {
    const e = this.table.get(m.name);
    if (!e) return [];
    if (m.type === '=' && want) return this.postings(m.name, [m.value]);
    if (m.type === '!=' && !want) return this.postings(m.name, [m.value]);
    const values = e.values.filter((v) => m.matches(v) === want);
    return this.postings(m.name, values);
  }
}

function rank(m: Matcher): number {
  return m.type === '=' ? 0 : m.type === '=~' ? 1 : 2;
}

