import pino from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../test/harness/process.js';
import { Matcher } from '../tsdb/matchers.js';
import { isStaleNaN } from '../tsdb/storage.js';
import { type RuleSource, Ruler } from './ruler.js';
import type { RuleGroupEntry } from './store/types.js';
import { testContext } from './rules/testing.js';

async function lastValue(storage: ReturnType<typeof testContext>['storage'], name: string): Promise<number | undefined> {
  const set = await storage.querier(0, Date.now() + 60_000).select(false, null, [new Matcher('=', '__name__', name)]);
  let v: number | undefined;
  while (set.next()) {
    const it = set.at().iterator();
    while (it.next()) v = it.atV();
  }
  return v;
}

function newRuler(source: RuleSource, t: ReturnType<typeof testContext>): Ruler {
  return new Ruler({ source, contextFor: () => t.ctx, evaluationIntervalMs: 60_000, pollIntervalMs: 3_600_000, logger: pino({ level: 'silent' }), registry: new Registry() });
}

describe('Ruler', () => {
  it('runs each tenant\'s groups at their interval, follows changes, and marks removed groups stale', async () => {
    const tenants: Record<string, RuleGroupEntry[]> = {
      t1: [{ namespace: 'ns', group: { name: 'g', interval: '200ms', rules: [{ record: 'one', expr: 'vector(1)' }] } }],
    };
    const t = testContext();
    const ruler = newRuler({ listTenants: async () => Object.keys(tenants), listRuleGroups: async (tenant) => tenants[tenant] ?? [] }, t);
    await ruler.start();
    try {
      await waitFor('a recorded sample', async () => (await lastValue(t.storage, 'one')) === 1, 10_000, 50);
      expect(ruler.groups('t1').map((g) => g.name)).toEqual(['g']);
      expect(ruler.groups('t2')).toEqual([]);

      // A changed definition replaces the group (same name) without losing what it wrote.
      tenants.t1 = [{ namespace: 'ns', group: { name: 'g', interval: '200ms', rules: [{ record: 'one', expr: 'vector(1)' }, { record: 'two', expr: 'one * 2' }] } }];
      await ruler.requestSync();
      await waitFor('the second rule', async () => (await lastValue(t.storage, 'two')) === 2, 10_000, 50);

      // Removing the tenant's rules stops the group and writes stale markers for its series.
      delete tenants.t1;
      await ruler.requestSync();
      expect(ruler.groups('t1')).toEqual([]);
      await waitFor('stale markers', async () => {
        const v = await lastValue(t.storage, 'two');
        return v !== undefined && isStaleNaN(v);
      }, 10_000, 50);
    } finally {
      await ruler.stop();
    }
  });

  it('keeps running groups when the store cannot be read', async () => {
    let fail = false;
    const t = testContext();
    const ruler = newRuler(
      {
        listTenants: async () => {
          if (fail) throw new Error('store down');
          return ['t1'];
        },
        listRuleGroups: async () => [{ namespace: 'ns', group: { name: 'g', interval: '1h', rules: [{ record: 'one', expr: 'vector(1)' }] } }],
      },
      t,
    );
    await ruler.start();
    fail = true;
    await ruler.requestSync();
    expect(ruler.groups('t1').length).toBe(1);
    await ruler.stop();
  });
});
