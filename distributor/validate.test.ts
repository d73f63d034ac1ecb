import { describe, expect, it } from 'vitest';
import { MetricType, type MetricMetadata, WriteBatch } from '../proto/write-batch.js';
import { type Limits, limitsBlock } from '../util/limits.js';
import { buildBlock } from '../util/options.js';
import { newSeriesResult, validateMetadata, validateSeries, validateSeriesLabels } from './validate.js';

const DEFAULTS: Limits = buildBlock('limits', limitsBlock, {});
const limitsWith = (change: Partial<Record<keyof Limits, unknown>>): Limits => buildBlock('limits', limitsBlock, change);

const NOW = 1_700_000_000_000;
const MIN = 60_000;

/** A label text, or raw bytes for ill-formed UTF-8. */
type Text = string | Uint8Array;
interface SeriesSpec {
  labels: [Text, Text][];
  /** [timestamp, value bits hi, value bits lo] */
  samples?: [number, number, number][];
}

const enc = (t: Text): Uint8Array => (typeof t === 'string' ? new TextEncoder().encode(t) : t);

/** Lay series out in a WriteBatch the way the decoder does: labels as byte ranges of one buffer. */
function batchOf(...series: SeriesSpec[]): WriteBatch {
  const parts: Uint8Array[] = [];
  let off = 0;
  const place = (t: Text): [number, number] => {
    const b = enc(t);
    parts.push(b);
    off += b.length;
    return [off - b.length, b.length];
  };
  const b = new WriteBatch();
  let j = 0;
  let k = 0;
  series.forEach((s, i) => {
    b.ensureSeries(i);
    b.labelStart[i] = j;
    b.labelCount[i] = s.labels.length;
    for (const [name, value] of s.labels) {
      b.ensureLabel(j);
      const [no, nl] = place(name);
      const [vo, vl] = place(value);
      b.labelPos.set([no, nl, vo, vl], 4 * j);
      j++;
    }
    const samples = s.samples ?? [[NOW, 0x3ff00000, 0]];
    b.sampleStart[i] = k;
    b.sampleCount[i] = samples.length;
    for (const [t, hi, lo] of samples) {
      b.ensureSample(k);
      b.ts[k] = t;
      b.valueHi[k] = hi;
      b.valueLo[k] = lo;
      k++;
    }
    b.seriesOff[i] = 1000 + i; // stand-ins for the original byte range
    b.seriesLen[i] = 100;
  });
  const buf = new Uint8Array(off);
  let p = 0;
  for (const part of parts) {
    buf.set(part, p);
    p += part.length;
  }
  b.buf = buf;
  b.seriesCount = series.length;
  b.labelTotal = j;
  b.sampleTotal = k;
  return b;
}

/** Labels of series i as the batch now describes them. */
function labelsOf(b: WriteBatch, i: number): [string, string][] {
  const out: [string, string][] = [];
  const dec = new TextDecoder();
  for (let j = b.labelStart[i]!; j < b.labelStart[i]! + b.labelCount[i]!; j++) {
    const [no, nl, vo, vl] = [b.labelPos[4 * j]!, b.labelPos[4 * j + 1]!, b.labelPos[4 * j + 2]!, b.labelPos[4 * j + 3]!];
    out.push([dec.decode(b.buf.subarray(no, no + nl)), dec.decode(b.buf.subarray(vo, vo + vl))]);
  }
  return out;
}

function samplesOf(b: WriteBatch, i: number): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let k = b.sampleStart[i]!; k < b.sampleStart[i]! + b.sampleCount[i]!; k++) out.push([b.ts[k]!, b.valueHi[k]!, b.valueLo[k]!]);
  return out;
}

const up = (...rest: [Text, Text][]): [Text, Text][] => [['__name__', 'up'], ...rest];

