/** LocalRuleStore over a temporary directory tree. */

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalRuleStore } from './local.js';
import { RuleStoreReadOnlyError } from './types.js';

let dir: string;
const errors: object[] = [];
const logger = { error: (o: object) => void errors.push(o) };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-rules-'));
  errors.length = 0;
  await mkdir(join(dir, 'team-b'), { recursive: true });
  await mkdir(join(dir, 'team-a'), { recursive: true });
  await writeFile(join(dir, 'team-a', 'z.yaml'), 'groups:\n- name: zz\n  rules:\n  - record: a:b\n    expr: up\n- name: aa\n  interval: 30s\n  rules:\n  - alert: Down\n    expr: up == 0\n    for: 5m\n    labels: {severity: page}\n');
  await writeFile(join(dir, 'team-a', 'a.yml'), 'groups:\n- name: g1\n  rules: []\n');
  await writeFile(join(dir, 'team-a', 'notes.txt'), 'not a rule file');
  await writeFile(join(dir, 'team-b', 'broken.yaml'), 'groups: [: oops');
  await writeFile(join(dir, 'team-b', 'ok.yaml'), 'groups:\n- name: fine\n  rules:\n  - record: x\n    expr: "1"\n');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('LocalRuleStore', () => {
  it('lists tenants and groups sorted by namespace then group', async () => {
    const s = new LocalRuleStore({ directory: dir, pollIntervalMs: 20, logger });
    expect(await s.listTenants()).toEqual(['team-a', 'team-b']);
    const got = (await s.listRuleGroups('team-a')).map((e) => `${e.namespace}/${e.group.name}`);
    expect(got).toEqual(['a.yml/g1', 'z.yaml/aa', 'z.yaml/zz']);
    expect(await s.getRuleGroup('team-a', 'z.yaml', 'aa')).toEqual({
      name: 'aa',
      interval: '30s',
      rules: [{ alert: 'Down', expr: 'up == 0', for: '5m', labels: { severity: 'page' } }],
    });
    expect(await s.getRuleGroup('team-a', 'z.yaml', 'nope')).toBeNull();
    expect((await s.listRuleGroups('team-a', 'a.yml')).length).toBe(1);
    expect(await s.listRuleGroups('nobody')).toEqual([]);
  });

  it('skips and logs a file that does not parse, keeping the others', async () => {
    const s = new LocalRuleStore({ directory: dir, pollIntervalMs: 20, logger });
    const got = await s.listRuleGroups('team-b');
    expect(got.map((e) => e.group.name)).toEqual(['fine']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ tenant: 'team-b', file: 'broken.yaml' });
  });

  it('is read-only', async () => {
    const s = new LocalRuleStore({ directory: dir, pollIntervalMs: 20, logger });
    expect(s.writable).toBe(false);
    await expect(s.setRuleGroup('team-a', 'n', { name: 'g', rules: [] }, { who: 't' })).rejects.toBeInstanceOf(RuleStoreReadOnlyError);
    await expect(s.deleteRuleGroup('team-a', 'z.yaml', 'aa', { who: 't' })).rejects.toThrow(/read-only/);
    await expect(s.deleteNamespace('team-a', 'z.yaml', { who: 't' })).rejects.toThrow(/read-only/);
  });

  it('watch fires when a rule file changes and stops when aborted', async () => {
    const s = new LocalRuleStore({ directory: dir, pollIntervalMs: 20, logger });
    const ac = new AbortController();
    let fired = 0;
    const changed = new Promise<void>((resolve) => {
      s.watch(() => {
        fired++;
        resolve();
      }, ac.signal);
    });
    // Let the first poll take its baseline, then change a file.
    await new Promise((r) => setTimeout(r, 100));
    expect(fired).toBe(0);
    await writeFile(join(dir, 'team-b', 'new.yaml'), 'groups: []\n');
    await Promise.race([changed, new Promise((_, rej) => setTimeout(() => rej(new Error('watch did not fire within 10s')), 10_000))]);
    ac.abort();
    expect(fired).toBeGreaterThan(0);
  });
});
