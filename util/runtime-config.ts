/**
 * The runtime configuration: per-tenant limit overrides read from `-runtime-config.file` and read
 * again every `-runtime-config.reload-period`, so limits change without a restart. This is the
 * file-backed implementation of the Overrides seam (util/limits.ts).
 *
 * The file lists, per tenant, only the limits that differ from the defaults (the `limits` block
 * of the main configuration, flags included); their YAML keys are the limits' keys:
 *
 *   overrides:
 *     tenant-a:
 *       ingestion_rate: 100000
 *       ingestion_burst_size: 200000
 *     tenant-b:
 *       reject_old_samples: true
 *       reject_old_samples_max_age: 1w
 *
 * Every value is checked as strictly as the main configuration (util/options.ts). A file that
 * fails — unreadable, not YAML, an unknown key, a wrong type — is refused whole: at start the
 * service fails with the file, tenant and key named; later the last good configuration stays in
 * force, the error is logged and `vigil_runtime_config_last_reload_successful` drops to 0.
 *
 * Each tenant's effective Limits object is built and frozen once per successful load, so
 * `forTenant` is one map lookup on the write path.
 */

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Counter, Gauge, type Registry } from 'prom-client';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { compareStrings } from '../tsdb/labels.js';
import { type Limits, type Overrides, limitsBlock } from './limits.js';
import { type BlockValue, buildBlock, displayValue, opt } from './options.js';

export const runtimeConfigBlock = {
  file: opt('string', 'runtime-config.file', '', 'YAML file of per-tenant limit overrides (`overrides: {tenant: {limit: value}}`), reloaded while running.'),
  period: opt('duration', 'runtime-config.reload-period', 10_000, 'How often the runtime config file is read again.'),
} as const;

export type RuntimeConfigSettings = BlockValue<typeof runtimeConfigBlock>;

/** The part of a logger this module uses (pino's Logger fits). */
export interface RuntimeConfigLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface RuntimeConfigOptions {
  /** Every tenant's limits unless the file overrides some of them. */
  readonly defaults: Limits;
  /** `-runtime-config.file`; empty means no overrides and no reloading. */
  readonly file: string;
  /** `-runtime-config.reload-period` in ms; 0 or less reads the file once, at start. */
  readonly periodMs: number;
  readonly registry?: Registry;
  readonly logger?: RuntimeConfigLogger;
}

export class RuntimeConfigError extends Error {
  override name = 'RuntimeConfigError';
}

const TOP_LEVEL_KEYS: ReadonlySet<string> = new Set(['overrides']);

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parse the runtime config text into each overridden tenant's full, frozen Limits (defaults with
 * the file's values over them). Throws a RuntimeConfigError naming the file, tenant and key.
 */
export function parseRuntimeConfig(text: string, file: string, defaults: Limits): Map<string, Limits> {
  const where = `runtime config file ${file}`;
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new RuntimeConfigError(`${where} is not valid YAML: ${(e as Error).message}`);
  }
  const out = new Map<string, Limits>();
  if (doc === null || doc === undefined) return out;
  if (!isMapping(doc)) throw new RuntimeConfigError(`${where}: the top level must be a mapping with an "overrides" key`);
  for (const k of Object.keys(doc)) {
    if (!TOP_LEVEL_KEYS.has(k)) throw new RuntimeConfigError(`${where}: unknown top-level key ${JSON.stringify(k)} (expected "overrides")`);
  }
  const overrides = doc.overrides;
  if (overrides === null || overrides === undefined) return out;
  if (!isMapping(overrides)) throw new RuntimeConfigError(`${where}: "overrides" must map tenant IDs to their limits`);
  for (const [tenant, raw] of Object.entries(overrides)) {
    const given = raw ?? {};
    if (!isMapping(given)) {
      throw new RuntimeConfigError(`${where}: overrides for tenant ${JSON.stringify(tenant)} must be a mapping of limit names to values`);
    }
    for (const key of Object.keys(given)) {
      if (!Object.hasOwn(limitsBlock, key)) {
        throw new RuntimeConfigError(`${where}: tenant ${JSON.stringify(tenant)}: unknown limit ${JSON.stringify(key)} (at overrides.${tenant}.${key})`);
      }
    }
    let parsed: Limits;
    try {
      parsed = buildBlock(`overrides.${tenant}`, limitsBlock, given);
    } catch (e) {
      throw new RuntimeConfigError(`${where}: tenant ${JSON.stringify(tenant)}: ${(e as Error).message}`);
    }
    // buildBlock fills absent keys with the block's built-in defaults; the tenant inherits the
    // configured defaults instead, and takes from the file only what the file names.
    const merged: Record<string, unknown> = { ...defaults };
    for (const key of Object.keys(given)) merged[key] = parsed[key as keyof Limits];
    out.set(tenant, Object.freeze(merged) as Limits);
  }
  return out;
}