describe('validateSeries: label rules (one rule each, default limits with one change)', () => {
  const cases: { rule: string; labels: [Text, Text][]; limits?: Partial<Record<keyof Limits, unknown>>; reason: string; message: string }[] = [
    { rule: 'empty label set', labels: [], reason: 'missing_metric_name', message: 'empty labels found' },
    { rule: 'missing metric name', labels: [['job', 'node']], reason: 'missing_metric_name', message: 'sample missing metric name' },
    { rule: 'invalid metric name', labels: [['__name__', '1up']], reason: 'metric_name_invalid', message: 'sample invalid metric name: "1up"' },
    { rule: 'metric name with a dash', labels: [['__name__', 'node-up'], ['job', 'x']], reason: 'metric_name_invalid', message: 'sample invalid metric name: "node-up"' },
    { rule: 'empty metric name', labels: [['__name__', ''], ['job', 'x']], reason: 'metric_name_invalid', message: 'sample invalid metric name: ""' },
    {
      rule: 'too many labels',
      labels: up(['b', '2'], ['a', '1']),
      limits: { max_label_names_per_series: 2 },
      reason: 'max_label_names_per_series',
      message: `series has too many labels (actual: 3, limit: 2) series: 'up{a="1", b="2"}'`,
    },
    { rule: 'invalid label name', labels: up(['a-b', 'x']), reason: 'label_invalid', message: 'sample invalid label: "a-b" metric "up{a-b=\\"x\\"}"' },
    { rule: 'label name with a colon', labels: up(['a:b', 'x']), reason: 'label_invalid', message: 'sample invalid label: "a:b" metric "up{a:b=\\"x\\"}"' },
    {
      rule: 'label name too long',
      labels: up(['instance_id', 'x']),
      limits: { max_label_name_length: 10 },
      reason: 'label_name_too_long',
      message: 'label name too long for metric (actual: 11, limit: 10) metric: "up{instance_id=\\"x\\"}" label name: "instance_id"',
    },
    {
      rule: '__name__ counts against the label name length',
      labels: up(),
      limits: { max_label_name_length: 7 },
      reason: 'label_name_too_long',
      message: 'label name too long for metric (actual: 8, limit: 7) metric: "up" label name: "__name__"',
    },
    {
      rule: 'label value too long',
      labels: up(['job', 'abcd']),
      limits: { max_label_value_length: 3 },
      reason: 'label_value_too_long',
      message: 'label value too long for metric (actual: 4, limit: 3) metric: "up{job=\\"abcd\\"}" label name: "job" label value: "abcd"',
    },
    {
      rule: 'label value length counts bytes',
      labels: up(['job', 'éé']),
      limits: { max_label_value_length: 3 },
      reason: 'label_value_too_long',
      message: 'label value too long for metric (actual: 4, limit: 3) metric: "up{job=\\"éé\\"}" label name: "job" label value: "éé"',
    },
    {
      rule: 'the metric name is a label value',
      labels: [['__name__', 'up_total']],
      limits: { max_label_value_length: 4 },
      reason: 'label_value_too_long',
      message: 'label value too long for metric (actual: 8, limit: 4) metric: "up_total" label name: "__name__" label value: "up_total"',
    },
    {
      rule: 'label value not UTF-8',
      labels: up(['job', new Uint8Array([0x61, 0xff])]),
      reason: 'label_value_invalid',
      message: 'label value is not valid UTF-8 for metric: "up{job=\\"a\\\\xff\\"}" label name: "job" label value: "a\\xff"',
    },
    {
      rule: 'duplicate label names',
      labels: up(['a', '1'], ['a', '2']),
      reason: 'duplicate_label_names',
      message: 'duplicate label name: "a" metric "up{a=\\"1\\", a=\\"2\\"}"',
    },
    {
      rule: 'labels size',
      // Each label costs its protobuf size: 2 tags + 2 length bytes + name + value = 4+8+2 and 4+3+4.
      labels: up(['job', 'node']),
      limits: { max_labels_size_bytes: 24 },
      reason: 'labels_size_bytes_exceeded',
      message: 'labels size bytes exceeded for metric (actual: 25, limit: 24) metric: "up{job=\\"node\\"}"',
    },
    // Order of the checks: the first rule broken is the one reported.
    {
      rule: 'too many labels is checked before label names',
      labels: up(['a-b', '1'], ['c', '2']),
      limits: { max_label_names_per_series: 2 },
      reason: 'max_label_names_per_series',
      message: `series has too many labels (actual: 3, limit: 2) series: 'up{a-b="1", c="2"}'`,
    },
    {
      rule: 'an invalid name is reported before its length',
      labels: up(['a-bcdefghijk', 'x']),
      limits: { max_label_name_length: 10 },
      reason: 'label_invalid',
      message: 'sample invalid label: "a-bcdefghijk" metric "up{a-bcdefghijk=\\"x\\"}"',
    },
    {
      rule: 'labels are checked in name order',
      labels: up(['zz', 'toolong'], ['a-b', 'x']),
      limits: { max_label_value_length: 3 },
      reason: 'label_invalid',
      message: 'sample invalid label: "a-b" metric "up{a-b=\\"x\\", zz=\\"toolong\\"}"',
    },
  ];

  it.each(cases)('$rule → $reason', ({ labels, limits, reason, message }) => {
    const b = batchOf({ labels, samples: [[NOW, 0x3ff00000, 0], [NOW + 1000, 0x40000000, 0]] });
    const res = validateSeries(b, 0, limits ? limitsWith(limits) : DEFAULTS, NOW);
    expect(res.error).toEqual({ reason, message, status: 400 });
    expect(res.kept).toBe(0);
    expect(res.discarded).toBe(2);
    expect(res.labelsValid).toBe(false);
  });

  it('cuts long series text to 200 characters, as %.200q does', () => {
    const long = 'x'.repeat(300);
    const b = batchOf({ labels: up(['a', long], ['b-c', '1']) });
    const res = validateSeries(b, 0, DEFAULTS, NOW);
    const inner = `up{a=\\"${long}`.slice(0, 200 + 1); // one escaped quote counts as one character
    expect(res.error?.message).toBe(`sample invalid label: "b-c" metric "${inner}"`);
  });
});

