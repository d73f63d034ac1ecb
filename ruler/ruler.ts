/**
 * The ruler: keeps every tenant's rule groups from the rule store running, each group evaluated
 * at its own interval on Prometheus's slots (a per-group offset spreads groups over the
 * interval), missed slots skipped, `for` state restored after the second evaluation following a
 * start, and a group's state carried over when its definition changes. Groups that disappear
 * get stale markers for everything they wrote.
 */

import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { RuleGroupEntry } from './store/types.js';
import type { Group } from './rules/group.js';
import { buildGroup } from './rules/load.js';
import type { GroupContext } from './rules/types.js';

/** What the ruler reads rules from (the rule store's read side). */
export interface RuleSource {
  listTenants(): Promise<string[]>;
  listRuleGroups(tenant: string): Promise<RuleGroupEntry[]>;
  /** Calls back when rules may have changed (stores that can tell). */
  watch?(onChange: () => void, signal: AbortSignal): void;
}

export interface RulerOptions {
  readonly source: RuleSource;
  readonly contextFor: (tenant: string) => GroupContext;
  readonly evaluationIntervalMs: number;
  readonly pollIntervalMs: number;
  readonly logger: Logger;
  readonly registry: Registry;
}

interface Running {
  readonly tenant: string;
  readonly key: string;
  readonly definition: string;
  readonly group: Group;
  readonly abort: AbortController;
  done: Promise<void>;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export class Ruler {
  /** tenant → group key → running group. */
  private readonly running = new Map<string, Map<string, Running>>();
  private readonly contexts = new Map<string, GroupContext>();
  private readonly abort = new AbortController();
  private syncing: Promise<void> = Promise.resolve();
  private pollLoop: Promise<void> = Promise.resolve();
  private readonly evaluations: Counter<'user' | 'rule_group'>;
  private readonly failures: Counter<'user' | 'rule_group'>;
  private readonly missed: Counter<'user' | 'rule_group'>;
  private readonly lastEval: Gauge<'user' | 'rule_group'>;
  private readonly syncErrors: Counter;

  constructor(private readonly opts: RulerOptions) {
    const r = [opts.registry];
    const labelNames = ['user', 'rule_group'] as const;
    this.evaluations = new Counter({ name: 'vigil_prometheus_rule_evaluations_total', help: 'Rule evaluations, per tenant and group.', labelNames, registers: r });
    this.failures = new Counter({ name: 'vigil_prometheus_rule_evaluation_failures_total', help: 'Rule evaluations that failed (query or write).', labelNames, registers: r });
    this.missed = new Counter({ name: 'vigil_prometheus_rule_group_iterations_missed_total', help: 'Group evaluation slots skipped because an evaluation ran late.', labelNames, registers: r });
    this.lastEval = new Gauge({ name: 'vigil_prometheus_rule_group_last_evaluation_timestamp_seconds', help: 'When the group was last evaluated (its evaluation timestamp).', labelNames, registers: r });
    this.syncErrors = new Counter({ name: 'vigil_ruler_sync_failures_total', help: 'Reads of the rule store that failed; the groups already running keep running.', registers: r });
  }

  /** Loads every tenant's groups and starts them; then follows the store. */
  async start(): Promise<void> {
    await this.sync();
    const signal = this.abort.signal;
    this.opts.source.watch?.(() => void this.requestSync(), signal);
    this.pollLoop = (async () => {
      while (!signal.aborted) {
        await sleep(this.opts.pollIntervalMs, signal);
        if (!signal.aborted) await this.requestSync();
      }
    })();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.pollLoop;
    await this.syncing;
    const all = [...this.running.values()].flatMap((m) => [...m.values()]);
    for (const r of all) r.abort.abort();
    await Promise.all(all.map((r) => r.done));
    this.running.clear();
  }

  /** The tenant's running groups, by namespace then group name. */
  groups(tenant: string): Group[] {
    return [...(this.running.get(tenant)?.values() ?? [])].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((r) => r.group);
  }

  /** Syncs now (one at a time; a request during a sync runs after it). */
  requestSync(): Promise<void> {
    this.syncing = this.syncing.then(() => this.sync());
    return this.syncing;
  }

  private async sync(): Promise<void> {
    if (this.abort.signal.aborted) return;
    let tenants: string[];
    try {
      tenants = await this.opts.source.listTenants();
    } catch (e) {
      this.syncErrors.inc();
      this.opts.logger.error({ err: e }, 'listing rule tenants failed');
      return;
    }
    for (const tenant of tenants) {
      try {
        this.syncTenant(tenant, await this.opts.source.listRuleGroups(tenant));
      } catch (e) {
        this.syncErrors.inc();
        this.opts.logger.error({ err: e, tenant }, 'loading rule groups failed; the running ones keep running');
      }
    }
    for (const tenant of [...this.running.keys()]) if (!tenants.includes(tenant)) this.syncTenant(tenant, []);
  }

  private syncTenant(tenant: string, entries: readonly RuleGroupEntry[]): void {
    // Like Prometheus at start (and Cortex per tenant), `for` state is restored for the groups
    // of a tenant's first load only.
    const firstLoad = !this.running.has(tenant);
    const current = this.running.get(tenant) ?? new Map<string, Running>();
    const next = new Map<string, Running>();
    for (const e of entries) {
      const key = `${e.namespace}\x00${e.group.name}`;
      const definition = JSON.stringify(e.group);
      const old = current.get(key);
      if (old && old.definition === definition) {
        next.set(key, old);
        continue;
      }
      let group: Group;
      try {
        group = buildGroup(e.group, e.namespace, this.opts.evaluationIntervalMs);
      } catch (err) {
        this.opts.logger.error({ err, tenant, namespace: e.namespace, group: e.group.name }, 'rule group cannot be evaluated; skipped');
        if (old) next.set(key, old);
        continue;
      }
      old?.abort.abort();
      next.set(key, this.launch(tenant, key, definition, group, firstLoad, old));
    }
    for (const [key, old] of current) {
      if (next.has(key)) continue;
      old.abort.abort();
      // The group is gone: whatever it wrote becomes stale once its last evaluation ended.
      void old.done.then(async () => {
        old.group.markAllStale();
        await old.group.cleanupStaleSeries(Date.now(), this.context(tenant));
      });
    }
    if (next.size > 0) this.running.set(tenant, next);
    else this.running.delete(tenant);
  }

  private context(tenant: string): GroupContext {
    let c = this.contexts.get(tenant);
    if (!c) {
      c = this.opts.contextFor(tenant);
      this.contexts.set(tenant, c);
    }
    return c;
  }

  /** Starts a group's loop once the group it replaces (if any) has finished, taking over its state. */
  private launch(tenant: string, key: string, definition: string, group: Group, restore: boolean, replaces: Running | undefined): Running {
    const abort = new AbortController();
    const run: Running = { tenant, key, definition, group, abort, done: Promise.resolve() };
    const previous = replaces?.done ?? Promise.resolve();
    run.done = previous
      .then(() => {
        if (replaces) group.copyState(replaces.group);
        return this.loop(run, restore);
      })
      .catch((err: unknown) => {
      this.opts.logger.error({ err, tenant, group: group.name }, 'rule group loop failed');
    });
    return run;
  }

  private async loop(run: Running, shouldRestore: boolean): Promise<void> {
    const { group, tenant, abort } = run;
    const signal = abort.signal;
    const ctx = this.context(tenant);
    const metricLabels = { user: tenant, rule_group: `${group.file};${group.name}` };
    const interval = group.intervalMs;
    let evalTs = group.evalTimestamp(Date.now()) + interval;
    await sleep(evalTs - Date.now(), signal);
    let iterations = 0;
    while (!signal.aborted) {
      await group.eval(evalTs, ctx, signal);
      iterations++;
      this.evaluations.inc(metricLabels, group.rules.length);
      const failed = group.rules.filter((r) => r.health === 'err').length;
      if (failed > 0) this.failures.inc(metricLabels, failed);
      this.lastEval.set(metricLabels, evalTs / 1000);
      if (shouldRestore && iterations === 2) {
        await group.restoreForState(Date.now(), ctx);
        shouldRestore = false;
      }
      const nextTs = evalTs + interval;
      await sleep(nextTs - Date.now(), signal);
      const missed = Math.max(0, Math.floor((Date.now() - evalTs) / interval) - 1);
      if (missed > 0) this.missed.inc(metricLabels, missed);
      evalTs += (missed + 1) * interval;
    }
  }
}
