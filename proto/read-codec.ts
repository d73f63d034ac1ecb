/**
 * Remote read (format reference §1.6): decoding `prometheus.ReadRequest`, encoding the SAMPLES
 * answer (`ReadResponse`) and the STREAMED_XOR_CHUNKS frames (`ChunkedReadResponse`, each as
 * `uvarint len · be32 CRC32C(msg) · msg`). A `QueryResult` holds `TimeSeries` in field 1, exactly
 * as a `WriteRequest` does, so the SAMPLES answer reuses the remote-write encoder.
 */

import { crc32c } from '../tsdb/encoding/crc32c.js';
import { Encbuf } from '../tsdb/encoding/encbuf.js';
import { ProtoError, Reader, WIRE_LEN, WIRE_VARINT, utf8String } from './wire.js';
import { type EncSeries, encodeWriteRequestV1 } from './write-encoder.js';

export const ResponseType = { SAMPLES: 0, STREAMED_XOR_CHUNKS: 1 } as const;

export const MatcherType = { EQ: 0, NEQ: 1, RE: 2, NRE: 3 } as const;

export interface ReadMatcher {
  readonly type: number;
  readonly name: string;
  readonly value: string;
}

export interface ReadHints {
  readonly stepMs: number;
  readonly func: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly rangeMs: number;
}

export interface ReadQuery {
  readonly startMs: number;
  readonly endMs: number;
  readonly matchers: readonly ReadMatcher[];
  readonly hints: ReadHints | null;
}

export interface ReadRequest {
  readonly queries: readonly ReadQuery[];
  readonly acceptedResponseTypes: readonly number[];
}

function decodeMatcher(r: Reader, end: number): ReadMatcher {
  let type = 0;
  let name = '';
  let value = '';
  while (r.pos < end) {
    const key = r.uint32(end, 'LabelMatcher');
    const field = key >>> 3;
    const wt = key & 7;
    if (field === 1 && wt === WIRE_VARINT) type = r.uint32(end, 'LabelMatcher.type');
    else if ((field === 2 || field === 3) && wt === WIRE_LEN) {
      const n = r.len(end, 'LabelMatcher string');
      const s = utf8String(r.buf, r.pos, n, field === 2 ? 'LabelMatcher.name' : 'LabelMatcher.value');
      r.pos += n;
      if (field === 2) name = s;
      else value = s;
    } else r.skip(wt, end, 'LabelMatcher');
  }
  if (type > 3) throw new ProtoError(`unknown matcher type ${type}`);
  return { type, name, value };
}

function decodeHints(r: Reader, end: number): ReadHints {
  let stepMs = 0;
  let func = '';
  let startMs = 0;
  let endMs = 0;
  let rangeMs = 0;
  while (r.pos < end) {
    const key = r.uint32(end, 'ReadHints');
    const field = key >>> 3;
    const wt = key & 7;
    if (wt === WIRE_VARINT && (field === 1 || field === 3 || field === 4 || field === 7)) {
      const v = r.int64(end, 'ReadHints');
      if (field === 1) stepMs = v;
      else if (field === 3) startMs = v;
      else if (field === 4) endMs = v;
      else rangeMs = v;
    } else if (field === 2 && wt === WIRE_LEN) {
      const n = r.len(end, 'ReadHints.func');
      func = utf8String(r.buf, r.pos, n, 'ReadHints.func');
      r.pos += n;
    } else r.skip(wt, end, 'ReadHints');
  }
  return { stepMs, func, startMs, endMs, rangeMs };
}

function decodeQuery(r: Reader, end: number): ReadQuery {
  let startMs = 0;
  let endMs = 0;
  const matchers: ReadMatcher[] = [];
  let hints: ReadHints | null = null;
  while (r.pos < end) {
    const key = r.uint32(end, 'Query');
    const field = key >>> 3;
    const wt = key & 7;
    if (field === 1 && wt === WIRE_VARINT) startMs = r.int64(end, 'Query.start_timestamp_ms');
    else if (field === 2 && wt === WIRE_VARINT) endMs = r.int64(end, 'Query.end_timestamp_ms');
    else if (field === 3 && wt === WIRE_LEN) {
      const n = r.len(end, 'Query.matchers');
      matchers.push(decodeMatcher(r, r.pos + n));
    } else if (field === 4 && wt === WIRE_LEN) {
      const n = r.len(end, 'Query.hints');
      hints = decodeHints(r, r.pos + n);
    } else r.skip(wt, end, 'Query');
  }
  return { startMs, endMs, matchers, hints };
}

