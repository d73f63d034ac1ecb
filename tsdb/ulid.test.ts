import { describe, expect, it } from 'vitest';
import { isULID, newULID, ulidTime } from './ulid.js';

describe('ULID', () => {
  it('encodes the creation time in the first 10 characters and 80 random bits after', () => {
    const t = 1_700_000_000_000;
    const a = newULID(t);
    expect(a).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    expect(ulidTime(a)).toBe(t);
    expect(a.slice(0, 10)).toBe('01HF7YAT00');
    const many = new Set(Array.from({ length: 1000 }, () => newULID(t)));
    expect(many.size).toBe(1000);
    expect(new Set([...many].map((u) => u.slice(10, 11))).size).toBeGreaterThan(16);
  });

  it('matches the reference ULID and its time', () => {
    // 01M874EE679RRS8S23597EXC68 from the format reference: created by promtool on 2026-11-24T15:57:58.343Z.
    expect(isULID('01M874EE679RRS8S23597EXC68')).toBe(true);
    expect(ulidTime('01M874EE679RRS8S23597EXC68')).toBe(1_795_535_878_343);
    expect(newULID(0).slice(0, 10)).toBe('0000000000');
    expect(newULID(2 ** 48 - 1).slice(0, 10)).toBe('7ZZZZZZZZZ');
  });

  it('rejects what is not a ULID', () => {
    for (const s of ['', 'wal', '01M874EE679RRS8S23597EXC6', '81M874EE679RRS8S23597EXC68', '01M874EE679RRS8S23597EXC6U', '01M874EE679RRS8S23597EXC68.tmp-for-creation']) {
      expect(isULID(s)).toBe(false);
    }
    expect(isULID('01m874ee679rrs8s23597exc68')).toBe(true);
    expect(() => ulidTime('nope')).toThrow(/not a ULID/);
    expect(() => newULID(2 ** 48)).toThrow(/out of range/);
  });
});
