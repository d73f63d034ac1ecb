/**
 * Turns rule groups as written (rulefmt) into evaluable groups. The groups are expected to have
 * passed rulefmt validation; what can still fail here (an expression, a duration) throws with
 * the group and rule named.
 */

import { parseExpr } from '../../promql/parser.js';
import { print } from '../../promql/printer.js';
import { sortLabels } from '../../tsdb/labels.js';
import { parseDuration } from '../../promql/duration.js';
import type { RuleGroupNode } from '../rulefmt/types.js';
import { AlertingRule } from './alerting-rule.js';
import { Group, type Rule } from './group.js';
import { RecordingRule } from './recording-rule.js';

export function buildGroup(node: RuleGroupNode, file: string, defaultIntervalMs: number): Group {
  const interval = node.interval ? parseDuration(node.interval) : defaultIntervalMs;
  const rules: Rule[] = node.rules.map((r, i) => {
    const where = `group ${JSON.stringify(node.name)}, rule ${i + 1}, ${JSON.stringify(r.alert ?? r.record ?? '')}`;
    let expr;
    try {
      expr = parseExpr(r.expr);
    } catch (e) {
      throw new Error(`${file}: ${where}: could not parse expression: ${(e as Error).message}`);
    }
    // labels.FromMap: a label with an empty value is kept, so that setting it removes the label.
    const labels = sortLabels(Object.entries(r.labels ?? {}).map(([name, value]) => ({ name, value })));
    if (r.alert !== undefined) {
      const annotations = Object.entries(r.annotations ?? {})
        .map(([name, value]) => ({ name, value }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return new AlertingRule(r.alert, expr, print(expr), labels, annotations, r.for ? parseDuration(r.for) : 0, r.keep_firing_for ? parseDuration(r.keep_firing_for) : 0);
    }
    return new RecordingRule(r.record ?? '', expr, print(expr), labels);
  });
  return new Group(node.name, file, interval, node.limit ?? 0, rules);
}
