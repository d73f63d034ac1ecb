/** Prometheus model durations (rule files, PromQL): what parses, what is rejected with which message, how they print. */

import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

const H = 3600_000;
const D = 24 * H;

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['0s', 0],
    ['1ms', 1],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 1.5 * H],
    ['2d', 2 * D],
    ['1w', 7 * D],
    ['1y', 365 * D],
    ['1y2w3d4h5m6s7ms', 365 * D + 14 * D + 3 * D + 4 * H + 5 * 60_000 + 6000 + 7],
    ['90m', 90 * 60_000],
    ['292y', 292 * 365 * D],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ['', 'empty duration string'],
    ['1.5h', 'not a valid duration string: "1.5h"'],
    ['-1m', 'not a valid duration string: "-1m"'],
    ['5m1h', 'not a valid duration string: "5m1h"'],
    ['1h 30m', 'not a valid duration string: "1h 30m"'],
    ['10', 'not a valid duration string: "10"'],
    ['1us', 'not a valid duration string: "1us"'],
    ['1m1m', 'not a valid duration string: "1m1m"'],
    ['300y', 'duration out of range'],
  ])('%j is rejected: %s', (text, msg) => {
    expect(() => parseDuration(text)).toThrow(msg);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [1, '1ms'],
    [1500, '1s500ms'],
    [90 * 60_000, '1h30m'],
    [2 * D, '2d'],
    [7 * D, '1w'],
    [90 * D, '90d'],
    [365 * D, '1y'],
    [14 * D + H, '14d1h'],
    [366 * D, '366d'],
  ])('%d ms prints %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips what it prints', () => {
    for (const ms of [1, 999, 61_000, 25 * H, 8 * D, 365 * D, 730 * D + 1]) expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});
