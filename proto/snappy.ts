/**
 * Snappy block format (not the framed stream format), as remote write and read use it.
 * Two codecs: the pure-JS `snappyjs` and the native `snappy` (napi-rs). Measured side by side
 * on remote-write bodies (bench/proto-decode.ts, bench/RESULTS.md) the synchronous JS one was
 * as fast or faster than the synchronous native one — the native call and its Buffer copies
 * cost more than they save at these sizes — so it is the default for synchronous use. The push
 * path decodes with the native codec's asynchronous call instead (snappyDecodeAsync), which runs
 * on libuv's thread pool and leaves the event loop to decoding and appending; with the WAL on,
 * 100k series, it used 3.2–4.2 CPU-µs per sample on the main thread against 4.6 for the
 * synchronous JS codec. `VIGIL_SNAPPY=js|native` forces one synchronous codec everywhere.
 * The uncompressed length is read from the preamble first, so a body that declares more than
 * the caller's limit is refused before anything is allocated.
 */

import { createRequire } from 'node:module';

interface Codec {
  compress(b: Uint8Array): Uint8Array;
  uncompress(b: Uint8Array): Uint8Array;
}

interface AsyncNative {
  uncompress(b: Uint8Array): Promise<Uint8Array>;
}

const require = createRequire(import.meta.url);

function loadNative(): Codec | null {
  try {
    const m = require('snappy') as {
      compressSync(b: Buffer): Buffer;
      uncompressSync(b: Buffer, o: { asBuffer: true }): Buffer;
    };
    return {
      compress: (b) => m.compressSync(Buffer.from(b.buffer, b.byteOffset, b.byteLength)),
      uncompress: (b) => m.uncompressSync(Buffer.from(b.buffer, b.byteOffset, b.byteLength), { asBuffer: true }),
    };
  } catch {
    return null;
  }
}

function loadAsyncNative(): AsyncNative | null {
  try {
    const m = require('snappy') as { uncompress(b: Buffer, o: { asBuffer: true }): Promise<Buffer> };
    return { uncompress: (b) => m.uncompress(Buffer.from(b.buffer, b.byteOffset, b.byteLength), { asBuffer: true }) };
  } catch {
    return null;
  }
}

function loadJs(): Codec {
  const m = require('snappyjs') as { compress(b: Uint8Array): Uint8Array; uncompress(b: Uint8Array): Uint8Array };
  return { compress: (b) => m.compress(b), uncompress: (b) => m.uncompress(b) };
}

const native = loadNative();
const js = loadJs();
const useNative = process.env.VIGIL_SNAPPY === 'native' && native !== null;
const codec: Codec = useNative ? native : js;

export const snappyImplementation: 'native' | 'js' = useNative ? 'native' : 'js';

/** The length the preamble declares (a uvarint of at most 32 bits); throws on a bad preamble. */
export function snappyUncompressedLength(buf: Uint8Array): number {
  let v = 0;
  for (let i = 0; i < 5; i++) {
    if (i >= buf.length) throw new Error('snappy: truncated length preamble');
    const b = buf[i]!;
    v += (b & 0x7f) * 2 ** (7 * i);
    if (b < 0x80) {
      if (v > 0xffffffff) throw new Error('snappy: declared length overflows 32 bits');
      return v;
    }
  }
  throw new Error('snappy: length preamble longer than 5 bytes');
}

export function snappyDecode(buf: Uint8Array, maxLength: number): Uint8Array {
  const n = snappyUncompressedLength(buf);
  if (n > maxLength) throw new Error(`snappy: declared length ${n} exceeds the limit of ${maxLength} bytes`);
  let out: Uint8Array;
  try {
    out = codec.uncompress(buf);
  } catch (e) {
    throw new Error(`snappy: corrupt input (${(e as Error).message})`);
  }
  if (out.length !== n) throw new Error(`snappy: corrupt input (declared ${n} bytes, produced ${out.length})`);
  return out;
}

const asyncNative = process.env.VIGIL_SNAPPY === 'js' || process.env.VIGIL_SNAPPY === 'native' ? null : loadAsyncNative();

/**
 * snappyDecode off the event loop: the native codec's asynchronous call runs on libuv's thread
 * pool, so a busy push path keeps its one thread for decoding and appending. Falls back to the
 * synchronous codec where the native one cannot load.
 */
export async function snappyDecodeAsync(buf: Uint8Array, maxLength: number): Promise<Uint8Array> {
  if (asyncNative === null) return snappyDecode(buf, maxLength);
  const n = snappyUncompressedLength(buf);
  if (n > maxLength) throw new Error(`snappy: declared length ${n} exceeds the limit of ${maxLength} bytes`);
  let out: Uint8Array;
  try {
    out = await asyncNative.uncompress(buf);
  } catch (e) {
    throw new Error(`snappy: corrupt input (${(e as Error).message})`);
  }
  if (out.length !== n) throw new Error(`snappy: corrupt input (declared ${n} bytes, produced ${out.length})`);
  return out;
}

export function snappyEncode(buf: Uint8Array): Uint8Array {
  return codec.compress(buf);
}

/** Both codecs, for tests and benchmarks that compare them. */
export const snappyCodecs: { readonly native: Codec | null; readonly js: Codec } = { native, js };
