/**
 * Prometheus rule files (rulefmt): parse and validate them as Prometheus 2.42 does, validate a
 * group given as data, print groups back as YAML, and promtool's duplicate-rules lint.
 */

export type { RuleGroupNode, RuleGroupsFile, RuleNode } from './types.js';
export { parseRuleFile, validateRuleGroup, type ParseOptions, type ParseResult } from './parse.js';
export { ALERT_TEMPLATE_DEFS, isValidLabelName, isValidMetricName, type ValidateOptions } from './validate.js';
export { formatRuleGroupYaml, formatRuleGroupsYaml } from './format.js';
export { duplicateRules, duplicateRulesMessage } from './lint.js';