describe('validateSeries: normalisation', () => {
  it('accepts a valid series without changing the batch', () => {
    const b = batchOf({ labels: up(['instance', 'a:9100'], ['job', 'node']), samples: [[NOW, 1, 2], [NOW + 1, 3, 4]] });
    const before = { pos: b.labelPos.slice(), ts: b.ts.slice(), hi: b.valueHi.slice(), lo: b.valueLo.slice() };
    const out = newSeriesResult();
    const res = validateSeries(b, 0, DEFAULTS, NOW, out);
    expect(res).toBe(out);
    expect(res).toEqual({ error: null, kept: 2, discarded: 0, labelsValid: true });
    expect(b.labelPos).toEqual(before.pos);
    expect(b.ts).toEqual(before.ts);
    expect(b.valueHi).toEqual(before.hi);
    expect(b.valueLo).toEqual(before.lo);
    expect(b.labelCount[0]).toBe(3);
    expect(b.sampleCount[0]).toBe(2);
    expect(b.seriesLen[0]).toBe(100);
  });

  it('accepts Unicode label values and colons in metric names', () => {
    const b = batchOf({ labels: [['__name__', 'job:up:sum'], ['city', 'Zürich 😀']] });
    expect(validateSeries(b, 0, DEFAULTS, NOW).error).toBeNull();
  });

  it('removes labels with an empty value (absent in Prometheus) and marks the series re-encoded', () => {
    const b = batchOf({ labels: up(['a', ''], ['job', 'node'], ['z', '']) });
    expect(validateSeries(b, 0, DEFAULTS, NOW).error).toBeNull();
    expect(labelsOf(b, 0)).toEqual([
      ['__name__', 'up'],
      ['job', 'node'],
    ]);
    expect(b.seriesLen[0]).toBe(0);
  });

  it('counts labels after removing the empty ones', () => {
    const b = batchOf({ labels: up(['a', ''], ['b', '']) });
    expect(validateSeries(b, 0, limitsWith({ max_label_names_per_series: 1 }), NOW).error).toBeNull();
  });

  it('sorts unsorted labels in place (byte order) instead of refusing them', () => {
    const b = batchOf({ labels: [['job', 'node'], ['__name__', 'up'], ['Zone', 'a'], ['instance', 'x']] });
    expect(validateSeries(b, 0, DEFAULTS, NOW).error).toBeNull();
    expect(labelsOf(b, 0).map(([n]) => n)).toEqual(['Zone', '__name__', 'instance', 'job']);
    expect(b.seriesLen[0]).toBe(0);
  });

  it('finds duplicates that were not adjacent before sorting', () => {
    const b = batchOf({ labels: [['a', '1'], ['__name__', 'up'], ['a', '2']] });
    expect(validateSeries(b, 0, DEFAULTS, NOW).error).toEqual({
      reason: 'duplicate_label_names',
      message: 'duplicate label name: "a" metric "up{a=\\"1\\", a=\\"2\\"}"',
      status: 400,
    });
  });

  it('validates each series of a batch on its own', () => {
    const b = batchOf({ labels: up(['job', 'a']) }, { labels: [['job', 'b']] }, { labels: up(['job', 'c']) });
    const errs = [0, 1, 2].map((i) => validateSeries(b, i, DEFAULTS, NOW).error?.reason ?? null);
    expect(errs).toEqual([null, 'missing_metric_name', null]);
    expect(validateSeriesLabels(b, 2, DEFAULTS)).toBeNull();
  });
});

