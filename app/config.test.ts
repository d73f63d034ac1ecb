import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, configAsYaml, helpText, loadConfig } from './config.js';

const GOLDEN = join(import.meta.dirname, 'testdata', 'help.txt');

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-config-'));
  dirs.push(dir);
  const p = join(dir, 'vigil.yaml');
  writeFileSync(p, text);
  return p;
}

describe('configuration', () => {
  it('has embedded defaults: all targets on port 9009, auth off, tenant anonymous', () => {
    const { config } = loadConfig([]);
    expect(config.root.target).toEqual(['all']);
    expect(config.server.http_listen_port).toBe(9009);
    expect(config.root.auth_enabled).toBe(false);
    expect(config.root.no_auth_tenant).toBe('anonymous');
    expect(config.distributor.max_recv_msg_size).toBe(100 * 1024 * 1024);
    expect(config.limits.creation_grace_period).toBe(600_000);
    expect(config.api.prometheus_http_prefix).toBe('/prometheus');
  });

  it('reads -config.file and lets flags win', () => {
    const file = tempFile(
      'auth_enabled: true\nserver:\n  http_listen_port: 8000\nlimits:\n  ingestion_rate: 5\n  creation_grace_period: 1h\n',
    );
    const { config } = loadConfig([`-config.file=${file}`, '-server.http-listen-port=8001']);
    expect(config.root.auth_enabled).toBe(true);
    expect(config.server.http_listen_port).toBe(8001);
    expect(config.limits.ingestion_rate).toBe(5);
    expect(config.limits.creation_grace_period).toBe(3_600_000);
  });

  it('expands environment variables only when asked', () => {
    const file = tempFile('server:\n  http_listen_port: ${PORT:7000}\n');
    expect(loadConfig([`-config.file=${file}`, '-config.expand-env=true'], { PORT: '7100' }).config.server.http_listen_port).toBe(7100);
    expect(loadConfig([`-config.file=${file}`, '-config.expand-env=true'], {}).config.server.http_listen_port).toBe(7000);
    expect(() => loadConfig([`-config.file=${file}`])).toThrow(ConfigError);
  });

  it.each([
    [['-target=nope'], /unknown target "nope"/],
    [['-server.http-listen-port=70000'], /not a port number/],
    [['-distributor.replication-factor=0'], /at least 1/],
    [['-no.such-flag=1'], /flag provided but not defined: -no\.such-flag/],
    [['-limits.ingestion_rate=1'], /flag provided but not defined/],
  ])('refuses %j', (argv, msg) => {
    expect(() => loadConfig(argv)).toThrow(msg);
  });

  it('names the file and key of a bad YAML value', () => {
    expect(() => loadConfig([`-config.file=${tempFile('server:\n  http_listen_port: "x"\n')}`])).toThrow(/server\.http_listen_port/);
    expect(() => loadConfig([`-config.file=${tempFile('servr: {}\n')}`])).toThrow(/unknown field "servr"/);
    expect(() => loadConfig([`-config.file=${tempFile('limits:\n  nope: 1\n')}`])).toThrow(/limits/);
    expect(() => loadConfig(['-config.file=/nonexistent/vigil.yaml'])).toThrow(/cannot read -config.file/);
  });

  it('reads nested sections and refuses unknown keys at every level', () => {
    const file = tempFile('blocks_storage:\n  tsdb:\n    dir: /x/tsdb\n    wal_fsync: always\n    block_ranges_period: 10s\n');
    const { config } = loadConfig([`-config.file=${file}`, '-blocks-storage.tsdb.wal-fsync=never']);
    expect(config.tsdb.dir).toBe('/x/tsdb');
    expect(config.tsdb.wal_fsync).toBe('never');
    expect(config.tsdb.block_ranges_period).toBe(10_000);
    expect(configAsYaml(config, 'diff')).toEqual({ blocks_storage: { tsdb: { dir: '/x/tsdb', wal_fsync: 'never', block_ranges_period: '10s' } } });
    expect(() => loadConfig([`-config.file=${tempFile('blocks_storage:\n  tsbd: {}\n')}`])).toThrow(/unknown field "tsbd" in blocks_storage/);
    expect(() => loadConfig([`-config.file=${tempFile('blocks_storage:\n  tsdb:\n    nope: 1\n')}`])).toThrow(/unknown field "nope" in blocks_storage.tsdb/);
    expect(() => loadConfig(['-blocks-storage.tsdb.wal-fsync=sometimes'])).toThrow(/must be one of always, interval, never/);
  });

  it('shows the effective config, only the differences in diff mode', () => {
    const { config } = loadConfig(['-server.http-listen-port=8080', '-validation.create-grace-period=1h']);
    const all = configAsYaml(config);
    expect((all.server as Record<string, unknown>).http_listen_port).toBe(8080);
    expect((all.limits as Record<string, unknown>).creation_grace_period).toBe('1h');
    expect(configAsYaml(config, 'diff')).toEqual({ server: { http_listen_port: 8080 }, limits: { creation_grace_period: '1h' } });
  });

  it('prints -help as the golden file holds it (UPDATE_GOLDEN=1 refreshes it)', () => {
    const text = helpText();
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, text);
    expect(text).toBe(readFileSync(GOLDEN, 'utf8'));
  });
});
