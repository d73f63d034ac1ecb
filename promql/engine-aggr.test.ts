/** Aggregation operators against hand-computed answers. */

import { describe, expect, it } from 'vitest';
import { labelsToString } from '../tsdb/labels.js';
import { Engine, EngineError } from './engine.js';
import { MemoryQueryable } from './testing.js';

const store = (): MemoryQueryable =>
  new MemoryQueryable()
    .add({ __name__: 'v', g: 'a', i: '1' }, [[0, 1]])
    .add({ __name__: 'v', g: 'a', i: '2' }, [[0, 2]])
    .add({ __name__: 'v', g: 'b', i: '3' }, [[0, 3]])
    .add({ __name__: 'v', g: 'b', i: '4' }, [[0, 4]])
    .add({ __name__: 'n', i: '1' }, [[0, NaN]])
    .add({ __name__: 'n', i: '2' }, [[0, 5]]);

async function q(query: string, sorted = true): Promise<string[]> {
  const r = await new Engine({ lookbackDeltaMs: 300_000, maxSamples: 1e6, timeoutMs: 10_000 }).instantQuery(store(), query, 0);
  if (r.value.type !== 'vector') throw new Error(r.value.type);
  const out = r.value.samples.map((s) => `${labelsToString(s.labels)} ${s.v}`);
  return sorted ? out.sort() : out;
}

describe('aggregations', () => {
  it('sum, avg, count, min, max, group with by and without', async () => {
    expect(await q('sum(v)')).toEqual(['{} 10']);
    expect(await q('sum by (g) (v)')).toEqual(['{g="a"} 3', '{g="b"} 7']);
    expect(await q('avg without (i) (v)')).toEqual(['{g="a"} 1.5', '{g="b"} 3.5']);
    expect(await q('count(v)')).toEqual(['{} 4']);
    expect(await q('min by (g) (v)')).toEqual(['{g="a"} 1', '{g="b"} 3']);
    expect(await q('max(v)')).toEqual(['{} 4']);
    expect(await q('group by (g) (v)')).toEqual(['{g="a"} 1', '{g="b"} 1']);
    expect(await q('max(n)')).toEqual(['{} 5']);
    expect(await q('min(n)')).toEqual(['{} 5']);
    expect(await q('sum(n)')).toEqual(['{} NaN']);
  });

  it('stddev and stdvar are population statistics', async () => {
    expect(await q('stdvar(v)')).toEqual(['{} 1.25']);
    expect(await q('stddev(v)')).toEqual([`{} ${Math.sqrt(1.25)}`]);
  });

  it('topk and bottomk keep the original series, ordered by value', async () => {
    expect(await q('topk(2, v)', false)).toEqual(['{__name__="v", g="b", i="4"} 4', '{__name__="v", g="b", i="3"} 3']);
    expect(await q('bottomk(1, v)', false)).toEqual(['{__name__="v", g="a", i="1"} 1']);
    expect(await q('topk by (g) (1, v)', false)).toEqual(['{__name__="v", g="a", i="2"} 2', '{__name__="v", g="b", i="4"} 4']);
    expect(await q('topk(2, n)', false)).toEqual(['{__name__="n", i="2"} 5', '{__name__="n", i="1"} NaN']);
    expect(await q('topk(0, v)')).toEqual([]);
  });

  it('quantile interpolates between ranks', async () => {
    expect(await q('quantile(0.5, v)')).toEqual(['{} 2.5']);
    expect(await q('quantile(0.25, v)')).toEqual(['{} 1.75']);
    expect(await q('quantile(2, v)')).toEqual(['{} Infinity']);
    expect(await q('quantile(-1, v)')).toEqual(['{} -Infinity']);
  });

  it('count_values counts by value label', async () => {
    expect(await q('count_values("val", v > 2)')).toEqual(['{val="3"} 1', '{val="4"} 1']);
    expect(await q('count_values by (g) ("val", v * 0)')).toEqual(['{g="a", val="0"} 2', '{g="b", val="0"} 2']);
    const e = await q('count_values("1x", v)').catch((x: unknown) => x);
    expect((e as EngineError).message).toBe('invalid label name "1x"');
  });
});
