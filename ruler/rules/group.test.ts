import { describe, expect, it } from 'vitest';
import { labelsFromRecord } from '../../tsdb/labels.js';
import { Matcher } from '../../tsdb/matchers.js';
import { STALE_NAN, isStaleNaN } from '../../tsdb/storage.js';
import type { RuleGroupNode } from '../rulefmt/types.js';
import { AlertingRule } from './alerting-rule.js';
import { buildGroup } from './load.js';
import { testContext } from './testing.js';

const M = 60_000;

async function values(storage: ReturnType<typeof testContext>['storage'], name: string): Promise<[number, number][]> {
  const set = await storage.querier(-Infinity, Infinity).select(true, null, [new Matcher('=', '__name__', name)]);
  const out: [number, number][] = [];
  while (set.next()) {
    const it = set.at().iterator();
    while (it.next()) out.push([it.atT(), it.atV()]);
  }
  return out;
}

describe('Group', () => {
  it('an empty rule label removes that label from the result (recording and alerting rules), as labels.FromMap keeps it', async () => {
    const { ctx, storage } = testContext();
    storage.append(labelsFromRecord({ __name__: 'up', job: 'a', instance: '1', env: 'prod' }), 0, 0);
    const node: RuleGroupNode = {
      name: 'g',
      rules: [
        { record: 'job:up', expr: 'up', labels: { instance: '', tier: 'x' } },
        { alert: 'Down', expr: 'up == 0', labels: { env: '' } },
      ],
    };
    const g = buildGroup(node, 'ns', M);
    (g.rules[1] as AlertingRule).restored = true;
    await g.eval(0, ctx);
    expect(g.rules.map((r) => r.lastError)).toEqual([null, null]);
    const set = await storage.querier(0, 0).select(true, null, [new Matcher('=', '__name__', 'job:up')]);
    expect(set.next() && set.at().labels).toEqual(labelsFromRecord({ __name__: 'job:up', job: 'a', env: 'prod', tier: 'x' }));
    const down = g.rules[1] as AlertingRule;
    expect([...down.active.values()].map((a) => a.labels)).toEqual([labelsFromRecord({ alertname: 'Down', job: 'a', instance: '1' })]);
    const alerts = await storage.querier(0, 0).select(true, null, [new Matcher('=', '__name__', 'ALERTS')]);
    expect(alerts.next() && alerts.at().labels).toEqual(labelsFromRecord({ __name__: 'ALERTS', alertname: 'Down', alertstate: 'firing', job: 'a', instance: '1' }));
  });

  it('two series with one label set once an empty rule label removes what told them apart fail the evaluation', async () => {
    const { ctx, storage } = testContext();
    storage.append(labelsFromRecord({ __name__: 'up', job: 'a', instance: '1' }), 0, 1);
    storage.append(labelsFromRecord({ __name__: 'up', job: 'a', instance: '2' }), 0, 1);
    const g = buildGroup({ name: 'g', rules: [{ record: 'job:up', expr: 'up', labels: { instance: '' } }] }, 'ns', M);
    await g.eval(0, ctx);
    expect(g.rules[0]!.lastError).toBe('vector contains metrics with the same labelset after applying rule labels');
  });

  it('evaluates rules in order, later rules reading what earlier ones wrote at the same timestamp', async () => {
    const { ctx, storage } = testContext();
    storage.append(labelsFromRecord({ __name__: 'x', job: 'a' }), 0, 2);
    const node: RuleGroupNode = {
      name: 'g',
      rules: [
        { record: 'job:x:sum', expr: 'sum by (job) (x)' },
        { record: 'job:x:double', expr: 'job:x:sum * 2' },
      ],
    };
    const g = buildGroup(node, 'ns', M);
    await g.eval(0, ctx);
    expect(await values(storage, 'job:x:double')).toEqual([[0, 4]]);
    expect(g.rules.map((r) => r.health)).toEqual(['ok', 'ok']);
  });

  it('marks a series stale when its rule stops producing it, and records errors per rule', async () => {
    const { ctx, storage } = testContext();
    storage.append(labelsFromRecord({ __name__: 'x', job: 'a' }), 0, 1);
    storage.append(labelsFromRecord({ __name__: 'x', job: 'b' }), 0, 1);
    storage.append(labelsFromRecord({ __name__: 'x', job: 'a' }), M, 1);
    storage.append(labelsFromRecord({ __name__: 'x', job: 'b' }), M, STALE_NAN);
    const g = buildGroup({ name: 'g', rules: [{ record: 'r', expr: 'x' }, { record: 'bad', expr: 'x + on() x' }] }, 'ns', M);
    await g.eval(0, ctx);
    expect(g.rules[1]!.health).toBe('err');
    expect(g.rules[1]!.lastError).toMatch(/many-to-many|found duplicate series/);
    await g.eval(M, ctx);
    const set = await storage.querier(0, M).select(true, null, [new Matcher('=', '__name__', 'r')]);
    const got: Record<string, number[]> = {};
    while (set.next()) {
      const s = set.at();
      const it = s.iterator();
      const job = s.labels.find((l) => l.name === 'job')!.value;
      got[job] = [];
      while (it.next()) got[job]!.push(isStaleNaN(it.atV()) ? -1 : it.atV());
    }
    expect(got).toEqual({ a: [1, 1], b: [1, -1] });
  });

  it('carries alert state and written series over a reload; series of removed rules go stale', async () => {
    const { ctx, storage } = testContext();
    storage.append(labelsFromRecord({ __name__: 'x' }), 0, 5);
    storage.append(labelsFromRecord({ __name__: 'x' }), M, 5);
    const v1 = buildGroup({ name: 'g', rules: [{ alert: 'A', expr: 'x > 1', for: '1m' }, { record: 'old', expr: 'x' }] }, 'ns', M);
    for (const r of v1.rules) if (r instanceof AlertingRule) r.restored = true;
    await v1.eval(0, ctx);
    const v2 = buildGroup({ name: 'g', rules: [{ alert: 'A', expr: 'x > 1', for: '1m' }] }, 'ns', M);
    v2.copyState(v1);
    await v2.eval(M, ctx);
    expect((v2.rules[0] as AlertingRule).state()).toBe('firing');
    const old = await values(storage, 'old');
    expect(old.length).toBe(2);
    expect(isStaleNaN(old[1]![1])).toBe(true);
  });

  it('restores for state from ALERTS_FOR_STATE: time spent pending before a restart counts', async () => {
    const { ctx, storage } = testContext({ forGracePeriodMs: 0 });
    for (let i = 0; i <= 20; i++) storage.append(labelsFromRecord({ __name__: 'x' }), i * M, 5);
    const node: RuleGroupNode = { name: 'g', rules: [{ alert: 'A', expr: 'x > 1', for: '10m' }] };
    const before = buildGroup(node, 'ns', M);
    (before.rules[0] as AlertingRule).restored = true;
    for (let i = 0; i <= 6; i++) await before.eval(i * M, ctx);
    expect((before.rules[0] as AlertingRule).state()).toBe('pending');
    // "Restart" at 8m: a new group, evaluated once, then restored; it was down 8m-6m = 2m.
    const after = buildGroup(node, 'ns', M);
    await after.eval(8 * M, ctx);
    await after.restoreForState(8 * M, ctx);
    const a = [...(after.rules[0] as AlertingRule).active.values()][0]!;
    expect(a.activeAt).toBe(0 + 2 * M);
    await after.eval(11 * M, ctx);
    expect((after.rules[0] as AlertingRule).state()).toBe('pending');
    await after.eval(12 * M, ctx);
    expect((after.rules[0] as AlertingRule).state()).toBe('firing');
  });

  it('spreads evaluation slots over the interval, stable per group', () => {
    const a = buildGroup({ name: 'a', rules: [] }, 'ns', M);
    const t = a.evalTimestamp(1_700_000_000_000);
    expect(t).toBeLessThanOrEqual(1_700_000_000_000);
    expect(1_700_000_000_000 - t).toBeLessThan(M);
    expect(a.evalTimestamp(1_700_000_000_000 + M)).toBe(t + M);
  });
});
