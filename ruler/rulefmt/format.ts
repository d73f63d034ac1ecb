/**
 * Rule groups back to YAML in the field order Prometheus's rulefmt types marshal in (group: name,
 * interval, limit, rules; rule: record or alert, expr, for, keep_firing_for, labels, annotations),
 * leaving out empty fields (`omitempty`), printing durations as model.Duration.String() does and
 * label and annotation maps sorted by key, in gopkg.in/yaml.v3's layout (yaml-emit.ts).
 */

import { formatDuration, parseDuration } from '../../promql/duration.js';
import type { RuleGroupNode, RuleNode } from './types.js';
import { type EmitMap, type EmitValue, emitYaml, goMapKeyLess } from './yaml-emit.js';

/** A duration as Prometheus prints it; absent when zero (omitempty) or absent. */
function duration(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch {
    return text;
  }
  return ms === 0 ? undefined : formatDuration(ms);
}

/** A Go map[string]string: marshalled with its keys in yaml.v3's order; absent when empty (omitempty). */
function sortedMap(m: Readonly<Record<string, string>> | undefined): EmitMap | undefined {
  if (!m) return undefined;
  const entries = Object.entries(m).sort(([a], [b]) => (goMapKeyLess(a, b) ? -1 : goMapKeyLess(b, a) ? 1 : 0));
  return entries.length > 0 ? { entries } : undefined;
}

function ruleMap(r: RuleNode): EmitMap {
  const e: [string, EmitValue][] = [];
  if (r.record) e.push(['record', r.record]);
  if (r.alert) e.push(['alert', r.alert]);
  e.push(['expr', r.expr]);
  const f = duration(r.for);
  if (f !== undefined) e.push(['for', f]);
  const k = duration(r.keep_firing_for);
  if (k !== undefined) e.push(['keep_firing_for', k]);
  const labels = sortedMap(r.labels);
  if (labels) e.push(['labels', labels]);
  const annotations = sortedMap(r.annotations);
  if (annotations) e.push(['annotations', annotations]);
  return { entries: e };
}

function groupMap(g: RuleGroupNode): EmitMap {
  const e: [string, EmitValue][] = [['name', g.name]];
  const interval = duration(g.interval);
  if (interval !== undefined) e.push(['interval', interval]);
  if (g.limit) e.push(['limit', g.limit]);
  e.push(['rules', g.rules.map(ruleMap)]);
  return { entries: e };
}

/** `groups:` and the groups, as a rule file. */
export function formatRuleGroupsYaml(groups: readonly RuleGroupNode[]): string {
  return emitYaml({ entries: [['groups', groups.map(groupMap)]] });
}

/** One group on its own (the rules API's body for a single group). */
export function formatRuleGroupYaml(group: RuleGroupNode): string {
  return emitYaml(groupMap(group));
}

/** A tenant's rules as the rules API prints them (Cortex): namespaces, sorted, each mapped to its groups. */
export function formatNamespacesYaml(byNamespace: Readonly<Record<string, readonly RuleGroupNode[]>>): string {
  const names = Object.keys(byNamespace).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return emitYaml({ entries: names.map((ns): [string, EmitValue] => [ns, byNamespace[ns]!.map(groupMap)]) });
}
