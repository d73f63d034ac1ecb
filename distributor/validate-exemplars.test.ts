import { describe, expect, it } from 'vitest';
import { WriteBatch } from '../proto/write-batch.js';
import { decodeWriteRequestV1 } from '../proto/write-decoder.js';
import { type EncExemplar, encodeWriteRequestV1 } from '../proto/write-encoder.js';
import { type ExemplarsResult, validateExemplars } from './validate-exemplars.js';

function batchWith(exemplars: EncExemplar[]): WriteBatch {
  const b = new WriteBatch();
  decodeWriteRequestV1(encodeWriteRequestV1({ timeseries: [{ labels: [{ name: '__name__', value: 'm' }, { name: 'job', value: 'j' }], samples: [], exemplars }] }), b);
  return b;
}

const result = (): ExemplarsResult => ({ error: null, kept: 0, discarded: new Map() });
const trace = (value: string, timestamp = 5): EncExemplar => ({ labels: [{ name: 'trace_id', value }], value: 1, timestamp });

describe('exemplar validation', () => {
  it('counts the label set in UTF-8 characters, not bytes: 128 pass, 129 do not', () => {
    // "trace_id" is 8 characters; 120 two-byte characters make 128.
    const b = batchWith([trace('é'.repeat(120)), trace('é'.repeat(121), 6)]);
    const r = validateExemplars(b, 0, result());
    expect(r.kept).toBe(1);
    expect(b.exemplarCount[0]).toBe(1);
    expect(b.exTs[b.exemplarStart[0]!]).toBe(5);
    expect(r.error?.reason).toBe('exemplar_labels_too_long');
    expect(r.error?.message).toBe(`exemplar combined labelset exceeds 128 characters, timestamp: 6 series: {__name__="m", job="j"} labels: {trace_id="${'é'.repeat(121)}"}`);
  });

  it('refuses missing labels before a missing timestamp, and keeps the order of the good ones', () => {
    const b = batchWith([{ labels: [], value: 1, timestamp: 0 }, trace('a', 0), trace('b', 7), trace('c', 9)]);
    const r = validateExemplars(b, 0, result());
    expect(r.error?.message).toBe('exemplar missing labels, timestamp: 0 series: {__name__="m", job="j"} labels: {}');
    expect([...r.discarded]).toEqual([
      ['exemplar_labels_missing', 1],
      ['exemplar_timestamp_invalid', 1],
    ]);
    expect(r.kept).toBe(2);
    const x0 = b.exemplarStart[0]!;
    expect([b.exTs[x0], b.exTs[x0 + 1]]).toEqual([7, 9]);
    expect(b.seriesLen[0]).toBe(0);
  });

  it('changes nothing when every exemplar is valid', () => {
    const b = batchWith([trace('a'), trace('b', 6)]);
    const len = b.seriesLen[0];
    const r = validateExemplars(b, 0, result());
    expect(r).toEqual({ error: null, kept: 2, discarded: new Map() });
    expect(b.seriesLen[0]).toBe(len);
  });
});
