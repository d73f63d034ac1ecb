/** PostgresRuleStore against the real local PostgreSQL, in a private schema dropped afterwards. */

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL, requirePostgres, tempSchema } from '../../test/harness/postgres.js';
import type { RuleGroupNode } from '../rulefmt/types.js';
import { PostgresRuleStore } from './postgres.js';

const ok = await requirePostgres('PostgresRuleStore tests');
const logger = { error: () => undefined };

describe.skipIf(!ok)('PostgresRuleStore', () => {
  let schema = '';
  let drop: () => Promise<void> = async () => undefined;
  const stores: PostgresRuleStore[] = [];
  const open = (): PostgresRuleStore => {
    const s = new PostgresRuleStore({ url: POSTGRES_URL, maxConnections: 4, pollIntervalMs: 60_000, logger, schema });
    stores.push(s);
    return s;
  };
  const sql = async <T extends pg.QueryResultRow>(q: string): Promise<T[]> => {
    const c = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
    await c.connect();
    try {
      return (await c.query<T>(q)).rows;
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    ({ schema, drop } = await tempSchema());
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    await drop();
  });

  it('migrates concurrently from two pools and idempotently', async () => {
    const a = open();
    const b = open();
    await Promise.all([a.migrate(), b.migrate()]);
    await a.migrate();
    const rows = await sql<{ version: number }>('SELECT version FROM vigil_schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual([1]);
  });

  it('creates, updates and deletes with audit rows', async () => {
    const s = open();
    const g1: RuleGroupNode = { name: 'g', interval: '1m', rules: [{ record: 'a:b', expr: 'sum(up)' }] };
    const g2: RuleGroupNode = { name: 'g', rules: [{ alert: 'X', expr: 'up == 0', for: '5m', labels: { s: 'p' } }] };
    await s.setRuleGroup('t1', 'ns/one', g1, { who: 'alice' });
    await s.setRuleGroup('t1', 'ns/one', g2, { who: 'bob' });
    await s.setRuleGroup('t1', 'a', { name: 'z', rules: [] }, { who: 'bob' });
    await s.setRuleGroup('t1', 'a', { name: 'b', rules: [] }, { who: 'bob' });
    await s.setRuleGroup('t2', 'other', { name: 'o', rules: [] }, { who: 'carol' });
    expect(await s.getRuleGroup('t1', 'ns/one', 'g')).toEqual(g2);
    expect(await s.getRuleGroup('t2', 'ns/one', 'g')).toBeNull();
    expect((await s.listRuleGroups('t1')).map((e) => `${e.namespace}/${e.group.name}`)).toEqual(['a/b', 'a/z', 'ns/one/g']);
    expect((await s.listRuleGroups('t1', 'a')).length).toBe(2);
    expect(await s.listTenants()).toEqual(['t1', 't2']);

    expect(await s.deleteRuleGroup('t1', 'ns/one', 'g', { who: 'dave' })).toBe(true);
    expect(await s.deleteRuleGroup('t1', 'ns/one', 'g', { who: 'dave' })).toBe(false);
    expect(await s.deleteNamespace('t1', 'a', { who: 'erin' })).toBe(true);
    expect(await s.deleteNamespace('t1', 'a', { who: 'erin' })).toBe(false);
    expect(await s.listRuleGroups('t1')).toEqual([]);

    const audit = await sql<{ action: string; who: string; group_name: string; before: unknown; after: unknown }>(
      "SELECT action, who, group_name, before, after FROM vigil_rule_audit WHERE tenant = 't1' ORDER BY id",
    );
    expect(audit.map((r) => [r.action, r.who, r.group_name])).toEqual([
      ['create', 'alice', 'g'],
      ['update', 'bob', 'g'],
      ['create', 'bob', 'z'],
      ['create', 'bob', 'b'],
      ['delete', 'dave', 'g'],
      ['delete', 'erin', 'b'],
      ['delete', 'erin', 'z'],
    ]);
    expect(audit[0]).toMatchObject({ before: null, after: g1 });
    expect(audit[1]).toMatchObject({ before: g1, after: g2 });
    expect(audit[4]).toMatchObject({ before: g2, after: null });
  });

  it('NOTIFY reaches a second store instance', async () => {
    const writer = open();
    const reader = open();
    const ac = new AbortController();
    const changed = new Promise<void>((resolve) => reader.watch(resolve, ac.signal));
    // The LISTEN is set up asynchronously; keep writing until it is heard (the poll interval is 60s).
    let heard = false;
    void changed.then(() => (heard = true));
    for (let i = 0; i < 100 && !heard; i++) {
      await writer.setRuleGroup('t3', 'n', { name: `g${i}`, rules: [] }, { who: 'w' });
      await new Promise((r) => setTimeout(r, 50));
    }
    ac.abort();
    expect(heard).toBe(true);
  });
});
