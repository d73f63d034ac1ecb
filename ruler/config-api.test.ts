/** The rules configuration API via fastify inject, over the PostgreSQL store and a read-only local store. */

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { POSTGRES_URL, requirePostgres, tempSchema } from '../test/harness/postgres.js';
import { tenantResolver } from '../util/tenant.js';
import { registerRuleConfigApi } from './config-api.js';
import type { RuleGroupNode } from './rulefmt/types.js';
import { LocalRuleStore } from './store/local.js';
import { PostgresRuleStore } from './store/postgres.js';
import type { RuleStore } from './store/types.js';

const ok = await requirePostgres('rules config API over PostgreSQL');
const logger = { error: () => undefined };
const PREFIXES = ['/api/v1/rules', '/prometheus/config/v1/rules'];

// A stand-in for rulefmt's validator: a rule must name exactly one of record/alert.
const validate = (g: RuleGroupNode): string[] =>
  g.rules.filter((r) => (r.record === undefined) === (r.alert === undefined)).map(() => `group "${g.name}": one of 'record' or 'alert' must be set`);
const formatYaml = (groups: Record<string, RuleGroupNode[]>): string => stringifyYaml(groups);

function app(store: RuleStore): FastifyInstance {
  const a = Fastify();
  registerRuleConfigApi(a, {
    store,
    tenants: tenantResolver(true, 'anonymous'),
    validate,
    formatYaml,
    limits: (t) => (t === 'limited' ? { maxRuleGroupsPerTenant: 2, maxRulesPerRuleGroup: 1 } : { maxRuleGroupsPerTenant: 0, maxRulesPerRuleGroup: 0 }),
    prefixes: PREFIXES,
  });
  return a;
}

const GROUP = 'name: g1\ninterval: 1m\nrules:\n- record: job:up:sum\n  expr: sum by (job) (up)\n';
const GROUP_V2 = 'name: g1\nrules:\n- alert: Down\n  expr: up == 0\n  for: 5m\n  labels:\n    severity: page\n';

