/**
 * Where a query keeps the samples it loaded: each series gets views of shared pages instead of
 * arrays of its own. A typed array of its own brings a backing store of its own, which at 100k
 * series costs the allocator and the collector far more than the bytes suggest; pages cost one
 * backing store per 64k samples. A series too long for a page keeps arrays of its own.
 */

import type { SampleBuffer } from '../tsdb/storage.js';

const PAGE = 1 << 16;

export class SampleArena {
  private ts = new Float64Array(0);
  private vs = new Float64Array(0);
  private used = 0;

  /** The first buf.n samples of buf, copied. */
  copy(buf: SampleBuffer): { ts: Float64Array; vs: Float64Array } {
    const n = buf.n;
    if (n > PAGE / 8) return { ts: buf.ts.slice(0, n), vs: buf.vs.slice(0, n) };
    if (this.used + n > this.ts.length) {
      this.ts = new Float64Array(PAGE);
      this.vs = new Float64Array(PAGE);
      this.used = 0;
    }
    const at = this.used;
    const dt = this.ts;
    const dv = this.vs;
    const st = buf.ts;
    const sv = buf.vs;
    // Value bits copy exactly between Float64Arrays (NaN payloads included): no number is formed.
    for (let k = 0; k < n; k++) {
      dt[at + k] = st[k]!;
      dv[at + k] = sv[k]!;
    }
    this.used = at + n;
    return { ts: dt.subarray(at, at + n), vs: dv.subarray(at, at + n) };
  }
}
