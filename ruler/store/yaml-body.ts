/**
 * Structural decoding of rule groups from parsed YAML/JSON (zod): the shape of RuleGroupNode,
 * nothing more. Semantic validation (expressions, durations, names) is rulefmt's, injected.
 */

import { z } from 'zod';
import type { RuleGroupNode } from '../rulefmt/types.js';

const strMap = z.record(z.string(), z.string());

const ruleSchema = z
  .object({
    record: z.string().optional(),
    alert: z.string().optional(),
    expr: z.union([z.string(), z.number()]).transform(String),
    for: z.string().optional(),
    keep_firing_for: z.string().optional(),
    labels: strMap.optional(),
    annotations: strMap.optional(),
  })
  .strict();

export const ruleGroupSchema = z
  .object({
    name: z.string(),
    interval: z.string().optional(),
    limit: z.number().int().optional(),
    rules: z.array(ruleSchema).default([]),
  })
  .strict();

function strip<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function toNode(g: z.infer<typeof ruleGroupSchema>): RuleGroupNode {
  return strip({ ...g, rules: g.rules.map((r) => strip(r)) }) as RuleGroupNode;
}

function issues(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** One group (the body of a rules-API POST, or a stored row). Throws with the reason. */
export function parseRuleGroup(v: unknown): RuleGroupNode {
  const r = ruleGroupSchema.safeParse(v);
  if (!r.success) throw new Error(issues(r.error));
  return toNode(r.data);
}

/** A rule file: `{groups: [...]}`; an empty file has no groups. */
export function parseRuleGroupsYaml(v: unknown): RuleGroupNode[] {
  if (v === null || v === undefined) return [];
  const r = z.object({ groups: z.array(ruleGroupSchema).default([]) }).strict().safeParse(v);
  if (!r.success) throw new Error(issues(r.error));
  return r.data.groups.map(toNode);
}
