/**
 * The ruler module: rule store, evaluation, notifier and the ruler's HTTP APIs, built from the
 * configuration. The querier's engine and tenant view and the distributor's push are passed in,
 * so recording results are validated and limited like any write and rules see what users see.
 */

import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { WriteBatch } from '../proto/write-batch.js';
import { labelsFromRecord } from '../tsdb/labels.js';
import type { Queryable } from '../tsdb/storage.js';
import type { Overrides } from '../util/limits.js';
import type { BlockValue } from '../util/options.js';
import type { TenantResolver } from '../util/tenant.js';
import type { rulerBlock } from './config.js';
import { registerRuleConfigApi } from './config-api.js';
import { tenantContext } from './context.js';
import { expandRuleTemplate } from './expand.js';
import { type notifierBlock, notifierConfig, parseExternalLabels } from './notifier/config.js';
import { Notifier } from './notifier/notifier.js';
import { notifierAlerts } from './notifier/rule-alerts.js';
import { registerRuleReadApi } from './read-api.js';
import { formatNamespacesYaml } from './rulefmt/format.js';
import { validateRuleGroup } from './rulefmt/parse.js';
import { checkTemplate } from './template/index.js';
import { Ruler } from './ruler.js';
import type { InstantEngine } from './rules/query.js';
import { type RuleStoreConfig, newRuleStore, prepareRuleStore } from './store/config.js';

export type RulerSettings = BlockValue<typeof rulerBlock> & BlockValue<typeof notifierBlock>;

export interface RulerModuleOptions {
  readonly settings: RulerSettings;
  readonly storage: RuleStoreConfig;
  /** The Prometheus API prefix (`/prometheus`). */
  readonly prefix: string;
  /** Used for generator URLs when -ruler.external.url is empty. */
  readonly defaultExternalURL: string;
  readonly server: FastifyInstance;
  readonly tenants: TenantResolver;
  readonly overrides: Overrides;
  readonly registry: Registry;
  readonly logger: Logger;
  readonly engine: InstantEngine;
  readonly queryable: (tenant: string) => Queryable;
  /** Writes a batch for the tenant through the distributor; rejects with the reason when refused. */
  readonly push: (tenant: string, batch: WriteBatch) => Promise<void>;
}

export interface RulerModule {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Whether the rules configuration API is served (buildinfo's features.ruler_config_api). */
  readonly configApi: boolean;
}

export function buildRulerModule(o: RulerModuleOptions): RulerModule {
  const s = o.settings;
  const log = o.logger.child({ component: 'ruler' });
  const store = newRuleStore(o.storage, log);
  const nc = notifierConfig(s);
  const notifier = new Notifier({ ...nc, registry: o.registry, logger: log });
  const externalURL = (s.external_url || o.defaultExternalURL).replace(/\/$/, '');
  const ruler = new Ruler({
    source: store,
    contextFor: (tenant) =>
      tenantContext(tenant, {
        engine: o.engine,
        queryable: o.queryable,
        push: o.push,
        notify: (t, alerts) => notifier.send(t, notifierAlerts(alerts)),
        expand: expandRuleTemplate,
        externalURL,
        externalLabels: labelsFromRecord(parseExternalLabels(s.external_labels)),
        resendDelayMs: s.resend_delay,
        outageToleranceMs: s.for_outage_tolerance,
        forGracePeriodMs: s.for_grace_period,
        onError: (t, rule, err) => log.warn({ tenant: t, rule, err: err.message }, 'rule evaluation failed'),
      }),
    evaluationIntervalMs: s.evaluation_interval,
    pollIntervalMs: s.poll_interval,
    logger: log,
    registry: o.registry,
  });
  registerRuleReadApi(o.server, { prefix: o.prefix, tenants: o.tenants, groups: (t) => ruler.groups(t) });
  const configApi = s.enable_api && store.writable;
  if (configApi) {
    registerRuleConfigApi(o.server, {
      store,
      tenants: o.tenants,
      validate: (g) => validateRuleGroup(g, { checkTemplate }),
      formatYaml: formatNamespacesYaml,
      limits: (t) => {
        const l = o.overrides.forTenant(t);
        return { maxRuleGroupsPerTenant: l.ruler_max_rule_groups_per_tenant, maxRulesPerRuleGroup: l.ruler_max_rules_per_rule_group };
      },
      prefixes: ['/api/v1/rules', `${o.prefix.replace(/\/$/, '')}/config/v1/rules`],
    });
  }
  return {
    configApi,
    start: async () => {
      await prepareRuleStore(store);
      notifier.start();
      await ruler.start();
    },
    stop: async () => {
      await ruler.stop();
      await notifier.stop();
      await store.close();
    },
  };
}

