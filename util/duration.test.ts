import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
    ['1w', 604_800_000],
    ['500ms', 500],
    ['1.5h', 5_400_000],
    ['14d', 1_209_600_000],
    ['-5m', -300_000],
  ])('%s = %d ms', (s, ms) => {
    expect(parseDuration(s)).toBe(ms);
  });

  it.each(['', 'abc', '10', '5x', 'm'])('rejects %j', (s) => {
    expect(() => parseDuration(s)).toThrow(/duration/);
  });

  it('formats like Prometheus', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(1_209_600_000)).toBe('2w');
    expect(formatDuration(1500)).toBe('1s500ms');
  });
});
