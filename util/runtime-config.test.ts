import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Limits, limitsBlock } from './limits.js';
import { buildBlock } from './options.js';
import { RuntimeConfig, type RuntimeConfigLogger, parseRuntimeConfig } from './runtime-config.js';

const DEFAULTS: Limits = buildBlock('limits', limitsBlock, {});

describe('parseRuntimeConfig', () => {
  it.each([
    ['an empty file', ''],
    ['a comment only', '# nothing yet\n'],
    ['no overrides', 'overrides:\n'],
    ['empty overrides', 'overrides: {}\n'],
  ])('reads %s as no overrides', (_name, text) => {
    expect(parseRuntimeConfig(text, 'rc.yaml', DEFAULTS).size).toBe(0);
  });

  it('lays each tenant\'s values over the configured defaults', () => {
    // The defaults as configured (flags, main config file), not the built-in ones.
    const defaults = buildBlock('limits', limitsBlock, { ingestion_rate: 1234, max_label_names_per_series: 40 });
    const m = parseRuntimeConfig(
      [
        'overrides:',
        '  team-a:',
        '    ingestion_burst_size: 99999',
        '    reject_old_samples: true',
        '    reject_old_samples_max_age: 1w',
        '    creation_grace_period: 30', // bare numbers are seconds
        '  team-b:',
        '  "123":',
        '    max_label_names_per_series: 10',
      ].join('\n'),
      'rc.yaml',
      defaults,
    );
    const a = m.get('team-a')!;
    expect(a).toEqual({
      ...defaults,
      ingestion_burst_size: 99999,
      reject_old_samples: true,
      reject_old_samples_max_age: 7 * 24 * 3600_000,
      creation_grace_period: 30_000,
    });
    expect(a.ingestion_rate).toBe(1234);
    expect(Object.isFrozen(a)).toBe(true);
    expect(m.get('team-b')).toEqual(defaults);
    expect(m.get('123')?.max_label_names_per_series).toBe(10);
  });

  it.each([
    ['an unknown limit', 'overrides:\n  team-a:\n    ingestion_rat: 5\n', 'runtime config file rc.yaml: tenant "team-a": unknown limit "ingestion_rat" (at overrides.team-a.ingestion_rat)'],
    [
      'a wrong type',
      'overrides:\n  team-a:\n    ingestion_burst_size: lots\n',
      /^runtime config file rc\.yaml: tenant "team-a": invalid configuration at overrides\.team-a\.ingestion_burst_size: .*number/,
    ],
    ['a fraction for an integer', 'overrides:\n  t:\n    max_label_names_per_series: 1.5\n', /overrides\.t\.max_label_names_per_series/],
    ['a bad duration', 'overrides:\n  t:\n    creation_grace_period: soon\n', /overrides\.t\.creation_grace_period: not a valid duration/],
    ['an unknown top-level key', 'overides:\n  t: {}\n', 'runtime config file rc.yaml: unknown top-level key "overides" (expected "overrides")'],
    ['a list at the top', '- a\n', 'runtime config file rc.yaml: the top level must be a mapping with an "overrides" key'],
    ['overrides as a list', 'overrides: [a]\n', 'runtime config file rc.yaml: "overrides" must map tenant IDs to their limits'],
    ['a tenant as a scalar', 'overrides:\n  t: 5\n', 'runtime config file rc.yaml: overrides for tenant "t" must be a mapping of limit names to values'],
    ['broken YAML', 'overrides:\n  t: {a: 1\n', /^runtime config file rc\.yaml is not valid YAML/],
    ['two documents', 'overrides: {}\n---\noverrides: {}\n', /^runtime config file rc\.yaml is not valid YAML/],
    ['a duplicated tenant', 'overrides:\n  t: {}\n  t: {}\n', /^runtime config file rc\.yaml is not valid YAML/],
  ])('refuses %s, naming the file, tenant and key', (_name, text, want) => {
    expect(() => parseRuntimeConfig(text, 'rc.yaml', DEFAULTS)).toThrow(want);
  });
});

