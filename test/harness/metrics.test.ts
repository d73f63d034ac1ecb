import { expect, it } from 'vitest';
import { metricSum, parseExposition } from './metrics.js';

const TEXT = `# HELP x_total things
# TYPE x_total counter
x_total{reason="a",user="t1"} 3
x_total{reason="b",user="t1"} 4.5
x_total{reason="a",user="t2"} 1
y 7 1700000000000
z{v="q\\"uote"} +Inf
`;

it('parses exposition lines and sums by label subset', () => {
  expect(parseExposition(TEXT)).toHaveLength(5);
  expect(metricSum(TEXT, 'x_total')).toBe(8.5);
  expect(metricSum(TEXT, 'x_total', { user: 't1' })).toBe(7.5);
  expect(metricSum(TEXT, 'x_total', { reason: 'a', user: 't2' })).toBe(1);
  expect(metricSum(TEXT, 'y')).toBe(7);
  expect(parseExposition(TEXT).at(-1)).toEqual({ name: 'z', labels: { v: 'q"uote' }, value: Infinity });
  expect(metricSum(TEXT, 'absent')).toBe(0);
});
