/**
 * The wiring: every module with its init function and what it depends on, and the expansion of
 * `-target`. Init functions build components and register routes (no I/O); each returns the
 * Service whose start/stop does the I/O. Each component receives only its own dependencies.
 */

import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { stringify as toYaml } from 'yaml';
import { Distributor } from '../distributor/distributor.js';
import { registerPushHandler } from '../distributor/push-handler.js';
import { RateLimiter } from '../distributor/rate-limit.js';
import type { IngesterClient } from '../ingester/client.js';
import { registerFlushHandler } from '../ingester/flush-handler.js';
import { Ingester } from '../ingester/ingester.js';
import { type WalFsyncPolicy, tsdbBlock } from '../ingester/tsdb-config.js';
import { checkBucket } from '../objstore/check.js';
import { bucketSettingsHint, newBucket } from '../objstore/config.js';
import { checkDirectoryWritable } from '../util/fs-check.js';
import { registerQueryApi } from '../querier/api.js';
import { IngesterReader } from '../querier/ingester-reader.js';
import { MergeQueryable } from '../querier/merge-queryable.js';
import { BucketStore } from '../store/bucket-store.js';
import { bucketStoreBlock } from '../store/config.js';
import { fetchLimitsOf } from '../querier/query-limiter.js';
import { type QueryEngine, concurrencyLimited, rangeDownstream, registerPromqlApi, tenantQueryable } from '../querier/query-api.js';
import { buildRulerModule } from '../ruler/module.js';
import { frontendLimits, newResultsCache } from '../frontend/config.js';
import { QueryFrontend } from '../frontend/frontend.js';
import { Engine } from '../promql/engine.js';
import { registerRemoteRead } from '../querier/remote-read.js';
import { StaticClientPool } from '../ring/client-pool.js';
import { MemoryKV } from '../ring/kv.js';
import { Lifecycler } from '../ring/lifecycler.js';
import type { RingDesc } from '../ring/model.js';
import { Ring } from '../ring/ring.js';
import { RuntimeConfig } from '../util/runtime-config.js';
import { type TenantResolver, tenantResolver } from '../util/tenant.js';
import { type Config, configAsYaml } from './config.js';
import { createServer } from './server.js';
import { Service, ServiceManager } from './services.js';
import { VERSION, buildInfo } from './version.js';

export type ModuleName = 'server' | 'runtime-config' | 'ring' | 'bucket' | 'ingester' | 'distributor' | 'querier' | 'ruler';

/** What each module needs started before it. */
export const MODULE_DEPS: Readonly<Record<ModuleName, readonly ModuleName[]>> = {
  server: [],
  'runtime-config': ['server'],
  ring: ['server'],
  bucket: ['server'],
  ingester: ['ring', 'runtime-config', 'bucket'],
  distributor: ['ring', 'runtime-config', 'ingester'],
  querier: ['ring', 'ingester', 'bucket'],
  ruler: ['distributor', 'querier'],
};

/** Targets a user can ask for and the modules they run; roles not built yet are absent. */
export const TARGETS: Readonly<Record<string, readonly ModuleName[]>> = {
  all: ['distributor', 'ingester', 'querier', 'ruler'],
};

export class TargetError extends Error {}

/** Expand targets to the modules to start, dependencies first. */
export function expandTargets(targets: readonly string[]): ModuleName[] {
  const order: ModuleName[] = [];
  const visit = (m: ModuleName): void => {
    if (order.includes(m)) return;
    for (const d of MODULE_DEPS[m]) visit(d);
    order.push(m);
  };
  for (const t of targets) {
    const mods = TARGETS[t];
    if (!mods) {
      throw new TargetError(
        `target ${JSON.stringify(t)} is not available yet: this build of Vigil runs only -target=all (distributor, ingester, querier and ruler in one process)`,
      );
    }
    for (const m of mods) visit(m);
  }
  return order;
}

export interface App {
  readonly manager: ServiceManager;
  readonly server: FastifyInstance;
  readonly registry: Registry;
  /** The port actually bound (useful with -server.http-listen-port=0). */
  port(): number;
}