describe('validateSeries: sample timestamps', () => {
  const STALE_HI = 0x7ff00000;
  const STALE_LO = 0x00000002;

  it('refuses only samples too far in the future and keeps the others, bits intact', () => {
    const b = batchOf({
      labels: up(['job', 'node']),
      samples: [
        [NOW - MIN, 0x3ff00000, 0],
        [NOW + 11 * MIN, 0x40000000, 0],
        [NOW, STALE_HI, STALE_LO],
        [NOW + 20 * MIN, 0x40080000, 0],
      ],
    });
    const res = validateSeries(b, 0, DEFAULTS, NOW);
    expect(res.error).toEqual({ reason: 'too_far_in_future', message: `timestamp too new: ${NOW + 11 * MIN} metric: "up"`, status: 400 });
    expect(res.kept).toBe(2);
    expect(res.discarded).toBe(2);
    expect(samplesOf(b, 0)).toEqual([
      [NOW - MIN, 0x3ff00000, 0],
      [NOW, STALE_HI, STALE_LO],
    ]);
    expect(b.seriesLen[0]).toBe(0);
  });

  it('accepts a sample exactly at now + creation_grace_period', () => {
    const b = batchOf({ labels: up(), samples: [[NOW + 10 * MIN, 0, 0]] });
    expect(validateSeries(b, 0, DEFAULTS, NOW)).toEqual({ error: null, kept: 1, discarded: 0, labelsValid: true });
  });

  it('follows creation_grace_period', () => {
    const b = batchOf({ labels: up(), samples: [[NOW + 2 * MIN, 0, 0]] });
    const res = validateSeries(b, 0, limitsWith({ creation_grace_period: '1m' }), NOW);
    expect(res.error?.reason).toBe('too_far_in_future');
    expect(res.kept).toBe(0);
  });

  it('accepts old samples unless reject_old_samples is on', () => {
    const old = NOW - 15 * 24 * 60 * MIN;
    const spec = { labels: up(['job', 'node']), samples: [[old, 0, 0] as [number, number, number], [NOW, 0, 0] as [number, number, number]] };
    expect(validateSeries(batchOf(spec), 0, DEFAULTS, NOW)).toEqual({ error: null, kept: 2, discarded: 0, labelsValid: true });

    const b = batchOf(spec);
    const res = validateSeries(b, 0, limitsWith({ reject_old_samples: true }), NOW);
    expect(res.error).toEqual({ reason: 'greater_than_max_sample_age', message: `timestamp too old: ${old} metric: "up"`, status: 400 });
    expect(res.kept).toBe(1);
    expect(samplesOf(b, 0)).toEqual([[NOW, 0, 0]]);
  });

  it('follows reject_old_samples_max_age', () => {
    const b = batchOf({ labels: up(), samples: [[NOW - 2 * 60 * MIN, 0, 0], [NOW - 30 * MIN, 0, 0]] });
    const res = validateSeries(b, 0, limitsWith({ reject_old_samples: true, reject_old_samples_max_age: '1h' }), NOW);
    expect(res.error?.reason).toBe('greater_than_max_sample_age');
    expect(res.kept).toBe(1);
  });

  it('reports the first bad sample when every sample is bad', () => {
    const b = batchOf({ labels: up(), samples: [[NOW + 60 * MIN, 0, 0], [NOW + 61 * MIN, 0, 0]] });
    const res = validateSeries(b, 0, DEFAULTS, NOW);
    expect(res.error?.message).toBe(`timestamp too new: ${NOW + 60 * MIN} metric: "up"`);
    expect(res.kept).toBe(0);
    expect(res.discarded).toBe(2);
  });

  it('leaves the neighbouring series alone', () => {
    const b = batchOf(
      { labels: up(['job', 'a']), samples: [[NOW + 60 * MIN, 0, 0], [NOW, 1, 1]] },
      { labels: up(['job', 'b']), samples: [[NOW, 2, 2], [NOW + 1, 3, 3]] },
    );
    validateSeries(b, 0, DEFAULTS, NOW);
    expect(validateSeries(b, 1, DEFAULTS, NOW)).toEqual({ error: null, kept: 2, discarded: 0, labelsValid: true });
    expect(samplesOf(b, 0)).toEqual([[NOW, 1, 1]]);
    expect(samplesOf(b, 1)).toEqual([
      [NOW, 2, 2],
      [NOW + 1, 3, 3],
    ]);
  });

  it('a series without samples passes with nothing kept', () => {
    const b = batchOf({ labels: up(), samples: [] });
    expect(validateSeries(b, 0, DEFAULTS, NOW)).toEqual({ error: null, kept: 0, discarded: 0, labelsValid: true });
  });
});