describe('RuntimeConfig', () => {
  let dir: string;
  let file: string;
  let registry: Registry;
  let logs: { level: string; obj: object; msg: string }[];
  const logger: RuntimeConfigLogger = {
    info: (obj, msg) => logs.push({ level: 'info', obj, msg }),
    error: (obj, msg) => logs.push({ level: 'error', obj, msg }),
  };
  const started: RuntimeConfig[] = [];
  const make = (periodMs = 0, f = file) => {
    const rc = new RuntimeConfig({ defaults: DEFAULTS, file: f, periodMs, registry, logger });
    started.push(rc);
    return rc;
  };
  const metric = async (name: string) => (await registry.getSingleMetric(name)?.get())?.values ?? [];
  const gauge = async (name: string) => (await metric(name))[0]?.value;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-rc-'));
    file = join(dir, 'runtime.yaml');
    registry = new Registry();
    logs = [];
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((rc) => rc.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('does no I/O before start, then serves the file\'s overrides', async () => {
    writeFileSync(file, 'overrides:\n  a:\n    ingestion_rate: 500\n');
    const rc = make();
    expect(rc.forTenant('a')).toBe(DEFAULTS);
    await rc.start();
    expect(rc.forTenant('a').ingestion_rate).toBe(500);
    expect(rc.forTenant('a').ingestion_burst_size).toBe(DEFAULTS.ingestion_burst_size);
    expect(rc.forTenant('other')).toBe(DEFAULTS);
    expect(rc.tenants()).toEqual(['a']);
    expect(await gauge('vigil_runtime_config_last_reload_successful')).toBe(1);
    const hash = (await metric('vigil_runtime_config_hash'))[0];
    expect(hash?.labels.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hands out one frozen object per tenant until the next change', async () => {
    writeFileSync(file, 'overrides:\n  a:\n    ingestion_rate: 500\n');
    const rc = make();
    await rc.start();
    const first = rc.forTenant('a');
    expect(Object.isFrozen(first)).toBe(true);
    expect(rc.forTenant('a')).toBe(first);
    await rc.reload(); // same content: same objects
    expect(rc.forTenant('a')).toBe(first);
    writeFileSync(file, 'overrides:\n  a:\n    ingestion_rate: 600\n');
    await rc.reload();
    expect(rc.forTenant('a')).not.toBe(first);
    expect(rc.forTenant('a').ingestion_rate).toBe(600);
  });

  it('applies a changed file on reload, dropping tenants no longer listed', async () => {
    writeFileSync(file, 'overrides:\n  a:\n    ingestion_rate: 500\n  b:\n    ingestion_rate: 7\n');
    const rc = make();
    await rc.start();
    writeFileSync(file, 'overrides:\n  a:\n    max_label_names_per_series: 50\n');
    await rc.reload();
    expect(rc.forTenant('a').ingestion_rate).toBe(DEFAULTS.ingestion_rate);
    expect(rc.forTenant('a').max_label_names_per_series).toBe(50);
    expect(rc.forTenant('b')).toBe(DEFAULTS);
  });

  it('keeps the last good configuration when a reload fails, and says so', async () => {
    writeFileSync(file, 'overrides:\n  a:\n    ingestion_rate: 500\n');
    const rc = make();
    await rc.start();
    writeFileSync(file, 'overrides:\n  a:\n    ingestion_rate: 600\n    no_such_limit: 1\n');
    await expect(rc.reload()).rejects.toThrow(`runtime config file ${file}: tenant "a": unknown limit "no_such_limit"`);
    expect(rc.forTenant('a').ingestion_rate).toBe(500);
    expect(await gauge('vigil_runtime_config_last_reload_successful')).toBe(0);
    expect(await gauge('vigil_runtime_config_reload_failures_total')).toBe(1);
    expect(logs.at(-1)).toMatchObject({ level: 'error', msg: expect.stringMatching(/keeping the previous configuration/) });

    rmSync(file);
    await expect(rc.reload()).rejects.toThrow(`cannot read runtime config file ${file}`);
    expect(rc.forTenant('a').ingestion_rate).toBe(500);

    writeFileSync(file, 'overrides:\n  a:\n    ingestion_rate: 700\n');
    await rc.reload();
    expect(rc.forTenant('a').ingestion_rate).toBe(700);
    expect(await gauge('vigil_runtime_config_last_reload_successful')).toBe(1);
  });

  it('fails to start when the file cannot be loaded', async () => {
    await expect(make(0, join(dir, 'missing.yaml')).start()).rejects.toThrow(/cannot read runtime config file .*missing\.yaml/);
    writeFileSync(file, 'overrides:\n  a:\n    ingestion_rate: fast\n');
    registry = new Registry();
    await expect(make().start()).rejects.toThrow(/overrides\.a\.ingestion_rate/);
  });

  it('without a file gives everyone the defaults and starts no timer', async () => {
    const rc = make(10, '');
    await rc.start();
    await rc.reload();
    expect(rc.forTenant('a')).toBe(DEFAULTS);
    expect(await gauge('vigil_runtime_config_last_reload_successful')).toBe(1);
    expect(rc.current()).toBe('# -runtime-config.file is not set: every tenant has the default limits.\noverrides: {}\n');
  });

  it('reloads on its own every period until stopped', async () => {
    writeFileSync(file, 'overrides:\n  a:\n    ingestion_rate: 1\n');
    const rc = make(50);
    const ctl = new AbortController();
    await rc.start(ctl.signal);
    writeFileSync(file, 'overrides:\n  a:\n    ingestion_rate: 2\n');
    await vi.waitFor(() => expect(rc.forTenant('a').ingestion_rate).toBe(2), { timeout: 3000, interval: 20 });

    // A bad file on a timed reload is logged, and the timer goes on.
    writeFileSync(file, 'overrides: [\n');
    await vi.waitFor(async () => expect(await gauge('vigil_runtime_config_last_reload_successful')).toBe(0), { timeout: 3000, interval: 20 });
    expect(rc.forTenant('a').ingestion_rate).toBe(2);
    writeFileSync(file, 'overrides:\n  a:\n    ingestion_rate: 3\n');
    await vi.waitFor(() => expect(rc.forTenant('a').ingestion_rate).toBe(3), { timeout: 3000, interval: 20 });

    // Aborting the start signal stops the timer.
    ctl.abort();
    await rc.stop();
    writeFileSync(file, 'overrides:\n  a:\n    ingestion_rate: 4\n');
    await new Promise((r) => setTimeout(r, 200));
    expect(rc.forTenant('a').ingestion_rate).toBe(3);
  });

  it('shows the overrides in force, whole or as differences from the defaults', async () => {
    writeFileSync(file, 'overrides:\n  b:\n    ingestion_rate: 500\n    creation_grace_period: 1h\n  a:\n    ingestion_rate: 25000\n');
    const rc = make();
    await rc.start();
    expect(rc.current('diff')).toBe('overrides:\n  a: {}\n  b:\n    ingestion_rate: 500\n    creation_grace_period: 1h\n');
    const full = rc.current('values');
    expect(full.startsWith('overrides:\n  a:\n    ingestion_rate: 25000\n    ingestion_burst_size: 50000\n')).toBe(true);
    expect(full).toContain('  b:\n    ingestion_rate: 500\n');
    expect(full).toContain('    reject_old_samples_max_age: 2w\n');
    expect(full.match(/ingestion_burst_size/g)).toHaveLength(2);
    // What `values` shows reads back to the same limits.
    const again = parseRuntimeConfig(full, 'shown.yaml', DEFAULTS);
    expect(again.get('b')).toEqual(rc.forTenant('b'));
  });
});
