/**
 * Vigil's configuration: the YAML file (`-config.file`) with flags over it. Each block's options
 * live beside the code that uses them; this file only lists the blocks, so `-help`, `/config`
 * and the README reference are generated from one table.
 */

import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { limitsBlock } from '../util/limits.js';
import { runtimeConfigBlock } from '../util/runtime-config.js';
import { tsdbBlock } from '../ingester/tsdb-config.js';
import { querierBlock } from '../querier/config.js';
import { frontendBlock, validateFrontendConfig } from '../frontend/config.js';
import { bucketStoreBlock } from '../store/config.js';
import { bucketBlock, filesystemBucketBlock, s3BucketBlock } from '../objstore/config.js';
import { rulerBlock } from '../ruler/config.js';
import { notifierBlock } from '../ruler/notifier/config.js';
import { ruleStoreBlock } from '../ruler/store/config.js';
import { type BlockDef, type BlockValue, type OptionDef, buildBlock, defaultText, displayValue, opt } from '../util/options.js';
import { parseFlags } from '../util/flags.js';

export const ALL_TARGETS = ['all', 'distributor', 'ingester', 'querier', 'query-frontend', 'ruler', 'compactor', 'store-gateway'] as const;

export const rootBlock = {
  target: opt('strings', 'target', ['all'], `Comma-separated roles to run: ${ALL_TARGETS.join(', ')}.`),
  auth_enabled: opt('bool', 'auth.enabled', false, 'Require X-Scope-OrgID on every request (multi-tenant mode).'),
  no_auth_tenant: opt('string', 'auth.no-auth-tenant', 'anonymous', 'Tenant that owns all data when -auth.enabled=false.'),
} as const;

export const serverBlock = {
  http_listen_address: opt('string', 'server.http-listen-address', '0.0.0.0', 'Address the HTTP server binds to.'),
  http_listen_port: opt('int', 'server.http-listen-port', 9009, 'Port of the HTTP server.'),
  graceful_shutdown_timeout: opt('duration', 'server.graceful-shutdown-timeout', 30_000, 'How long open requests may take to finish after SIGTERM.'),
  log_level: opt('string', 'log.level', 'info', 'Least severe log level written: debug, info, warn or error.', { oneOf: ['debug', 'info', 'warn', 'error'] }),
} as const;

export const apiBlock = {
  prometheus_http_prefix: opt('string', 'http.prometheus-http-prefix', '/prometheus', 'Path prefix of the Prometheus-compatible query API.'),
} as const;

export const distributorBlock = {
  max_recv_msg_size: opt('int', 'distributor.max-recv-msg-size', 100 << 20, 'Largest push accepted, in bytes, compressed and again after decompression.'),
  remote_timeout: opt('duration', 'distributor.remote-timeout', 2000, 'How long the distributor waits for ingesters to acknowledge a push.'),
} as const;

export const ingesterRingBlock = {
  replication_factor: opt('int', 'distributor.replication-factor', 1, 'Ingesters that hold a copy of each series; a write needs floor(RF/2)+1 acknowledgements.'),
  num_tokens: opt('int', 'ingester.num-tokens', 128, 'Tokens each ingester owns in the ring.'),
  heartbeat_period: opt('duration', 'ingester.heartbeat-period', 5000, 'How often an ingester refreshes its ring entry.'),
  heartbeat_timeout: opt('duration', 'ring.heartbeat-timeout', 60_000, 'An ingester whose ring entry is older than this gets no writes.'),
  instance_id: opt('string', 'ingester.lifecycler.ID', '', 'This ingester\'s id in the ring; the host name when empty.'),
} as const;


/**
 * Every config block: the key it has in Config, its YAML section (dotted for nested sections,
 * '' for the top level) and its options.
 */
