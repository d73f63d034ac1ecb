/** Table tests of the humanize* functions against values Prometheus 2.42 prints. */
import { describe, expect, it } from 'vitest';
import { goFormatG, humanize, humanize1024, humanizeDuration, humanizePercentage } from './humanize.js';

describe('goFormatG', () => {
  it.each([
    [1, '1'], [1.5, '1.5'], [1000, '1000'], [1234567, '1.235e+06'], [0.0001234, '0.0001234'], [0.00001234, '1.234e-05'], [NaN, 'NaN'], [-Infinity, '-Inf'], [12345, '1.234e+04'],
  ])('%%.4g of %s', (v, want) => expect(goFormatG(v, 4)).toBe(want));
});

describe('humanize', () => {
  it.each([
    [0, '0'], [1e-9, '1n'], [1234567, '1.235M'], [NaN, 'NaN'], [Infinity, '+Inf'], [-1500, '-1.5k'], [0.5, '500m'], [999, '999'],
  ])('humanize(%s)', (v, want) => expect(humanize(v)).toBe(want));
  it.each([[1, '1'], [1024, '1ki'], [1536, '1.5ki'], [1048576, '1Mi'], [-1, '-1']])('humanize1024(%s)', (v, want) => expect(humanize1024(v)).toBe(want));
  it.each([
    [0, '0s'], [1.5, '1.5s'], [0.123, '123ms'], [93784, '1d 2h 3m 4s'], [-65, '-1m 5s'], [3600, '1h 0m 0s'], [NaN, 'NaN'], [1e-7, '100ns'],
  ])('humanizeDuration(%s)', (v, want) => expect(humanizeDuration(v)).toBe(want));
  it.each([[0.1234, '12.34%'], [1, '100%'], [0, '0%']])('humanizePercentage(%s)', (v, want) => expect(humanizePercentage(v)).toBe(want));
});

describe('agrees with promtool 2.42', () => {
  it('renders the same line promtool test rules printed for these values', () => {
    // Observed from `promtool test rules` with the annotation
    // {{ humanize 1234567.0 }}|{{ humanize 1e-9 }}|{{ humanize 12345.0 }}|{{ humanize1024 1536.0 }}|{{ humanizeDuration -65.0 }}|
    // {{ humanizeDuration 93784.0 }}|{{ humanizeDuration 0.123 }}|{{ humanizePercentage 0.1234 }}|{{ humanize -1500.0 }}|{{ humanizeDuration 1e-7 }}
    const got = [humanize(1234567), humanize(1e-9), humanize(12345), humanize1024(1536), humanizeDuration(-65), humanizeDuration(93784), humanizeDuration(0.123), humanizePercentage(0.1234), humanize(-1500), humanizeDuration(1e-7)].join('|');
    expect(got).toBe('1.235M|1n|12.35k|1.5ki|-1m 5s|1d 2h 3m 4s|123ms|12.34%|-1.5k|100ns');
  });
});
