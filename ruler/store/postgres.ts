/**
 * PostgresRuleStore: rule groups in PostgreSQL, written through the rules API. Versioned schema
 * migrations run at start under a transaction-scoped advisory lock; every write and its audit row
 * share one transaction and NOTIFY `vigil_rules_changed` (payload: tenant), which every store's
 * `watch` LISTENs for, with polling as a fallback.
 */

import pg from 'pg';
import type { RuleGroupNode } from '../rulefmt/types.js';
import { parseRuleGroup } from './yaml-body.js';
import type { ChangeAuthor, RuleGroupEntry, RuleStore, RuleStoreLogger } from './types.js';

export interface PostgresRuleStoreOptions {
  readonly url: string;
  readonly maxConnections: number;
  readonly pollIntervalMs: number;
  readonly logger: RuleStoreLogger;
  /** Schema holding the tables (search_path); tests use a private one. Default: the server's. */
  readonly schema?: string;
}

export const NOTIFY_CHANNEL = 'vigil_rules_changed';
/** Arbitrary constant key of the advisory lock serialising migrations across processes. */
const MIGRATION_LOCK_KEY = 0x56494749; // "VIGI"

const MIGRATIONS: readonly (readonly string[])[] = [
  [
    `CREATE TABLE vigil_rule_groups (
       tenant text NOT NULL, namespace text NOT NULL, name text NOT NULL,
       body jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (tenant, namespace, name))`,
    `CREATE TABLE vigil_rule_audit (
       id bigserial PRIMARY KEY, tenant text NOT NULL, namespace text NOT NULL, group_name text NOT NULL,
       action text NOT NULL CHECK (action IN ('create', 'update', 'delete')),
       who text NOT NULL, at timestamptz NOT NULL DEFAULT now(), before jsonb, after jsonb)`,
    `CREATE INDEX vigil_rule_audit_tenant ON vigil_rule_audit (tenant, at)`,
  ],
];

export class PostgresRuleStore implements RuleStore {
  readonly writable = true;
  private readonly pool: pg.Pool;

  constructor(private readonly opts: PostgresRuleStoreOptions) {
    this.pool = new pg.Pool(this.clientConfig(opts.maxConnections));
    this.pool.on('error', (err) => opts.logger.error({ err }, 'idle PostgreSQL connection failed'));
  }

  private clientConfig(max: number): pg.PoolConfig {
    const c: pg.PoolConfig = { connectionString: this.opts.url, max };
    if (this.opts.schema !== undefined) c.options = `-c search_path=${this.opts.schema}`;
    return c;
  }