export const SECTIONS = {
  root: { yaml: '', def: rootBlock },
  server: { yaml: 'server', def: serverBlock },
  api: { yaml: 'api', def: apiBlock },
  distributor: { yaml: 'distributor', def: distributorBlock },
  ingesterRing: { yaml: 'ingester_ring', def: ingesterRingBlock },
  querier: { yaml: 'querier', def: querierBlock },
  frontend: { yaml: 'frontend', def: frontendBlock },
  limits: { yaml: 'limits', def: limitsBlock },
  runtimeConfig: { yaml: 'runtime_config', def: runtimeConfigBlock },
  bucket: { yaml: 'blocks_storage', def: bucketBlock },
  filesystem: { yaml: 'blocks_storage.filesystem', def: filesystemBucketBlock },
  s3: { yaml: 'blocks_storage.s3', def: s3BucketBlock },
  tsdb: { yaml: 'blocks_storage.tsdb', def: tsdbBlock },
  bucketStore: { yaml: 'blocks_storage.bucket_store', def: bucketStoreBlock },
  ruler: { yaml: 'ruler', def: { ...rulerBlock, ...notifierBlock } },
  rulerStorage: { yaml: 'ruler_storage', def: ruleStoreBlock },
} as const satisfies Record<string, { yaml: string; def: BlockDef }>;

type Sections = typeof SECTIONS;

/** YAML section → its options (for docs and -help). */
export const BLOCKS: Readonly<Record<string, BlockDef>> = Object.fromEntries(Object.values(SECTIONS).map((s) => [s.yaml, s.def]));

export type Config = { readonly [K in keyof Sections]: BlockValue<Sections[K]['def']> };

const CONFIG_FILE = opt('string', 'config.file', '', 'YAML configuration file; flags override its values.');
const CONFIG_EXPAND = opt('bool', 'config.expand-env', false, 'Replace ${VAR} and ${VAR:default} in the configuration file with environment variables.');

/** Every flag, by name. */
export function flagDefs(): Map<string, OptionDef> {
  const m = new Map<string, OptionDef>([
    ['config.file', CONFIG_FILE],
    ['config.expand-env', CONFIG_EXPAND],
  ]);
  for (const block of Object.values(BLOCKS)) for (const d of Object.values(block)) if (d.flag) m.set(d.flag, d);
  return m;
}

export class ConfigError extends Error {}

function expandEnv(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}/g, (_, name: string, def: string | undefined) => env[name] ?? def ?? '');
}

export interface LoadedConfig {
  readonly config: Config;
  readonly help: boolean;
}

/** Parse flags, read `-config.file` if given, validate once and freeze. */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  let flags;
  try {
    flags = parseFlags(argv, flagDefs());
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  if (flags.rest.length > 0) throw new ConfigError(`unexpected argument ${JSON.stringify(flags.rest[0])}; flags are written -name=value`);
  let yaml: Record<string, unknown> = {};
  const file = flags.values.get('config.file') as string | undefined;
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError(`cannot read -config.file=${file}: ${(e as Error).message}`);
    }
    if (flags.values.get('config.expand-env') === true) text = expandEnv(text, env);
    let doc: unknown;
    try {
      doc = parseYaml(text);
    } catch (e) {
      throw new ConfigError(`-config.file=${file} is not valid YAML: ${(e as Error).message}`);
    }
    if (doc !== null && doc !== undefined && (typeof doc !== 'object' || Array.isArray(doc))) {
      throw new ConfigError(`-config.file=${file}: the top level must be a mapping`);
    }
    yaml = (doc ?? {}) as Record<string, unknown>;
  }
  try {
    checkGroupingKeys(yaml, '');
    const built: Record<string, unknown> = {};
    for (const [key, { yaml: path, def }] of Object.entries(SECTIONS) as [string, { yaml: string; def: BlockDef }][]) {
      built[key] = buildBlock(path, def, sectionYaml(yaml, path), flags.values);
    }
    const config = Object.freeze(built) as Config;
    validate(config);
    return { config, help: flags.help };
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError((e as Error).message);
  }
}

const SECTION_PATHS: ReadonlySet<string> = new Set(Object.values(SECTIONS).map((s): string => s.yaml));

function childPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** True when some section lies under `path`. */
function isSectionParent(path: string): boolean {
  for (const p of SECTION_PATHS) if (p.startsWith(`${path}.`)) return true;
  return false;
}

function asMapping(node: unknown, path: string): Record<string, unknown> | undefined {
  if (node === null || node === undefined) return undefined;
  if (typeof node !== 'object' || Array.isArray(node)) throw new ConfigError(`invalid configuration at ${path}: expected a mapping`);
  return node as Record<string, unknown>;
}

