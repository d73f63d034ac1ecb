/**
 * Cortex's rules configuration API over a RuleStore, at each prefix (`/api/v1/rules`,
 * `/prometheus/config/v1/rules`): GET all / a namespace / a group as YAML, POST one group (YAML)
 * to a namespace, DELETE a group or a namespace. Path segments are URL-escaped (`%2F` in a
 * namespace). Errors are text bodies with Cortex's messages and statuses.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { httpStatusOf } from '../util/errors.js';
import { ORG_ID_HEADER, type TenantResolver } from '../util/tenant.js';
import type { RuleGroupNode } from './rulefmt/types.js';
import { parseRuleGroup } from './store/yaml-body.js';
import { type ChangeAuthor, type RuleGroupEntry, type RuleStore, RuleStoreReadOnlyError } from './store/types.js';

export interface RuleConfigLimits {
  /** 0 = unlimited (`ruler_max_rule_groups_per_tenant`). */
  readonly maxRuleGroupsPerTenant: number;
  /** 0 = unlimited (`ruler_max_rules_per_rule_group`). */
  readonly maxRulesPerRuleGroup: number;
}

export interface RuleConfigApiOptions {
  readonly store: RuleStore;
  readonly tenants: TenantResolver;
  /** Semantic validation of one group (rulefmt); an empty list means valid. */
  readonly validate: (g: RuleGroupNode) => string[];
  /** Prints namespace → groups as YAML (rulefmt's printer). */
  readonly formatYaml: (groups: Record<string, RuleGroupNode[]>) => string;
  readonly limits?: (tenant: string) => RuleConfigLimits;
  readonly prefixes: readonly string[];
}

export const USER_HEADER = 'x-vigil-user';
const ACCEPTED = JSON.stringify({ status: 'success', data: null, errorType: '', error: '' });

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function group(entries: readonly RuleGroupEntry[]): Record<string, RuleGroupNode[]> {
  const out: Record<string, RuleGroupNode[]> = {};
  for (const e of entries) (out[e.namespace] ??= []).push(e.group);
  return out;
}

function authorOf(req: FastifyRequest, tenant: string): ChangeAuthor {
  const u = req.headers[USER_HEADER];
  const user = Array.isArray(u) ? u[0] : u;
  return { who: user !== undefined && user !== '' ? user : `${tenant}@${req.ip}` };
}

/** Fastify has already decoded `%2F` in a param; this is the raw segment decoded exactly once. */
function param(req: FastifyRequest, name: 'namespace' | 'group'): string {
  const v = (req.params as Record<string, string | undefined>)[name];
  if (v === undefined || v === '') {
    throw new ApiError(400, name === 'namespace' ? 'a namespace must be provided in the request' : 'a matching group name must be provided in the request');
  }
  return v;
}

export function registerRuleConfigApi(app: FastifyInstance, opts: RuleConfigApiOptions): void {
  const { store } = opts;

  const handle =
    (fn: (tenant: string, req: FastifyRequest, reply: FastifyReply) => Promise<void>) =>
    async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
      try {
        const tenant = opts.tenants.resolve(req.headers[ORG_ID_HEADER]);
        await fn(tenant, req, reply);
      } catch (e) {
        let status: number;
        if (e instanceof ApiError) status = e.status;
        else if (e instanceof RuleStoreReadOnlyError) status = 501;
        else {
          status = httpStatusOf(e);
          if (status >= 500) req.log.error({ err: e, url: req.url }, 'rules config API request failed');
        }
        const message = e instanceof Error ? e.message : String(e);
        void reply.code(status).type('text/plain; charset=utf-8').send(`${message}\n`);
      }
    };

  const sendYaml = (reply: FastifyReply, entries: readonly RuleGroupEntry[]): void => {
    if (entries.length === 0) throw new ApiError(404, 'no rule groups found');
    void reply.code(200).type('application/yaml').send(opts.formatYaml(group(entries)));
  };

  const accepted = (reply: FastifyReply): void => {
    void reply.code(202).type('application/json').send(ACCEPTED);
  };

  const requireWritable = (): void => {
    if (!store.writable) throw new RuleStoreReadOnlyError('configured');
  };

  for (const prefix of opts.prefixes) {
    const p = prefix.replace(/\/$/, '');

    app.get(p, handle(async (tenant, _req, reply) => sendYaml(reply, await store.listRuleGroups(tenant))));

    app.get(
      `${p}/:namespace`,
      handle(async (tenant, req, reply) => sendYaml(reply, await store.listRuleGroups(tenant, param(req, 'namespace')))),
    );

    app.get(
      `${p}/:namespace/:group`,
      handle(async (tenant, req, reply) => {
        const g = await store.getRuleGroup(tenant, param(req, 'namespace'), param(req, 'group'));
        if (g === null) throw new ApiError(404, 'group does not exist');
        void reply.code(200).type('application/yaml').send(stringifyYaml(g));
      }),
    );

    app.post(
      `${p}/:namespace`,
      handle(async (tenant, req, reply) => {
        requireWritable();
        const namespace = param(req, 'namespace');
        const body = typeof req.body === 'string' ? req.body : Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
        let g: RuleGroupNode;
        try {
          g = parseRuleGroup(parseYaml(body) as unknown);
        } catch (e) {
          throw new ApiError(400, (e as Error).message);
        }
        if (g.name === '') throw new ApiError(400, 'invalid rules config: rule group name must not be empty');
        const errs = opts.validate(g);
        if (errs.length > 0) throw new ApiError(400, errs[0] ?? 'invalid rule group');
        const lim = opts.limits?.(tenant);
        if (lim && lim.maxRulesPerRuleGroup > 0 && g.rules.length > lim.maxRulesPerRuleGroup) {
          throw new ApiError(400, `per-user rules per rule group limit (limit: ${lim.maxRulesPerRuleGroup} actual: ${g.rules.length}) exceeded`);
        }
        if (lim && lim.maxRuleGroupsPerTenant > 0) {
          const existing = await store.listRuleGroups(tenant);
          const replacing = existing.some((e) => e.namespace === namespace && e.group.name === g.name);
          const actual = existing.length + (replacing ? 0 : 1);
          if (actual > lim.maxRuleGroupsPerTenant) {
            throw new ApiError(400, `per-user rule groups limit (limit: ${lim.maxRuleGroupsPerTenant} actual: ${actual}) exceeded`);
          }
        }
        await store.setRuleGroup(tenant, namespace, g, authorOf(req, tenant));
        accepted(reply);
      }),
    );

    app.delete(
      `${p}/:namespace/:group`,
      handle(async (tenant, req, reply) => {
        requireWritable();
        const found = await store.deleteRuleGroup(tenant, param(req, 'namespace'), param(req, 'group'), authorOf(req, tenant));
        if (!found) throw new ApiError(404, 'group does not exist');
        accepted(reply);
      }),
    );

    app.delete(
      `${p}/:namespace`,
      handle(async (tenant, req, reply) => {
        requireWritable();
        const found = await store.deleteNamespace(tenant, param(req, 'namespace'), authorOf(req, tenant));
        if (!found) throw new ApiError(404, 'group namespace does not exist');
        accepted(reply);
      }),
    );
  }

  // The POST body is YAML; take it as text whatever content type the client sent.
  for (const ct of ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain', 'application/octet-stream']) {
    if (!app.hasContentTypeParser(ct)) app.addContentTypeParser(ct, { parseAs: 'string' }, (_r, b, done) => done(null, b));
  }
}
