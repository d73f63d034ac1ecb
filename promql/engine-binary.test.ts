/** Binary operators against hand-computed answers, and Prometheus's matching error texts. */

import { describe, expect, it } from 'vitest';
import { labelsToString } from '../tsdb/labels.js';
import { Engine, EngineError } from './engine.js';
import { goPow } from './engine-binary.js';
import { MemoryQueryable } from './testing.js';

const store = (): MemoryQueryable =>
  new MemoryQueryable()
    .add({ __name__: 'req', job: 'api', instance: 'i1', method: 'get' }, [[0, 10]])
    .add({ __name__: 'req', job: 'api', instance: 'i1', method: 'post' }, [[0, 20]])
    .add({ __name__: 'req', job: 'api', instance: 'i2', method: 'get' }, [[0, 30]])
    .add({ __name__: 'info', instance: 'i1', zone: 'z1' }, [[0, 1]])
    .add({ __name__: 'info', instance: 'i2', zone: 'z2' }, [[0, 2]])
    .add({ __name__: 'lim', job: 'api', instance: 'i1', method: 'get' }, [[0, 15]]);

async function q(query: string): Promise<string[]> {
  const r = await new Engine({ lookbackDeltaMs: 300_000, maxSamples: 1e6, timeoutMs: 10_000 }).instantQuery(store(), query, 0);
  const v = r.value;
  if (v.type === 'scalar') return [`scalar ${v.v}`];
  if (v.type !== 'vector') throw new Error(v.type);
  return v.samples.map((s) => `${labelsToString(s.labels)} ${s.v}`).sort();
}

async function err(query: string): Promise<EngineError> {
  const e = await q(query).catch((x: unknown) => x);
  if (!(e instanceof EngineError)) throw new Error(`no engine error for ${query}`);
  return e;
}

describe('arithmetic and comparisons', () => {
  it('computes scalar operations like Go', async () => {
    expect(await q('2 ^ 10')).toEqual(['scalar 1024']);
    expect(await q('-7 % 3')).toEqual(['scalar -1']);
    expect(await q('1 ^ NaN')).toEqual(['scalar 1']);
    expect(await q('(-1) ^ Inf')).toEqual(['scalar 1']);
    expect(await q('1 < bool 2')).toEqual(['scalar 1']);
    expect(await q('0 atan2 -1')).toEqual([`scalar ${Math.PI}`]);
    expect(goPow(0, 0)).toBe(1);
  });

  it('drops the metric name for arithmetic and bool, keeps it for filters and atan2', async () => {
    expect(await q('req{method="get"} * 2')).toEqual(['{instance="i1", job="api", method="get"} 20', '{instance="i2", job="api", method="get"} 60']);
    expect(await q('req > 15')).toEqual(['{__name__="req", instance="i1", job="api", method="post"} 20', '{__name__="req", instance="i2", job="api", method="get"} 30']);
    expect(await q('25 < req')).toEqual(['{__name__="req", instance="i2", job="api", method="get"} 30']);
    expect(await q('req{instance="i2"} > bool 15')).toEqual(['{instance="i2", job="api", method="get"} 1']);
    expect(await q('req{instance="i2"} atan2 0')).toEqual([`{__name__="req", instance="i2", job="api", method="get"} ${Math.PI / 2}`]);
  });

  it('matches one-to-one on all labels but the name', async () => {
    expect(await q('req - lim')).toEqual(['{instance="i1", job="api", method="get"} -5']);
    expect(await q('req >= bool lim')).toEqual(['{instance="i1", job="api", method="get"} 0']);
    expect(await q('req{method="get"} / on(instance) info')).toEqual(['{instance="i1"} 10', '{instance="i2"} 15']);
  });

  it('joins many-to-one with group_left and include labels', async () => {
    expect(await q('req * on(instance) group_left(zone) info')).toEqual([
      '{instance="i1", job="api", method="get", zone="z1"} 10',
      '{instance="i1", job="api", method="post", zone="z1"} 20',
      '{instance="i2", job="api", method="get", zone="z2"} 60',
    ]);
    expect(await q('info * on(instance) group_right req')).toEqual([
      '{instance="i1", job="api", method="get"} 10',
      '{instance="i1", job="api", method="post"} 20',
      '{instance="i2", job="api", method="get"} 60',
    ]);
  });

  it('reports many-to-many and duplicate matches in Prometheus words', async () => {
    const e = await err('req + on(instance) info');
    expect(e.type).toBe('execution');
    expect(e.message).toBe('multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)');
    expect((await err('info + on(instance) req')).message).toBe(
      'found duplicate series for the match group {instance="i1"} on the right hand-side of the operation: ' +
        '[{__name__="req", instance="i1", job="api", method="post"}, {__name__="req", instance="i1", job="api", method="get"}]' +
        ';many-to-many matching not allowed: matching labels must be unique on one side',
    );
    expect((await err('req * on(instance) group_left info * on(job) group_left req')).type).toBe('execution');
    expect((await err('info * on(instance) group_left(job) (req / 1)')).message).toMatch(/^found duplicate series for the match group \{instance="i1"\} on the right hand-side/);
  });
});

describe('set operators', () => {
  it('and / or / unless', async () => {
    expect(await q('req and on(instance) info{zone="z2"}')).toEqual(['{__name__="req", instance="i2", job="api", method="get"} 30']);
    expect(await q('req unless lim')).toEqual([
      '{__name__="req", instance="i1", job="api", method="post"} 20',
      '{__name__="req", instance="i2", job="api", method="get"} 30',
    ]);
    expect(await q('lim or req')).toEqual([
      '{__name__="lim", instance="i1", job="api", method="get"} 15',
      '{__name__="req", instance="i1", job="api", method="post"} 20',
      '{__name__="req", instance="i2", job="api", method="get"} 30',
    ]);
  });
});