/**
 * The YAML mapping of one section with its nested sections left out, so the block's strict
 * parse sees only its own keys (and refuses any other).
 */
function sectionYaml(root: Record<string, unknown>, path: string): unknown {
  let node: Record<string, unknown> | undefined = root;
  if (path !== '') {
    for (const part of path.split('.')) node = asMapping(node?.[part], path);
  }
  if (node === undefined) return undefined;
  const own: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    const child = childPath(path, k);
    if (!SECTION_PATHS.has(child) && !isSectionParent(child)) own[k] = v;
  }
  return own;
}

/** Mappings that only group sections (no options of their own) may hold nothing else. */
function checkGroupingKeys(node: Record<string, unknown>, path: string): void {
  for (const [k, v] of Object.entries(node)) {
    const child = childPath(path, k);
    if (!isSectionParent(child)) continue;
    const m = asMapping(v, child);
    if (m === undefined) continue;
    if (!SECTION_PATHS.has(child)) {
      for (const key of Object.keys(m)) {
        const sub = childPath(child, key);
        if (!SECTION_PATHS.has(sub) && !isSectionParent(sub)) throw new ConfigError(`invalid configuration: unknown field ${JSON.stringify(key)} in ${child}`);
      }
    }
    checkGroupingKeys(m, child);
  }
}

function validate(c: Config): void {
  try {
    validateFrontendConfig(c.frontend);
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  for (const t of c.root.target) {
    if (!(ALL_TARGETS as readonly string[]).includes(t)) {
      throw new ConfigError(`unknown target ${JSON.stringify(t)} in -target; choose from ${ALL_TARGETS.join(', ')}`);
    }
  }
  if (c.server.http_listen_port < 0 || c.server.http_listen_port > 65535) {
    throw new ConfigError(`-server.http-listen-port=${c.server.http_listen_port} is not a port number`);
  }
  if (c.ingesterRing.replication_factor < 1) throw new ConfigError('-distributor.replication-factor must be at least 1');
  if (!c.api.prometheus_http_prefix.startsWith('/')) throw new ConfigError('-http.prometheus-http-prefix must start with "/"');
}

/** `-help`: every flag with its kind, default and help, grouped by YAML section. */
export function helpText(): string {
  const lines: string[] = ['Usage of vigil:'];
  const entries: [string, OptionDef][] = [
    ['config.file', CONFIG_FILE],
    ['config.expand-env', CONFIG_EXPAND],
  ];
  for (const block of Object.values(BLOCKS)) for (const d of Object.values(block)) if (d.flag) entries.push([d.flag, d]);
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [name, d] of entries) {
    const kind = d.kind === 'strings' ? 'comma-separated-list-of-strings' : d.kind;
    lines.push(`  -${name} ${d.kind === 'bool' ? '' : kind}`.trimEnd());
    // Like Go's flag package, zero values print no default.
    const def = defaultText(d);
    const zero = def === '' || def === '0' || def === 'false' || def === '0s';
    lines.push(`    \t${d.help}${zero ? '' : ` (default ${d.kind === 'string' ? JSON.stringify(def) : def})`}`);
  }
  return lines.join('\n') + '\n';
}

/** The effective configuration as YAML-able data; secrets masked. */
export function configAsYaml(c: Config, mode: 'values' | 'defaults' | 'diff' = 'values'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, { yaml: path, def }] of Object.entries(SECTIONS) as [keyof Config, { yaml: string; def: BlockDef }][]) {
    const values = c[key] as Readonly<Record<string, unknown>>;
    const target: Record<string, unknown> = {};
    for (const [k, d] of Object.entries(def)) {
      const v = mode === 'defaults' ? d.default : values[k];
      if (mode === 'diff' && JSON.stringify(v) === JSON.stringify(d.default)) continue;
      target[k] = displayValue(d, v);
    }
    if (Object.keys(target).length === 0) continue;
    let node = out;
    if (path !== '') {
      for (const part of path.split('.')) {
        const next = (node[part] ??= {}) as Record<string, unknown>;
        node = next;
      }
    }
    Object.assign(node, target);
  }
  return out;
}