describe.skipIf(!ok)('rules config API over PostgreSQL', () => {
  let drop: () => Promise<void> = async () => undefined;
  let store: PostgresRuleStore;
  let a: FastifyInstance;
  const req = (method: 'GET' | 'POST' | 'DELETE', url: string, tenant: string, payload?: string) =>
    a.inject({ method, url, headers: { 'x-scope-orgid': tenant, 'content-type': 'application/yaml', 'x-vigil-user': 'tester' }, ...(payload !== undefined ? { payload } : {}) });

  beforeAll(async () => {
    const t = await tempSchema();
    drop = t.drop;
    store = new PostgresRuleStore({ url: POSTGRES_URL, maxConnections: 4, pollIntervalMs: 60_000, logger, schema: t.schema });
    await store.migrate();
    a = app(store);
  });
  afterAll(async () => {
    await a.close();
    await store.close();
    await drop();
  });

  it('answers 404 when the tenant has no rule groups', async () => {
    const r = await req('GET', '/api/v1/rules', 'empty');
    expect(r.statusCode).toBe(404);
    expect(r.body).toBe('no rule groups found\n');
  });

  it('creates, reads, updates and deletes a group (URL-escaped namespace)', async () => {
    const c = await req('POST', '/api/v1/rules/team%2Fweb', 't1', GROUP);
    expect(c.statusCode).toBe(202);
    expect(JSON.parse(c.body)).toEqual({ status: 'success', data: null, errorType: '', error: '' });

    const one = await req('GET', '/api/v1/rules/team%2Fweb/g1', 't1');
    expect(one.statusCode).toBe(200);
    expect(one.headers['content-type']).toMatch(/application\/yaml/);
    expect(parseYaml(one.body)).toEqual(parseYaml(GROUP));

    const all = await req('GET', '/prometheus/config/v1/rules', 't1');
    expect(parseYaml(all.body)).toEqual({ 'team/web': [parseYaml(GROUP)] });
    const ns = await req('GET', '/api/v1/rules/team%2Fweb', 't1');
    expect(parseYaml(ns.body)).toEqual({ 'team/web': [parseYaml(GROUP)] });

    expect((await req('POST', '/api/v1/rules/team%2Fweb', 't1', GROUP_V2)).statusCode).toBe(202);
    expect(parseYaml((await req('GET', '/api/v1/rules/team%2Fweb/g1', 't1')).body)).toEqual(parseYaml(GROUP_V2));

    // another tenant sees nothing
    expect((await req('GET', '/api/v1/rules/team%2Fweb/g1', 't2')).statusCode).toBe(404);
    expect((await req('GET', '/api/v1/rules', 't2')).statusCode).toBe(404);
    expect((await req('DELETE', '/api/v1/rules/team%2Fweb/g1', 't2')).statusCode).toBe(404);

    const d = await req('DELETE', '/api/v1/rules/team%2Fweb/g1', 't1');
    expect(d.statusCode).toBe(202);
    expect((await req('GET', '/api/v1/rules/team%2Fweb/g1', 't1')).statusCode).toBe(404);
  });

  it('deletes a namespace', async () => {
    await req('POST', '/api/v1/rules/ns', 't3', GROUP);
    await req('POST', '/api/v1/rules/ns', 't3', GROUP.replace('g1', 'g2'));
    await req('POST', '/api/v1/rules/keep', 't3', GROUP);
    expect((await req('DELETE', '/api/v1/rules/ns', 't3')).statusCode).toBe(202);
    expect(Object.keys(parseYaml((await req('GET', '/api/v1/rules', 't3')).body) as object)).toEqual(['keep']);
  });

  it('answers 400 for invalid YAML and invalid groups', async () => {
    const y = await req('POST', '/api/v1/rules/ns', 't4', 'name: [oops');
    expect(y.statusCode).toBe(400);
    const shape = await req('POST', '/api/v1/rules/ns', 't4', 'name: g\nrules:\n- record: x\n  expr: up\n  bogus: 1\n');
    expect(shape.statusCode).toBe(400);
    const sem = await req('POST', '/api/v1/rules/ns', 't4', 'name: g\nrules:\n- expr: up\n');
    expect(sem.statusCode).toBe(400);
    expect(sem.body).toContain("one of 'record' or 'alert' must be set");
    expect((await req('GET', '/api/v1/rules', 't4')).statusCode).toBe(404);
  });

  it('enforces the per-tenant limits with Cortex messages', async () => {
    const two = GROUP + '- record: b\n  expr: up\n';
    const r = await req('POST', '/api/v1/rules/ns', 'limited', two);
    expect(r.statusCode).toBe(400);
    expect(r.body).toBe('per-user rules per rule group limit (limit: 1 actual: 2) exceeded\n');
    expect((await req('POST', '/api/v1/rules/ns', 'limited', GROUP)).statusCode).toBe(202);
    expect((await req('POST', '/api/v1/rules/ns', 'limited', GROUP.replace('g1', 'g2'))).statusCode).toBe(202);
    // replacing an existing group does not count as a new one
    expect((await req('POST', '/api/v1/rules/ns', 'limited', GROUP)).statusCode).toBe(202);
    const over = await req('POST', '/api/v1/rules/ns', 'limited', GROUP.replace('g1', 'g3'));
    expect(over.statusCode).toBe(400);
    expect(over.body).toBe('per-user rule groups limit (limit: 2 actual: 3) exceeded\n');
  });

  it('requires X-Scope-OrgID', async () => {
    const r = await a.inject({ method: 'GET', url: '/api/v1/rules' });
    expect(r.statusCode).toBe(401);
  });
});

describe('rules config API over a read-only local store', () => {
  let dir = '';
  let a: FastifyInstance;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-rules-api-'));
    await mkdir(join(dir, 't1'));
    await writeFile(join(dir, 't1', 'ns.yaml'), `groups:\n- ${GROUP.replace(/\n(?=.)/g, '\n  ')}`);
    a = app(new LocalRuleStore({ directory: dir, pollIntervalMs: 60_000, logger }));
  });
  afterAll(async () => {
    await a.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the directory and refuses writes', async () => {
    const g = await a.inject({ method: 'GET', url: '/api/v1/rules/ns.yaml/g1', headers: { 'x-scope-orgid': 't1' } });
    expect(g.statusCode).toBe(200);
    expect(parseYaml(g.body)).toEqual(parseYaml(GROUP));
    const p = await a.inject({ method: 'POST', url: '/api/v1/rules/ns.yaml', headers: { 'x-scope-orgid': 't1', 'content-type': 'application/yaml' }, payload: GROUP });
    expect(p.statusCode).toBe(501);
    expect(p.body).toMatch(/read-only/);
    const d = await a.inject({ method: 'DELETE', url: '/api/v1/rules/ns.yaml', headers: { 'x-scope-orgid': 't1' } });
    expect(d.statusCode).toBe(501);
  });
});
