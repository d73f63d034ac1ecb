import { describe, expect, it } from 'vitest';
import { labelsFromRecord } from '../../tsdb/labels.js';
import { parseLoadSeries, parseMetric, parseSeriesDesc } from './series-desc.js';

const err = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
};

describe('series descriptions as promtool 2.42 parses them', () => {
  it('expands values: steps up and down, repeats, blanks, stale, octal and special numbers', () => {
    expect(parseSeriesDesc('m{a="1"}', '1+2x3 10-1x2 5x1 _ _x2 stale 010 Inf -Inf').values).toEqual([1, 3, 5, 7, 10, 9, 8, 5, 5, null, null, null, 'stale', 8, Infinity, -Infinity]);
    expect(parseSeriesDesc('m', '0x10').values).toEqual(Array(11).fill(0));
    const stale = parseSeriesDesc('m', 'stale+1x2').values;
    expect(stale[0]).toBe('stale');
    expect(stale.slice(1).every((v) => typeof v === 'number' && Number.isNaN(v))).toBe(true);
    expect(parseSeriesDesc('sum{__name__="x", b=""}', '1').labels).toEqual(labelsFromRecord({ __name__: 'sum' }));
  });

  it("reports Prometheus's first parse error, positioned in the `series values` line", () => {
    expect(err(() => parseSeriesDesc('m{a="1"}', '1 2 x3'))).toBe('1:14: parse error: unexpected "x"');
    expect(err(() => parseSeriesDesc('m{a="1"}', '1+x3'))).toBe('1:12: parse error: unexpected "x" in series values');
    expect(err(() => parseSeriesDesc('m{a="1"}', '1+2 3'))).toBe('1:13: parse error: unexpected " " in series values');
    expect(err(() => parseSeriesDesc('m', '1 two'))).toBe('1:5: parse error: unexpected identifier "two" in series values, expected number or "stale"');
    expect(err(() => parseSeriesDesc('m', 'stalex3'))).toBe('1:3: parse error: unexpected identifier "stalex3" in series values, expected number or "stale"');
    expect(err(() => parseSeriesDesc('m', '1+1x2.5'))).toBe('1:7: parse error: invalid repetition in series values: strconv.ParseUint: parsing "2.5": invalid syntax');
    expect(err(() => parseSeriesDesc('m', '1 2abc'))).toBe('1:5: parse error: bad number syntax: "2"');
    expect(err(() => parseSeriesDesc('m', '1 ('))).toBe("1:5: parse error: unexpected character in series sequence: '('");
    expect(err(() => parseSeriesDesc('m{a=~"1"}', '1'))).toBe('1:4: parse error: unexpected <op:=~> in label set, expected "="');
  });
});

describe("expected samples' labels as parser.ParseMetric reads them", () => {
  it('takes an empty string or {} as no labels, keeps empty values without a name, lets the name win', () => {
    expect(parseMetric('')).toEqual([]);
    expect(parseMetric('{}')).toEqual([]);
    expect(parseMetric('{a="1", b=""}')).toEqual([
      { name: 'a', value: '1' },
      { name: 'b', value: '' },
    ]);
    expect(parseMetric('bar{__name__="foo", a="1",}')).toEqual(labelsFromRecord({ __name__: 'bar', a: '1' }));
  });

  it('rejects matchers other than = and text after the label set with the label-set errors', () => {
    expect(err(() => parseMetric('m{a!="1"}'))).toBe('1:4: parse error: unexpected <op:!=> in label set, expected "="');
    expect(err(() => parseMetric('m{a="1" b="2"}'))).toBe('1:9: parse error: unexpected identifier "b" in label set, expected "," or "}"');
    expect(err(() => parseMetric('m{"a"="b"}'))).toBe('1:3: parse error: unexpected string "\\"a\\"" in label set, expected identifier or "}"');
    expect(err(() => parseMetric('m x'))).toBe('1:3: parse error: unexpected identifier "x"');
  });
});

describe('input series as the lazy loader reads its load command', () => {
  const names = (ds: ReturnType<typeof parseLoadSeries>): string[] => ds.map((d) => d.labels.map((l) => `${l.name}=${l.value}`).join(','));

  it('keeps only the last values of a series given twice, in the place of the first', () => {
    const ds = parseLoadSeries([
      { series: 'up{job="a"}', values: '1 2 3' },
      { series: 'up{job="b"}', values: '5' },
      { series: 'up{job="a"}', values: '7 _ 9' },
    ]);
    expect(names(ds)).toEqual(['__name__=up,job=a', '__name__=up,job=b']);
    expect(ds[0]!.values).toEqual([7, null, 9]);
  });

  it('reads each line of a multi-line value as a series of its own, and stops at an empty or comment line', () => {
    // `x3 4` is the series x3 with the value 4.
    expect(names(parseLoadSeries([{ series: 'm', values: '1 2\n  x3 4 ' }]))).toEqual(['__name__=m', '__name__=x3']);
    // A block scalar's final newline leaves an empty line: the series after it are not loaded.
    expect(names(parseLoadSeries([{ series: 'm', values: '1 2\n' }, { series: 'n', values: '1' }]))).toEqual(['__name__=m']);
    expect(names(parseLoadSeries([{ series: 'm', values: '1\n# note' }, { series: 'n', values: '1' }]))).toEqual(['__name__=m']);
    expect(names(parseLoadSeries([{ series: '', values: '' }, { series: 'n', values: '1' }]))).toEqual([]);
  });

  it('reports a line with no metric as promtool does: in series values, a number ending before `x`', () => {
    expect(err(() => parseLoadSeries([{ series: 'm', values: '1 2\n3 4' }]))).toBe('1:1: parse error: unexpected number "3" in series values');
    expect(err(() => parseLoadSeries([{ series: 'm', values: '1\n3x2' }]))).toBe('1:1: parse error: unexpected number "3" in series values');
    expect(err(() => parseLoadSeries([{ series: 'm', values: '1\n0x10' }]))).toBe('1:1: parse error: unexpected number "0" in series values');
    expect(err(() => parseLoadSeries([{ series: 'm', values: '1\n+3' }]))).toBe('1:1: parse error: unexpected <op:+> in series values');
    // Right after a label set too; after a value, only the token.
    expect(err(() => parseSeriesDesc('m{a="1"}3', ''))).toBe('1:9: parse error: unexpected number "3" in series values');
    expect(err(() => parseSeriesDesc('{}', '1x2x'))).toBe('1:7: parse error: unexpected "x"');
  });
});