  /** Applies the migrations not yet applied; safe to run from several processes at once. */
  async migrate(): Promise<void> {
    await this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await c.query(
        'CREATE TABLE IF NOT EXISTS vigil_schema_migrations (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const r = await c.query<{ v: number | null }>('SELECT max(version) AS v FROM vigil_schema_migrations');
      const have = r.rows[0]?.v ?? 0;
      for (let i = have; i < MIGRATIONS.length; i++) {
        for (const sql of MIGRATIONS[i] ?? []) await c.query(sql);
        await c.query('INSERT INTO vigil_schema_migrations (version) VALUES ($1)', [i + 1]);
      }
    });
  }

  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  async listTenants(): Promise<string[]> {
    const r = await this.pool.query<{ tenant: string }>('SELECT tenant FROM vigil_rule_groups GROUP BY tenant ORDER BY tenant COLLATE "C"');
    return r.rows.map((x) => x.tenant);
  }

  async listRuleGroups(tenant: string, namespace?: string): Promise<RuleGroupEntry[]> {
    const r = await this.pool.query<{ namespace: string; body: unknown }>(
      `SELECT namespace, body FROM vigil_rule_groups WHERE tenant = $1 AND ($2::text IS NULL OR namespace = $2)
       ORDER BY namespace COLLATE "C", name COLLATE "C"`,
      [tenant, namespace ?? null],
    );
    return r.rows.map((x) => ({ namespace: x.namespace, group: parseRuleGroup(x.body) }));
  }

  async getRuleGroup(tenant: string, namespace: string, group: string): Promise<RuleGroupNode | null> {
    const r = await this.pool.query<{ body: unknown }>(
      'SELECT body FROM vigil_rule_groups WHERE tenant = $1 AND namespace = $2 AND name = $3',
      [tenant, namespace, group],
    );
    const row = r.rows[0];
    return row ? parseRuleGroup(row.body) : null;
  }

  async setRuleGroup(tenant: string, namespace: string, group: RuleGroupNode, author: ChangeAuthor): Promise<void> {
    await this.tx(async (c) => {
      const prev = await c.query<{ body: unknown }>(
        'SELECT body FROM vigil_rule_groups WHERE tenant = $1 AND namespace = $2 AND name = $3 FOR UPDATE',
        [tenant, namespace, group.name],
      );
      const before = prev.rows[0]?.body ?? null;
      const body = JSON.stringify(group);
      await c.query(
        `INSERT INTO vigil_rule_groups (tenant, namespace, name, body, updated_at) VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (tenant, namespace, name) DO UPDATE SET body = EXCLUDED.body, updated_at = now()`,
        [tenant, namespace, group.name, body],
      );
      await this.audit(c, tenant, namespace, group.name, before === null ? 'create' : 'update', author, before, body);
    });
  }

  async deleteRuleGroup(tenant: string, namespace: string, group: string, author: ChangeAuthor): Promise<boolean> {
    return this.tx(async (c) => {
      const r = await c.query<{ name: string; body: unknown }>(
        'DELETE FROM vigil_rule_groups WHERE tenant = $1 AND namespace = $2 AND name = $3 RETURNING name, body',
        [tenant, namespace, group],
      );
      for (const row of r.rows) await this.audit(c, tenant, namespace, row.name, 'delete', author, row.body, null);
      return r.rows.length > 0;
    });
  }

  async deleteNamespace(tenant: string, namespace: string, author: ChangeAuthor): Promise<boolean> {
    return this.tx(async (c) => {
      const r = await c.query<{ name: string; body: unknown }>(
        'DELETE FROM vigil_rule_groups WHERE tenant = $1 AND namespace = $2 RETURNING name, body',
        [tenant, namespace],
      );
      const rows = r.rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const row of rows) await this.audit(c, tenant, namespace, row.name, 'delete', author, row.body, null);
      return rows.length > 0;
    });
  }

  private async audit(
    c: pg.PoolClient,
    tenant: string,
    namespace: string,
    name: string,
    action: 'create' | 'update' | 'delete',
    author: ChangeAuthor,
    before: unknown,
    after: string | null,
  ): Promise<void> {
    await c.query(
      `INSERT INTO vigil_rule_audit (tenant, namespace, group_name, action, who, before, after)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [tenant, namespace, name, action, author.who, before === null ? null : JSON.stringify(before), after],
    );
    await c.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, tenant]);
  }

  watch(onChange: () => void, signal: AbortSignal): void {
    let client: pg.Client | null = null;
    let poll: NodeJS.Timeout | null = null;
    let lastStamp: string | null = null;
    const listen = async (): Promise<void> => {
      const c = new pg.Client(this.clientConfig(1));
      client = c;
      c.on('notification', (m) => {
        if (m.channel === NOTIFY_CHANNEL) onChange();
      });
      c.on('error', (err) => {
        this.opts.logger.error({ err }, 'LISTEN connection to PostgreSQL failed; polling until it is back');
        client = null;
        void c.end().catch(() => undefined);
      });
      try {
        await c.connect();
        await c.query(`LISTEN ${NOTIFY_CHANNEL}`);
        if (signal.aborted) await c.end();
      } catch (err) {
        this.opts.logger.error({ err }, 'cannot LISTEN on PostgreSQL; polling');
        client = null;
        await c.end().catch(() => undefined);
      }
    };
    // Fallback: a cheap fingerprint of the table, compared each interval; also re-LISTENs.
    const tick = async (): Promise<void> => {
      try {
        const r = await this.pool.query<{ s: string }>(
          "SELECT count(*)::text || ':' || coalesce(max(updated_at)::text, '') || ':' || (SELECT coalesce(max(id), 0)::text FROM vigil_rule_audit) AS s FROM vigil_rule_groups",
        );
        const s = r.rows[0]?.s ?? '';
        if (lastStamp !== null && s !== lastStamp) onChange();
        lastStamp = s;
        if (client === null && !signal.aborted) await listen();
      } catch (err) {
        this.opts.logger.error({ err }, 'polling PostgreSQL rule groups failed');
      }
      if (!signal.aborted) poll = setTimeout(() => void tick(), this.opts.pollIntervalMs);
    };
    signal.addEventListener('abort', () => {
      if (poll) clearTimeout(poll);
      const c: pg.Client | null = client;
      client = null;
      if (c) void c.end().catch(() => undefined);
    });
    void listen().then(() => tick());
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
