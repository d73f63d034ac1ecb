/**
 * Reading a Prometheus rule file as Prometheus 2.42's rulefmt.Parse does: a strict decode
 * (unknown fields rejected, yaml.v3 KnownFields) into the rule-group types, a lenient second
 * decode that yields the group nodes' positions, and, when both succeed, the semantic checks.
 * Every error is prefixed with the file name, as rulefmt.ParseFile prefixes it.
 */

import { parseDuration } from '../../promql/duration.js';
import type { RuleGroupNode, RuleGroupsFile, RuleNode } from './types.js';
import { decodeYaml, type DecodedDuration, type GoShape, type GoStruct, type GoValue } from './yaml-decode.js';
import { parseYamlTree, YamlFatalError, type YNode } from './yaml-tree.js';
import { type PositionedGroup, type PositionedRule, type ValidateOptions, validatePositionedGroups, validateRuleGroupWith } from './validate.js';

export type { ValidateOptions } from './validate.js';

const RULE_SHAPE: GoShape = {
  kind: 'struct',
  goType: 'rulefmt.RuleNode',
  fields: {
    record: { kind: 'node' },
    alert: { kind: 'node' },
    expr: { kind: 'node' },
    for: { kind: 'duration' },
    keep_firing_for: { kind: 'duration' },
    labels: { kind: 'stringMap', goType: 'map[string]string' },
    annotations: { kind: 'stringMap', goType: 'map[string]string' },
  },
};

const GROUP_SHAPE: GoShape = {
  kind: 'struct',
  goType: 'rulefmt.RuleGroup',
  fields: {
    name: { kind: 'string' },
    interval: { kind: 'duration' },
    limit: { kind: 'int' },
    rules: { kind: 'slice', goType: '[]rulefmt.RuleNode', elem: RULE_SHAPE },
  },
};

/** rulefmt.RuleGroups, decoded strictly. */
const FILE_SHAPE: GoShape = {
  kind: 'struct',
  goType: 'rulefmt.RuleGroups',
  fields: { groups: { kind: 'slice', goType: '[]rulefmt.RuleGroup', elem: GROUP_SHAPE } },
};

/** rulefmt's private ruleGroups: the groups as bare nodes, decoded leniently for their positions. */
const NODES_SHAPE: GoShape = {
  kind: 'struct',
  goType: 'rulefmt.ruleGroups',
  fields: { groups: { kind: 'slice', goType: '[]yaml.Node', elem: { kind: 'node' } } },
};

export interface ParseResult {
  /** The groups, or null when the YAML could not be decoded (errors then say why). */
  readonly groups: RuleGroupsFile | null;
  /** Prometheus's error lines, each prefixed with `file: `; empty when the file is valid. */
  readonly errors: string[];
}

export type ParseOptions = ValidateOptions;

function isStruct(v: GoValue | undefined): v is GoStruct {
  return typeof v === 'object' && !Array.isArray(v) && !(v instanceof Map) && v.kind === 'struct';
}

function isNode(v: GoValue | undefined): v is YNode {
  return typeof v === 'object' && !Array.isArray(v) && !(v instanceof Map) && v.kind !== 'struct' && v.kind !== 'duration';
}

function durationField(s: GoStruct, name: string): DecodedDuration | undefined {
  const v = s.fields.get(name);
  return typeof v === 'object' && !Array.isArray(v) && !(v instanceof Map) && v.kind === 'duration' ? v : undefined;
}

function mapField(s: GoStruct, name: string): Record<string, string> | undefined {
  const v = s.fields.get(name);
  return v instanceof Map && v.size > 0 ? Object.fromEntries(v) : undefined;
}

function toRule(s: GoStruct): PositionedRule {
  const node = (name: string): YNode | undefined => {
    const v = s.fields.get(name);
    return isNode(v) ? v : undefined;
  };
  const record = node('record');
  const alert = node('alert');
  const expr = node('expr');
  const forD = durationField(s, 'for');
  const keep = durationField(s, 'keep_firing_for');
  const labels = mapField(s, 'labels');
  const annotations = mapField(s, 'annotations');
  const rule: RuleNode = {
    ...(record && record.value !== '' ? { record: record.value } : {}),
    ...(alert && alert.value !== '' ? { alert: alert.value } : {}),
    expr: expr?.value ?? '',
    ...(forD ? { for: forD.text } : {}),
    ...(keep ? { keep_firing_for: keep.text } : {}),
    ...(labels ? { labels } : {}),
    ...(annotations ? { annotations } : {}),
  };
  return {
    rule,
    ...(record ? { record: { line: record.line, column: record.column } } : {}),
    ...(alert ? { alert: { line: alert.line, column: alert.column } } : {}),
    ...(expr ? { expr: { line: expr.line, column: expr.column } } : {}),
    forMs: forD?.ms ?? 0,
    keepFiringForMs: keep?.ms ?? 0,
  };
}