describe('validateMetadata', () => {
  const md = (change: Partial<MetricMetadata>): MetricMetadata => ({
    type: MetricType.COUNTER,
    metricFamilyName: 'http_requests_total',
    help: 'Requests served.',
    unit: '',
    ...change,
  });

  it.each([
    { rule: 'valid', m: md({}), limits: {}, want: null },
    { rule: 'missing name', m: md({ metricFamilyName: '' }), limits: {}, want: { reason: 'missing_metric_name', message: 'metadata missing metric name' } },
    {
      rule: 'name too long',
      m: md({ metricFamilyName: 'abcdef' }),
      limits: { max_metadata_length: 5 },
      want: { reason: 'metric_name_too_long', message: `metadata 'METRIC_NAME' value too long: "abcdef" metric "abcdef"` },
    },
    {
      rule: 'help too long',
      m: md({ metricFamilyName: 'up', help: 'a "long" help' }),
      limits: { max_metadata_length: 5 },
      want: { reason: 'help_too_long', message: `metadata 'HELP' value too long: "a \\"long\\" help" metric "up"` },
    },
    {
      rule: 'help length counts bytes',
      m: md({ metricFamilyName: 'up', help: 'ééé' }),
      limits: { max_metadata_length: 5 },
      want: { reason: 'help_too_long', message: `metadata 'HELP' value too long: "ééé" metric "up"` },
    },
    {
      rule: 'unit too long',
      m: md({ metricFamilyName: 'up', help: '', unit: 'seconds' }),
      limits: { max_metadata_length: 5 },
      want: { reason: 'unit_too_long', message: `metadata 'UNIT' value too long: "seconds" metric "up"` },
    },
  ])('$rule', ({ m, limits, want }) => {
    expect(validateMetadata(m, limitsWith(limits))).toEqual(want === null ? null : { ...want, status: 400 });
  });

  it('shows at most 200 characters of the value', () => {
    const err = validateMetadata(md({ metricFamilyName: 'up', help: 'h'.repeat(2000) }), DEFAULTS);
    expect(err?.message).toBe(`metadata 'HELP' value too long: "${'h'.repeat(200)}" metric "up"`);
  });
});
