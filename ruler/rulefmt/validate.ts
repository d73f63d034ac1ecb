/**
 * The semantic checks of Prometheus's rulefmt (RuleGroups.Validate, RuleNode.Validate and the
 * alert template parse test), worded as Prometheus words them. Each rule error carries the YAML
 * positions Prometheus attaches (`4:17: group "g", rule 1, "name": …`); a group built without a
 * file (the rules API) has none and its errors print without them.
 */

import { parseExpr } from '../../promql/parser.js';
import { goQuote } from '../../promql/quote.js';
import type { RuleGroupNode, RuleNode } from './types.js';

/** A YAML position; line 0 is yaml.v3's zero node (an absent field). */
export interface Pos {
  readonly line: number;
  readonly column: number;
}

/** A rule with the positions of its record, alert and expr nodes, as rulefmt's RuleNode keeps them. */
export interface PositionedRule {
  readonly rule: RuleNode;
  readonly record?: Pos;
  readonly alert?: Pos;
  readonly expr?: Pos;
  /** Durations in milliseconds (0 when absent). */
  readonly forMs: number;
  readonly keepFiringForMs: number;
}

export interface PositionedGroup {
  readonly group: RuleGroupNode;
  /** Position of the group's mapping node; undefined when the group came from no file. */
  readonly pos?: Pos;
  readonly rules: readonly PositionedRule[];
}

export interface ValidateOptions {
  /** Parses a template (Go text/template as Prometheus expands it); returns its error or null. */
  readonly checkTemplate?: (name: string, text: string) => string | null;
}

/** The variables Prometheus defines before an alert's label or annotation template. */
export const ALERT_TEMPLATE_DEFS = '{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export function isValidLabelName(name: string): boolean {
  return LABEL_NAME.test(name);
}

export function isValidMetricName(name: string): boolean {
  return METRIC_NAME.test(name);
}

/** Go's utf8.ValidString for a JS string: no lone surrogates (what invalid UTF-8 decodes to is U+FFFD). */
function isValidLabelValue(v: string): boolean {
  return !LONE_SURROGATE.test(v);
}

interface RuleError {
  readonly msg: string;
  readonly node?: Pos;
  readonly nodeAlt?: Pos;
}

function pos(p: Pos | undefined): Pos {
  return p ?? { line: 0, column: 0 };
}

/** RuleNode.Validate: the errors of one rule, with the nodes Prometheus points at. */
function validateRule(r: PositionedRule, withPositions: boolean, opts: ValidateOptions): RuleError[] {
  const { rule } = r;
  const record = rule.record ?? '';
  const alert = rule.alert ?? '';
  const at = (p: Pos | undefined): { node?: Pos } => (withPositions ? { node: pos(p) } : {});
  const errs: RuleError[] = [];
  if (record !== '' && alert !== '') {
    errs.push({ msg: "only one of 'record' and 'alert' must be set", ...(withPositions ? { node: pos(r.record), nodeAlt: pos(r.alert) } : {}) });
  }
  if (record === '' && alert === '') errs.push({ msg: "one of 'record' or 'alert' must be set", ...at(r.record) });
  if (rule.expr === '') {
    errs.push({ msg: "field 'expr' must be set in rule", ...at(r.expr) });
  } else {
    try {
      parseExpr(rule.expr);
    } catch (e) {
      errs.push({ msg: `could not parse expression: ${(e as Error).message}`, ...at(r.expr) });
    }
  }
  if (record !== '') {
    if (rule.annotations && Object.keys(rule.annotations).length > 0) errs.push({ msg: "invalid field 'annotations' in recording rule", ...at(r.record) });
    if (r.forMs !== 0) errs.push({ msg: "invalid field 'for' in recording rule", ...at(r.record) });
    if (r.keepFiringForMs !== 0) errs.push({ msg: "invalid field 'keep_firing_for' in recording rule", ...at(r.record) });
    if (!isValidMetricName(record)) errs.push({ msg: `invalid recording rule name: ${record}`, ...at(r.record) });
  }
  for (const [k, v] of Object.entries(rule.labels ?? {})) {
    if (!isValidLabelName(k) || k === '__name__') errs.push({ msg: `invalid label name: ${k}` });
    if (!isValidLabelValue(v)) errs.push({ msg: `invalid label value: ${v}` });
  }
  for (const k of Object.keys(rule.annotations ?? {})) {
    if (!isValidLabelName(k)) errs.push({ msg: `invalid annotation name: ${k}` });
  }
  if (alert !== '' && opts.checkTemplate) {
    const check = opts.checkTemplate;
    const name = `__alert_${alert}`;
    for (const [k, v] of Object.entries(rule.labels ?? {})) {
      const err = check(name, ALERT_TEMPLATE_DEFS + v);
      if (err !== null) errs.push({ msg: `label ${goQuote(k)}: ${err}` });
    }
    for (const [k, v] of Object.entries(rule.annotations ?? {})) {
      const err = check(name, ALERT_TEMPLATE_DEFS + v);
      if (err !== null) errs.push({ msg: `annotation ${goQuote(k)}: ${err}` });
    }
  }
  return errs;
}

/** rulefmt.Error.Error(): positions, then `group "g", rule N, "name": msg`. */
function formatRuleError(group: string, index: number, ruleName: string, e: RuleError): string {
  let prefix = '';
  if (e.node && e.nodeAlt) prefix = `${e.node.line}:${e.node.column}: ${e.nodeAlt.line}:${e.nodeAlt.column}: `;
  else if (e.node) prefix = `${e.node.line}:${e.node.column}: `;
  return `${prefix}group ${goQuote(group)}, rule ${index}, ${goQuote(ruleName)}: ${e.msg}`;
}

function ruleErrors(g: PositionedGroup, withPositions: boolean, opts: ValidateOptions): string[] {
  const out: string[] = [];
  g.rules.forEach((r, i) => {
    const ruleName = r.rule.alert ? r.rule.alert : (r.rule.record ?? '');
    for (const e of validateRule(r, withPositions, opts)) out.push(formatRuleError(g.group.name, i + 1, ruleName, e));
  });
  return out;
}

/** RuleGroups.Validate over positioned groups (a parsed file): group names, then each rule. */
export function validatePositionedGroups(groups: readonly PositionedGroup[], opts: ValidateOptions = {}): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const g of groups) {
    const p = pos(g.pos);
    if (g.group.name === '') out.push(`${p.line}:${p.column}: Groupname must not be empty`);
    if (seen.has(g.group.name)) out.push(`${p.line}:${p.column}: groupname: "${g.group.name}" is repeated in the same file`);
    seen.add(g.group.name);
    out.push(...ruleErrors(g, true, opts));
  }
  return out;
}

function positionless(group: RuleGroupNode, durationMs: (text: string | undefined) => number): PositionedGroup {
  return {
    group,
    rules: group.rules.map((rule) => ({ rule, forMs: durationMs(rule.for), keepFiringForMs: durationMs(rule.keep_firing_for) })),
  };
}

/**
 * Validates one group that came without a file (the rules config API): the same checks and
 * wording as for a file, without positions. Durations must be Prometheus durations.
 */
export function validateRuleGroupWith(group: RuleGroupNode, durationMs: (text: string | undefined) => number, opts: ValidateOptions = {}): string[] {
  const out: string[] = [];
  if (group.name === '') out.push('Groupname must not be empty');
  out.push(...ruleErrors(positionless(group, durationMs), false, opts));
  return out;
}