/** Build every module of the configured targets. Does no I/O; start with `app.manager.startAll()`. */
export function buildApp(config: Config, logger: Logger): App {
  const modules = expandTargets(config.root.target);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'vigil_' });
  const server = createServer({ bodyLimit: config.distributor.max_recv_msg_size, logger, registry });
  const tenants: TenantResolver = tenantResolver(config.root.auth_enabled, config.root.no_auth_tenant);
  const services: Service[] = [];
  let manager: ServiceManager | null = null;
  let boundPort = config.server.http_listen_port;

  // server
  services.push(
    new Service('server', {
      starting: async () => {
        await server.listen({ host: config.server.http_listen_address, port: config.server.http_listen_port });
        const addr = server.server.address();
        if (addr && typeof addr === 'object') boundPort = addr.port;
        logger.info({ address: config.server.http_listen_address, port: boundPort, version: VERSION }, 'Vigil is listening');
      },
      stopping: async () => {
        await server.close();
      },
    }),
  );

  // runtime-config
  const runtime = new RuntimeConfig({
    defaults: config.limits,
    file: config.runtimeConfig.file,
    periodMs: config.runtimeConfig.period,
    registry,
    logger,
  });
  services.push(
    new Service('runtime-config', {
      starting: async (signal) => runtime.start(signal),
      stopping: async () => runtime.stop(),
    }),
  );

  // ring
  const kv = new MemoryKV<RingDesc>();
  const ring = new Ring(kv, { replicationFactor: config.ingesterRing.replication_factor, heartbeatTimeoutMs: config.ingesterRing.heartbeat_timeout });
  services.push(new Service('ring', { starting: async (signal) => ring.watch(signal) }));
  const members = new Gauge({
    name: 'vigil_ring_members',
    help: 'Instances in the ingester ring, by state.',
    labelNames: ['state'],
    registers: [registry],
    collect: () => {
      members.reset();
      for (const st of ['PENDING', 'JOINING', 'ACTIVE', 'LEAVING', 'READONLY'] as const) {
        members.set({ state: st }, ring.instances().filter((i) => i.state === st).length);
      }
    },
  });

  // bucket: where blocks go and are read from; checked before anything uses it, closed last.
  const bucketConfig = { backend: config.bucket.backend, filesystem: config.filesystem, s3: config.s3 };
  const bucket = newBucket(bucketConfig);
  services.push(
    new Service('bucket', {
      starting: async () => checkBucket(bucket, bucketSettingsHint(bucketConfig)),
      stopping: async () => bucket.close(),
    }),
  );

  // ingester (in-process; reached through the IngesterClient seam)
  const clients = new Map<string, IngesterClient>();
  if (modules.includes('ingester')) {
    const id = config.ingesterRing.instance_id || hostname();
    const t = config.tsdb;
    const ingester = new Ingester({
      overrides: runtime,
      registry,
      logger,
      id,
      bucket,
      tsdb: {
        dir: t.dir,
        blockRangeMs: t.block_ranges_period,
        retentionMs: t.retention_period,
        headCompactionIntervalMs: t.head_compaction_interval,
        shipIntervalMs: t.ship_interval,
        shipConcurrency: t.ship_concurrency,
        flushOnShutdown: t.flush_blocks_on_shutdown,
        wal: {
          fsync: t.wal_fsync as WalFsyncPolicy,
          fsyncIntervalMs: t.wal_fsync_interval,
          segmentSize: t.wal_segment_size_bytes,
          compress: t.wal_compression_enabled,
        },
      },
    });
    clients.set(id, ingester);
    registerFlushHandler(server, ingester);
    const lifecycler = new Lifecycler(kv, {
      id,
      addr: `${config.server.http_listen_address}:${config.server.http_listen_port}`,
      zone: '',
      numTokens: config.ingesterRing.num_tokens,
      heartbeatPeriodMs: config.ingesterRing.heartbeat_period,
    });
    services.push(
      new Service('ingester', {
        starting: async () => {
          await checkDirectoryWritable(t.dir, `-${tsdbBlock.dir.flag}`);
          await ingester.start();
          await lifecycler.join();
        },
        stopping: async () => {
          await lifecycler.leave();
          await ingester.stop();
        },
      }),
    );
  }
  const pool = new StaticClientPool(clients);

  let distributor: Distributor | null = null;
  let reader: MergeQueryable | null = null;
  let engine: QueryEngine | null = null;
  let rulerConfigApi = false;

  if (modules.includes('distributor')) {
    distributor = new Distributor({
      ring,
      pool,
      overrides: runtime,
      rateLimiter: new RateLimiter(),
      registry,
      remoteTimeoutMs: config.distributor.remote_timeout,
    });
    registerPushHandler(server, { distributor, tenants, maxRecvMsgSize: config.distributor.max_recv_msg_size });
    services.push(new Service('distributor', {}));
  }

  if (modules.includes('querier')) {
    const bs = config.bucketStore;
    const store = new BucketStore({
      bucket,
      cacheDir: bs.sync_dir,
      maxCacheBytes: bs.index_cache_size_bytes,
      syncIntervalMs: bs.sync_interval,
      indexMaxStaleMs: bs.bucket_index_max_stale_period,
      logger,
    });
    reader = new MergeQueryable(new IngesterReader(ring, pool), store, {
      queryIngestersWithinMs: config.querier.query_ingesters_within,
      queryStoreAfterMs: config.querier.query_store_after,
    });
    registerQueryApi(server, {
      prefix: config.api.prometheus_http_prefix,
      tenants,
      reader,
      buildInfo: buildInfo(),
      rulerConfigApi: () => rulerConfigApi,
    });
    engine = concurrencyLimited(
      new Engine({ lookbackDeltaMs: config.querier.lookback_delta, maxSamples: config.querier.max_samples, timeoutMs: config.querier.timeout }),
      config.querier.max_concurrent,
    );
    // query-frontend: in -target=all it sits in front of query_range (split, align, results cache, queue).
    const fc = config.frontend;
    const resultsCache = newResultsCache(fc);
    const frontend = new QueryFrontend({
      downstream: rangeDownstream(engine, reader, (tenant) => fetchLimitsOf(runtime.forTenant(tenant))),
      cache: resultsCache,
      limits: (tenant) => frontendLimits(runtime.forTenant(tenant), fc),
      splitIntervalMs: fc.split_queries_by_interval,
      alignWithStep: fc.align_queries_with_step,
      maxConcurrent: fc.max_concurrent_requests,
      cacheTtlMs: fc.results_cache_validity,
    });
    registerPromqlApi(server, {
      prefix: config.api.prometheus_http_prefix,
      tenants,
      reader,
      engine,
      frontend,
      timeoutMs: config.querier.timeout,
      limits: (tenant) => {
        const l = runtime.forTenant(tenant);
        return { maxQueryLengthMs: l.max_query_length, maxQueryLookbackMs: l.max_query_lookback, ...fetchLimitsOf(l) };
      },
    });
    registerRemoteRead(server, {
      prefix: config.api.prometheus_http_prefix,
      tenants,
      selector: reader,
      maxRecvMsgSize: config.distributor.max_recv_msg_size,
      maxSamples: config.querier.max_samples,
      maxBytesInFrame: 1 << 20,
      fetchLimits: (tenant) => fetchLimitsOf(runtime.forTenant(tenant)),
    });
    services.push(
      new Service('querier', {
        starting: async () => {
          await checkDirectoryWritable(bs.sync_dir, `-${bucketStoreBlock.sync_dir.flag}`);
          await store.start();
        },
        stopping: async () => {
          await store.stop();
          await resultsCache?.close?.();
        },
      }),
    );
  }

  if (modules.includes('ruler') && distributor && reader && engine) {
    const d = distributor;
    const r = reader;
    const prefix = config.api.prometheus_http_prefix.replace(/\/$/, '');
    const ruler = buildRulerModule({
      settings: config.ruler,
      storage: config.rulerStorage,
      prefix,
      defaultExternalURL: `http://${hostname()}:${config.server.http_listen_port}${prefix}`,
      server,
      tenants,
      overrides: runtime,
      registry,
      logger,
      engine,
      queryable: (tenant) => tenantQueryable(r, tenant, fetchLimitsOf(runtime.forTenant(tenant))),
      push: async (tenant, batch) => {
        const out = await d.push(tenant, batch);
        if (out.error) throw out.error;
      },
    });
    rulerConfigApi = ruler.configApi;
    services.push(new Service('ruler', { starting: () => ruler.start(), stopping: () => ruler.stop() }));
  }

  // Admin endpoints.
  server.get('/ready', async (_req, reply) => {
    if (manager?.ready()) return reply.type('text/plain').send('ready');
    const waiting = Object.entries(manager?.states() ?? {})
      .filter(([, s]) => s !== 'Running')
      .map(([n, s]) => `${n}: ${s}`);
    return reply.code(503).type('text/plain').send(`Some services are not Running:\n${waiting.join('\n')}\n`);
  });
  server.get('/metrics', async (_req, reply) => {
    return reply.type(registry.contentType).send(await registry.metrics());
  });
  server.get('/config', async (req, reply) => {
    const mode = (req.query as Record<string, string>).mode;
    const m = mode === 'diff' || mode === 'defaults' ? mode : 'values';
    return reply.type('text/plain; charset=utf-8').send(toYaml(configAsYaml(config, m)));
  });
  server.get('/runtime_config', async (req, reply) => {
    const mode = (req.query as Record<string, string>).mode;
    return reply.type('text/plain; charset=utf-8').send(runtime.current(mode === 'diff' ? 'diff' : 'values'));
  });
  server.get('/services', async (_req, reply) => {
    const rows = Object.entries(manager?.states() ?? {}).map(([n, s]) => `${n}\t${s}`);
    return reply.type('text/plain').send(rows.join('\n') + '\n');
  });

  manager = new ServiceManager(services);
  return { manager, server, registry, port: () => boundPort };
}
