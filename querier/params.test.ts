import { describe, expect, it } from 'vitest';
import { durationParam, parseTime, startEnd } from './params.js';

describe('query parameters', () => {
  it.each([
    ['1700000000', 1_700_000_000_000],
    ['1700000000.123', 1_700_000_000_123],
    ['2023-11-14T22:13:20Z', 1_700_000_000_000],
    ['2023-11-14T22:13:20.5Z', 1_700_000_000_500],
    ['2023-11-15T00:13:20+02:00', 1_700_000_000_000],
    ['-292273086-05-16T16:47:06Z', -9223309901257974],
  ])('parses time %s', (t, ms) => {
    expect(parseTime(t)).toBe(ms);
  });

  it('refuses garbage times with Prometheus wording', () => {
    expect(parseTime('yesterday')).toBeNull();
    expect(() => startEnd(new Map([['start', 'x']]))).toThrow(`invalid parameter "start": Invalid time value for 'start': cannot parse "x" to a valid timestamp`);
  });

  it('reads durations as seconds or Prometheus durations', () => {
    expect(durationParam(new Map([['step', '15']]), 'step')).toBe(15_000);
    expect(durationParam(new Map([['step', '1m30s']]), 'step')).toBe(90_000);
    expect(() => durationParam(new Map([['step', 'abc']]), 'step')).toThrow(/valid duration/);
  });
});
