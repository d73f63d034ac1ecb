/** validateRuleGroup: a group given as data (rules API) gets the file checks, without positions. */

import { describe, expect, it } from 'vitest';
import { validateRuleGroup } from './parse.js';
import type { RuleGroupNode } from './types.js';

const good: RuleGroupNode = {
  name: 'g',
  interval: '1m',
  rules: [
    { record: 'job:up:sum', expr: 'sum by (job) (up)' },
    { alert: 'Down', expr: 'up == 0', for: '5m', labels: { severity: 'page' }, annotations: { summary: 'x' } },
  ],
};

describe('validateRuleGroup', () => {
  it('accepts a valid group', () => {
    expect(validateRuleGroup(good)).toEqual([]);
  });

  it.each<[string, RuleGroupNode, string[]]>([
    ['empty name', { ...good, name: '' }, ['Groupname must not be empty']],
    ['bad interval', { ...good, interval: '1.5m' }, ['not a valid duration string: "1.5m"']],
    ['neither record nor alert', { name: 'g', rules: [{ expr: 'up' }] }, [`group "g", rule 1, "": one of 'record' or 'alert' must be set`]],
    ['both', { name: 'g', rules: [{ record: 'r', alert: 'a', expr: 'up' }] }, [`group "g", rule 1, "a": only one of 'record' and 'alert' must be set`]],
    ['empty expr', { name: 'g', rules: [{ alert: 'a', expr: '' }] }, [`group "g", rule 1, "a": field 'expr' must be set in rule`]],
    ['bad expr', { name: 'g', rules: [{ alert: 'a', expr: 'sum(' }] }, ['group "g", rule 1, "a": could not parse expression: 1:5: parse error: unclosed left parenthesis']],
    [
      'recording rule with for, keep_firing_for, annotations',
      { name: 'g', rules: [{ record: 'r', expr: 'up', for: '1m', keep_firing_for: '2m', annotations: { a: 'b' } }] },
      [
        `group "g", rule 1, "r": invalid field 'annotations' in recording rule`,
        `group "g", rule 1, "r": invalid field 'for' in recording rule`,
        `group "g", rule 1, "r": invalid field 'keep_firing_for' in recording rule`,
      ],
    ],
    ['bad recording name', { name: 'g', rules: [{ record: 'a b', expr: 'up' }] }, ['group "g", rule 1, "a b": invalid recording rule name: a b']],
    ['bad label name', { name: 'g', rules: [{ alert: 'a', expr: 'up', labels: { 'x.y': '1' } }] }, ['group "g", rule 1, "a": invalid label name: x.y']],
    ['__name__ label', { name: 'g', rules: [{ record: 'r', expr: 'up', labels: { __name__: 'x' } }] }, ['group "g", rule 1, "r": invalid label name: __name__']],
    ['bad label value', { name: 'g', rules: [{ alert: 'a', expr: 'up', labels: { x: 'bad\ud800' } }] }, ['group "g", rule 1, "a": invalid label value: bad\ud800']],
    ['bad annotation name', { name: 'g', rules: [{ alert: 'a', expr: 'up', annotations: { '': 'x' } }] }, ['group "g", rule 1, "a": invalid annotation name: ']],
    ['bad for', { name: 'g', rules: [{ alert: 'a', expr: 'up', for: '5' }] }, ['not a valid duration string: "5"']],
  ])('%s', (_name, group, want) => {
    expect(validateRuleGroup(group)).toEqual(want);
  });

  it('runs the template check on alerting rules only', () => {
    const checkTemplate = (name: string, text: string): string | null => (text.endsWith('{{') ? `template: ${name}:1: unclosed action` : null);
    const g: RuleGroupNode = {
      name: 'g',
      rules: [
        { alert: 'A', expr: 'up', labels: { l: '{{' }, annotations: { d: 'fine' } },
        { record: 'r', expr: 'up', labels: { l: '{{' } },
      ],
    };
    expect(validateRuleGroup(g, { checkTemplate })).toEqual(['group "g", rule 1, "A": label "l": template: __alert_A:1: unclosed action']);
  });
});