function toGroup(s: GoStruct, pos: YNode | undefined): PositionedGroup {
  const name = s.fields.get('name');
  const interval = durationField(s, 'interval');
  const limit = s.fields.get('limit');
  const rulesV = s.fields.get('rules');
  const rules = (Array.isArray(rulesV) ? rulesV : []).filter(isStruct).map(toRule);
  const group: RuleGroupNode = {
    name: typeof name === 'string' ? name : '',
    ...(interval ? { interval: interval.text } : {}),
    ...(typeof limit === 'number' ? { limit } : {}),
    rules: rules.map((r) => r.rule),
  };
  return { group, ...(pos ? { pos: { line: pos.line, column: pos.column } } : {}), rules };
}

function decodeText(content: string | Uint8Array): string {
  if (typeof content === 'string') return content;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    throw new YamlFatalError('yaml: invalid leading UTF-8 octet');
  }
}

function message(e: unknown): string {
  if (e instanceof YamlFatalError) return e.message;
  throw e;
}

/**
 * Parses and validates a rule file. `file` prefixes every error (`file: msg`), as promtool
 * prints them. Template checks run only when opts.checkTemplate is given.
 */
export function parseRuleFile(content: string | Uint8Array, file: string, opts: ParseOptions = {}): ParseResult {
  const errs: string[] = [];
  let tree: YNode | null = null;
  let strictValue: GoValue | undefined;
  let nodesValue: GoValue | undefined;
  try {
    tree = parseYamlTree(decodeText(content));
  } catch (e) {
    // Decoder.Decode and yaml.Unmarshal each meet the same syntax error.
    const m = message(e);
    return { groups: null, errors: [m, m].map((x) => `${file}: ${x}`) };
  }
  try {
    const r = decodeYaml(tree, FILE_SHAPE, true);
    if (r.errors.length) errs.push(typeErrors(r.errors));
    strictValue = r.value;
  } catch (e) {
    errs.push(message(e));
  }
  try {
    const r = decodeYaml(tree, NODES_SHAPE, false);
    if (r.errors.length) errs.push(typeErrors(r.errors));
    nodesValue = r.value;
  } catch (e) {
    errs.push(message(e));
  }
  if (errs.length) return { groups: null, errors: errs.map((x) => `${file}: ${x}`) };

  const groupStructs = isStruct(strictValue) ? strictValue.fields.get('groups') : undefined;
  const groupNodes = isStruct(nodesValue) ? nodesValue.fields.get('groups') : undefined;
  const nodes = Array.isArray(groupNodes) ? groupNodes.filter(isNode) : [];
  const groups = (Array.isArray(groupStructs) ? groupStructs : []).filter(isStruct).map((g, j) => toGroup(g, nodes[j]));
  const errors = validatePositionedGroups(groups, opts).map((x) => `${file}: ${x}`);
  return { groups: { groups: groups.map((g) => g.group) }, errors };
}

/** yaml.v3's TypeError.Error(). */
function typeErrors(lines: readonly string[]): string {
  return `yaml: unmarshal errors:\n  ${lines.join('\n  ')}`;
}

/** Milliseconds of a duration field of a group given as data; absent is 0. Throws Prometheus's message. */
function durationMs(text: string | undefined): number {
  return text === undefined ? 0 : parseDuration(text);
}

/**
 * Validates one rule group given as data (the rules config API), with Prometheus's checks and
 * messages but without file positions. Durations must be Prometheus durations.
 */
export function validateRuleGroup(group: RuleGroupNode, opts: ValidateOptions = {}): string[] {
  const errs: string[] = [];
  const safe = (text: string | undefined): number => {
    try {
      return durationMs(text);
    } catch (e) {
      errs.push((e as Error).message);
      return 0;
    }
  };
  safe(group.interval);
  errs.push(...validateRuleGroupWith(group, safe, opts));
  return errs;
}
