/** The alert queue: dropping the oldest, per-tenant batches, compaction. */

import { describe, expect, it } from 'vitest';
import { AlertQueue, type QueuedAlert } from './queue.js';

const q = (tenant: string, i: number): QueuedAlert => ({ tenant, json: String(i) });
const ids = (xs: readonly QueuedAlert[]): string[] => xs.map((x) => `${x.tenant}:${x.json}`);

describe('AlertQueue', () => {
  it('drops the oldest queued alerts to fit new ones', () => {
    const aq = new AlertQueue(3);
    expect(aq.push([q('a', 1), q('a', 2)])).toBe(0);
    expect(aq.push([q('a', 3), q('a', 4)])).toBe(1);
    expect(ids(aq.takeBatch(10))).toEqual(['a:2', 'a:3', 'a:4']);
    expect(aq.length).toBe(0);
  });

  it('keeps only the newest of a hand-over larger than the capacity', () => {
    const aq = new AlertQueue(2);
    aq.push([q('a', 0)]);
    expect(aq.push([q('a', 1), q('a', 2), q('a', 3)])).toBe(2);
    expect(ids(aq.takeBatch(10))).toEqual(['a:2', 'a:3']);
  });

  it('takes batches of the oldest alert\'s tenant, leaving the others in order', () => {
    const aq = new AlertQueue(100);
    aq.push([q('a', 1), q('b', 1), q('a', 2), q('b', 2), q('a', 3), q('c', 1), q('a', 4)]);
    expect(ids(aq.takeBatch(2))).toEqual(['a:1', 'a:2']);
    expect(aq.length).toBe(5);
    expect(ids(aq.takeBatch(10))).toEqual(['b:1', 'b:2']);
    expect(ids(aq.takeBatch(10))).toEqual(['a:3', 'a:4']);
    expect(ids(aq.takeBatch(10))).toEqual(['c:1']);
    expect(aq.takeBatch(10)).toEqual([]);
  });

  it('stays consistent over many pushes and takes (compaction)', () => {
    const aq = new AlertQueue(5000);
    let next = 0;
    let expected = 0;
    let dropped = 0;
    let taken = 0;
    for (let round = 0; round < 50; round++) {
      const n = 300 + ((round * 37) % 200);
      dropped += aq.push(Array.from({ length: n }, () => q('t', next++)));
      expected = Math.max(expected, next - aq.length);
      for (let k = 0; k < 3; k++) {
        for (const a of aq.takeBatch(64)) {
          expect(Number(a.json)).toBe(expected++);
          taken++;
        }
      }
    }
    expect(dropped).toBeGreaterThan(0);
    expect(dropped + taken + aq.length).toBe(next);
    expect(aq.clear()).toBe(next - expected);
    expect(aq.length).toBe(0);
  });

  it('refuses a capacity below 1', () => {
    expect(() => new AlertQueue(0)).toThrow(/positive integer/);
  });
});