/** Decode a ReadRequest; throws ProtoError on malformed input. */
export function decodeReadRequest(buf: Uint8Array): ReadRequest {
  const r = new Reader();
  r.reset(buf);
  const end = buf.length;
  const queries: ReadQuery[] = [];
  const types: number[] = [];
  while (r.pos < end) {
    const key = r.uint32(end, 'ReadRequest');
    const field = key >>> 3;
    const wt = key & 7;
    if (field === 1 && wt === WIRE_LEN) {
      const n = r.len(end, 'ReadRequest.queries');
      queries.push(decodeQuery(r, r.pos + n));
    } else if (field === 2 && wt === WIRE_VARINT) {
      types.push(r.uint32(end, 'ReadRequest.accepted_response_types'));
    } else if (field === 2 && wt === WIRE_LEN) {
      // packed repeated enum
      const n = r.len(end, 'ReadRequest.accepted_response_types');
      const stop = r.pos + n;
      while (r.pos < stop) types.push(r.uint32(stop, 'ReadRequest.accepted_response_types'));
    } else if (field === 0) {
      throw new ProtoError(`field number 0 in ReadRequest at offset ${r.pos}`);
    } else r.skip(wt, end, 'ReadRequest');
  }
  return { queries, acceptedResponseTypes: types };
}

/** A SAMPLES answer: one QueryResult of TimeSeries per query, in query order. */
export function encodeReadResponse(results: readonly (readonly EncSeries[])[]): Uint8Array {
  const parts = results.map((series) => encodeWriteRequestV1({ timeseries: series }));
  const e = new Encbuf(16 + parts.reduce((n, p) => n + p.length + 6, 0));
  for (const p of parts) {
    e.putByte(0x0a);
    e.putUvarint(p.length);
    e.putBytes(p);
  }
  return e.get().slice();
}

export interface ReadChunk {
  readonly minT: number;
  readonly maxT: number;
  /** Chunk.Encoding: 1 = XOR. */
  readonly type: number;
  readonly data: Uint8Array;
}

export interface ChunkedSeries {
  readonly labels: readonly { readonly name: string; readonly value: string }[];
  readonly chunks: readonly ReadChunk[];
}

function putLen(e: Encbuf, field: number, body: Uint8Array): void {
  e.putUvarint((field << 3) | WIRE_LEN);
  e.putUvarint(body.length);
  e.putBytes(body);
}

/** One ChunkedReadResponse message (not framed) holding the chunks of one series. */
export function encodeChunkedReadResponse(series: ChunkedSeries, queryIndex: number): Uint8Array {
  const s = new Encbuf(256);
  const tmp = new Encbuf(64);
  for (const l of series.labels) {
    tmp.reset();
    if (l.name !== '') {
      tmp.putByte(0x0a);
      tmp.putUvarintStr(l.name);
    }
    if (l.value !== '') {
      tmp.putByte(0x12);
      tmp.putUvarintStr(l.value);
    }
    putLen(s, 1, tmp.get());
  }
  for (const c of series.chunks) {
    tmp.reset();
    if (c.minT !== 0) {
      tmp.putByte(0x08);
      tmp.putUvarint(c.minT);
    }
    if (c.maxT !== 0) {
      tmp.putByte(0x10);
      tmp.putUvarint(c.maxT);
    }
    if (c.type !== 0) {
      tmp.putByte(0x18);
      tmp.putUvarint(c.type);
    }
    if (c.data.length > 0) {
      tmp.putByte(0x22);
      tmp.putUvarintBytes(c.data);
    }
    putLen(s, 2, tmp.get());
  }
  const out = new Encbuf(s.len + 16);
  putLen(out, 1, s.get());
  if (queryIndex !== 0) {
    out.putByte(0x10);
    out.putUvarint(queryIndex);
  }
  return out.get().slice();
}

/** A frame of the streamed answer: uvarint length, be32 CRC32C of the message, the message. */
export function frame(msg: Uint8Array): Uint8Array {
  const e = new Encbuf(msg.length + 16);
  e.putUvarint(msg.length);
  e.putBE32(crc32c(msg));
  e.putBytes(msg);
  return e.get().slice();
}
