/** openRuleStore: the configured backend is opened; a bad PostgreSQL URL fails naming the flag. */

import { describe, expect, it } from 'vitest';
import { type RuleStoreConfig, openRuleStore, ruleStoreBlock } from './config.js';
import { LocalRuleStore } from './local.js';

const defaults = Object.fromEntries(Object.entries(ruleStoreBlock).map(([k, d]) => [k, d.default])) as unknown as RuleStoreConfig;
const logger = { error: () => undefined };

describe('openRuleStore', () => {
  it('opens the local directory by default', async () => {
    expect(defaults.backend).toBe('local');
    const s = await openRuleStore(defaults, logger);
    expect(s).toBeInstanceOf(LocalRuleStore);
    expect(s.writable).toBe(false);
    await s.close();
  });

  it('names -ruler-storage.postgres.url when PostgreSQL cannot be reached', async () => {
    const cfg: RuleStoreConfig = { ...defaults, backend: 'postgres', postgres_url: 'postgres://postgres@127.0.0.1:1/none' };
    await expect(openRuleStore(cfg, logger)).rejects.toThrow(/-ruler-storage\.postgres\.url/);
  });
});
