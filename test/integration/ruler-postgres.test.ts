/**
 * The rules API over the PostgreSQL rule store, in one Vigil with the ruler on: groups created,
 * updated and deleted through Cortex's API (and Grafana's /prometheus/config/v1/rules) are picked
 * up by the ruler without a restart, invalid groups are refused with 400 and the reason, and
 * every change leaves an audit row.
 */

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, startTestApp } from '../../app/testing.js';
import { POSTGRES_URL, requirePostgres, tempSchema } from '../harness/postgres.js';
import { waitFor } from '../harness/process.js';

const enabled = await requirePostgres('the ruler over the PostgreSQL rule store');

describe.runIf(enabled)('ruler with the PostgreSQL rule store', () => {
  let t: TestApp;
  let schema: Awaited<ReturnType<typeof tempSchema>>;

  beforeAll(async () => {
    schema = await tempSchema();
    const url = `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema.schema}`)}`;
    t = await startTestApp([
      '-auth.enabled=true',
      '-ruler-storage.backend=postgres',
      `-ruler-storage.postgres.url=${url}`,
      '-ruler-storage.poll-interval=1s',
      '-ruler.poll-interval=1s',
      '-ruler.evaluation-interval=1s',
    ]);
  }, 60_000);

  afterAll(async () => {
    await t?.stop();
    await schema?.drop();
  });

  const req = async (method: 'GET' | 'POST' | 'DELETE', url: string, body?: string): Promise<{ status: number; body: string }> => {
    const r = await t.app.server.inject({ method, url, headers: { 'x-scope-orgid': 'team-a', 'content-type': 'application/yaml', 'x-vigil-user': 'alice' }, ...(body !== undefined ? { payload: body } : {}) });
    return { status: r.statusCode, body: r.body };
  };

  const ruleNames = async (): Promise<string[]> => {
    const r = await req('GET', '/prometheus/api/v1/rules');
    const groups = (JSON.parse(r.body) as { data: { groups: { rules: { name: string; health: string }[] }[] } }).data.groups;
    return groups.flatMap((g) => g.rules.filter((x) => x.health === 'ok').map((x) => x.name));
  };

  it('creates, updates and deletes groups that the ruler follows, with an audit trail', async () => {
    const v1 = 'name: g1\ninterval: 1s\nrules:\n  - record: one\n    expr: vector(1)\n';
    expect((await req('POST', '/api/v1/rules/ns1', v1)).status).toBe(202);
    await waitFor('the ruler to evaluate the new group', async () => (await ruleNames()).includes('one'), 20_000, 200);

    const back = await req('GET', '/api/v1/rules/ns1/g1');
    expect(back.status).toBe(200);
    expect(back.body).toContain('record: one');

    const v2 = 'name: g1\ninterval: 1s\nrules:\n  - record: two\n    expr: vector(2)\n';
    expect((await req('POST', '/prometheus/config/v1/rules/ns1', v2)).status).toBe(202);
    await waitFor('the ruler to follow the update', async () => {
      const names = await ruleNames();
      return names.includes('two') && !names.includes('one');
    }, 20_000, 200);

    const bad = await req('POST', '/api/v1/rules/ns1', 'name: g2\nrules:\n  - record: "bad name"\n    expr: vector(1)\n');
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('invalid recording rule name');

    expect((await req('DELETE', '/api/v1/rules/ns1/g1')).status).toBe(202);
    await waitFor('the ruler to drop the group', async () => (await ruleNames()).length === 0, 20_000, 200);

    const c = new pg.Client({ connectionString: POSTGRES_URL });
    await c.connect();
    try {
      const rows = (await c.query(`SELECT action, who, tenant FROM ${schema.schema}.vigil_rule_audit ORDER BY id`)).rows as { action: string; who: string; tenant: string }[];
      expect(rows.map((r) => r.action)).toEqual(['create', 'update', 'delete']);
      expect(new Set(rows.map((r) => `${r.tenant}/${r.who}`))).toEqual(new Set(['team-a/alice']));
    } finally {
      await c.end();
    }
  }, 90_000);

  it('advertises the configuration API to Grafana', async () => {
    const r = await req('GET', '/prometheus/api/v1/status/buildinfo');
    expect((JSON.parse(r.body) as { data: { features: Record<string, string> } }).data.features.ruler_config_api).toBe('true');
  });
});
