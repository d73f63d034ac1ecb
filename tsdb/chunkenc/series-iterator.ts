/**
 * Samples of one series across its chunks (in time order, non-overlapping), restricted to
 * [mint, maxt] and skipping deleted intervals. Synchronous; the chunks are already in memory.
 * Serves the head (ingester) and blocks alike.
 */

import type { SampleBuffer, SampleIterator } from '../storage.js';
import { chunkIterator, type XorIterator } from './xor.js';

/** A chunk's encoding byte and bytes. */
export interface ChunkData {
  readonly encoding: number;
  readonly data: Uint8Array;
}

/** An inclusive time interval (deleted samples, for instance). */
export interface TimeInterval {
  readonly mint: number;
  readonly maxt: number;
}

/**
 * Series.readInto for chunks in time order: each chunk's samples in [mint, maxt] appended to buf,
 * stopping at the first sample after maxt. Damage is returned as an Error.
 */
export function readChunksInto(chunks: readonly ChunkData[], buf: SampleBuffer, mint: number, maxt: number): Error | null {
  for (const c of chunks) {
    let it: XorIterator;
    try {
      it = chunkIterator(c.encoding, c.data);
    } catch (e) {
      return e as Error;
    }
    const past = it.drainInto(buf, mint, maxt);
    const err = it.err();
    if (err) return err;
    if (past) break;
  }
  return null;
}

export class SeriesChunksIterator implements SampleIterator {
  private i = -1;
  private cur: XorIterator | null = null;
  private error: Error | null = null;
  private done = false;

  constructor(
    private readonly chunks: readonly ChunkData[],
    private readonly mint: number,
    private readonly maxt: number,
    private readonly deleted: readonly TimeInterval[] = [],
  ) {}

  private isDeleted(t: number): boolean {
    for (const iv of this.deleted) if (t >= iv.mint && t <= iv.maxt) return true;
    return false;
  }

  next(): boolean {
    if (this.done) return false;
    for (;;) {
      if (this.cur) {
        while (this.cur.next()) {
          const t = this.cur.atT();
          if (t < this.mint) continue;
          if (t > this.maxt) return this.finish(null);
          if (this.deleted.length > 0 && this.isDeleted(t)) continue;
          return true;
        }
        const e = this.cur.err();
        if (e) return this.finish(e);
      }
      this.i++;
      if (this.i >= this.chunks.length) return this.finish(null);
      const c = this.chunks[this.i]!;
      try {
        this.cur = chunkIterator(c.encoding, c.data);
      } catch (e) {
        return this.finish(e as Error);
      }
    }
  }

  private finish(e: Error | null): false {
    this.done = true;
    this.cur = null;
    this.error = e;
    return false;
  }

  seek(t: number): boolean {
    if (this.done) return false;
    if (this.cur && this.i >= 0 && this.cur.atT() >= t && this.cur.atT() >= this.mint) return true;
    while (this.next()) if (this.cur!.atT() >= t) return true;
    return false;
  }

  atT(): number {
    return this.cur!.atT();
  }

  atV(): number {
    return this.cur!.atV();
  }

  atHi(): number {
    return this.cur!.atHi();
  }

  atLo(): number {
    return this.cur!.atLo();
  }

  err(): Error | null {
    return this.error;
  }
}
