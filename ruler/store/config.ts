/**
 * Options of the rule store (`-ruler-storage.*`) and the factory that opens the chosen backend.
 * The local directory defaults to `./rules` (Cortex's default is empty, which makes the default
 * `-target=all` fail to start; a relative directory works out of the box and is easy to mount).
 */

import { opt, type BlockValue } from '../../util/options.js';
import { LocalRuleStore } from './local.js';
import { PostgresRuleStore } from './postgres.js';
import type { RuleStore, RuleStoreLogger } from './types.js';

export const ruleStoreBlock = {
  backend: opt('string', 'ruler-storage.backend', 'local', 'Where rule groups are stored: local (a read-only directory) or postgres (writable through the rules API).', { oneOf: ['local', 'postgres'] }),
  local_directory: opt('string', 'ruler-storage.local.directory', './rules', 'Directory of rule files for the local backend: <dir>/<tenant>/<namespace>.yaml.'),
  postgres_url: opt('string', 'ruler-storage.postgres.url', 'postgres://127.0.0.1:5432/vigil', 'PostgreSQL connection URL for the postgres backend (libpq form; user and password may be in the URL or in PGUSER/PGPASSWORD).', { secret: true }),
  postgres_max_connections: opt('int', 'ruler-storage.postgres.max-connections', 10, 'Most connections the postgres rule store opens at once.'),
  poll_interval: opt('duration', 'ruler-storage.poll-interval', 5_000, 'How often the store is checked for changed rules (the local directory; the postgres fallback to LISTEN/NOTIFY).'),
} as const;

export type RuleStoreConfig = BlockValue<typeof ruleStoreBlock>;

/** Builds the configured store without I/O (a service starts it with prepareRuleStore). */
export function newRuleStore(cfg: RuleStoreConfig, logger: RuleStoreLogger): RuleStore {
  if (cfg.backend === 'postgres') {
    return new PostgresRuleStore({ url: cfg.postgres_url, maxConnections: cfg.postgres_max_connections, pollIntervalMs: cfg.poll_interval, logger });
  }
  return new LocalRuleStore({ directory: cfg.local_directory, pollIntervalMs: cfg.poll_interval, logger });
}

/** Makes a store ready: the postgres one gets its migrations; an error names the setting to fix. */
export async function prepareRuleStore(store: RuleStore): Promise<void> {
  if (!(store instanceof PostgresRuleStore)) return;
  try {
    await store.migrate();
  } catch (e) {
    await store.close();
    throw new Error(`cannot prepare the postgres rule store at -ruler-storage.postgres.url: ${(e as Error).message}`);
  }
}

/** Opens the configured store; the postgres one has its migrations applied. */
export async function openRuleStore(cfg: RuleStoreConfig, logger: RuleStoreLogger): Promise<RuleStore> {
  const store = newRuleStore(cfg, logger);
  await prepareRuleStore(store);
  return store;
}