export class RuntimeConfig implements Overrides {
  private readonly defaults: Limits;
  private tenantLimits: ReadonlyMap<string, Limits> = new Map();
  private lastHash = '';
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  /** Reloads run one after the other; this is the tail of that queue. */
  private queue: Promise<void> = Promise.resolve();

  private readonly lastOk: Gauge | null;
  private readonly lastOkTime: Gauge | null;
  private readonly hashGauge: Gauge<'sha256'> | null;
  private readonly failures: Counter | null;

  /** No I/O here: `start` reads the file. */
  constructor(private readonly opts: RuntimeConfigOptions) {
    this.defaults = Object.isFrozen(opts.defaults) ? opts.defaults : Object.freeze({ ...opts.defaults });
    const r = opts.registry;
    if (r) {
      this.lastOk = new Gauge({ name: 'vigil_runtime_config_last_reload_successful', help: 'Whether the last read of the runtime config file succeeded (1) or failed (0).', registers: [r] });
      this.lastOkTime = new Gauge({ name: 'vigil_runtime_config_last_reload_success_timestamp_seconds', help: 'When the runtime config file was last read successfully.', registers: [r] });
      this.hashGauge = new Gauge({ name: 'vigil_runtime_config_hash', help: 'SHA-256 of the runtime config file in force (value 1).', labelNames: ['sha256'], registers: [r] });
      this.failures = new Counter({ name: 'vigil_runtime_config_reload_failures_total', help: 'Reads of the runtime config file that failed; the previous configuration stayed in force.', registers: [r] });
    } else {
      this.lastOk = this.lastOkTime = this.hashGauge = this.failures = null;
    }
  }

  /** Load the file (failing when it cannot be loaded), then reload it every period until stopped. */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.opts.file === '') {
      this.lastOk?.set(1);
      return;
    }
    await this.reload();
    if (signal?.aborted) return;
    this.running = true;
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
    this.schedule();
  }

  /** Stop reloading; waits for a reload in progress. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    await this.queue;
  }

  /**
   * Read the file now. On success the new overrides are in force; on failure the previous ones
   * stay, the failure is logged and counted, and the error is thrown to the caller. Without a
   * file there is nothing to read.
   */
  reload(): Promise<void> {
    if (this.opts.file === '') return Promise.resolve();
    const run = this.queue.then(() => this.load());
    this.queue = run.catch(() => undefined);
    return run;
  }

  forTenant(tenant: string): Limits {
    return this.tenantLimits.get(tenant) ?? this.defaults;
  }

  /** Tenants the file overrides, sorted. */
  tenants(): string[] {
    return [...this.tenantLimits.keys()].sort(compareStrings);
  }

  /**
   * The overrides in force as YAML (the `/runtime_config` page): `values` shows every limit of each
   * overridden tenant, `diff` only those that differ from the defaults.
   */
  current(mode: 'values' | 'diff' = 'values'): string {
    const overrides: Record<string, Record<string, unknown>> = {};
    for (const tenant of this.tenants()) {
      const l = this.tenantLimits.get(tenant)!;
      const shown: Record<string, unknown> = {};
      for (const [key, def] of Object.entries(limitsBlock)) {
        const v = displayValue(def, l[key as keyof Limits]);
        if (mode === 'diff' && JSON.stringify(v) === JSON.stringify(displayValue(def, this.defaults[key as keyof Limits]))) continue;
        shown[key] = v;
      }
      overrides[tenant] = shown;
    }
    const head = this.opts.file === '' ? '# -runtime-config.file is not set: every tenant has the default limits.\n' : '';
    return head + toYaml({ overrides });
  }

  private schedule(): void {
    if (!this.running || this.opts.periodMs <= 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      // Failures are logged and counted inside load(); the timer keeps going.
      this.reload()
        .catch(() => undefined)
        .finally(() => this.schedule());
    }, this.opts.periodMs);
    this.timer.unref();
  }

  private async load(): Promise<void> {
    const file = this.opts.file;
    try {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        throw new RuntimeConfigError(`cannot read runtime config file ${file}: ${(e as Error).message}`);
      }
      const hash = createHash('sha256').update(text).digest('hex');
      if (hash !== this.lastHash) {
        const next = parseRuntimeConfig(text, file, this.defaults);
        this.tenantLimits = next;
        this.lastHash = hash;
        this.hashGauge?.reset();
        this.hashGauge?.set({ sha256: hash }, 1);
        this.opts.logger?.info({ file, tenants: next.size, sha256: hash }, 'runtime config loaded');
      }
      this.lastOk?.set(1);
      this.lastOkTime?.set(Date.now() / 1000);
    } catch (e) {
      this.lastOk?.set(0);
      this.failures?.inc();
      this.opts.logger?.error({ file, err: (e as Error).message }, 'runtime config reload failed; keeping the previous configuration');
      throw e;
    }
  }
}
