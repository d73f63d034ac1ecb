/**
 * parseRuleFile: the decoded groups, and one test per check of Prometheus's rulefmt with the
 * exact message and position prefix (the promtool differential in tool/ covers the same ground
 * against the real binary).
 */

import { describe, expect, it } from 'vitest';
import { ALERT_TEMPLATE_DEFS } from './validate.js';
import { parseRuleFile } from './parse.js';

/** A file with one group `g` whose rules are `body` (rules indented by 2, fields by 4). */
function file(body: string): string {
  return `groups:\n- name: g\n  rules:\n${body}`;
}

function errors(content: string): string[] {
  return parseRuleFile(content, 'f.yml').errors;
}

describe('decoded groups', () => {
  it('keeps names, durations as written, limits, labels and annotations', () => {
    const r = parseRuleFile(
      'groups:\n- name: g\n  interval: 90s\n  limit: 5\n  rules:\n  - record: a:b\n    expr: sum(up)\n    labels: {x: "1"}\n  - alert: A\n    expr: up == 0\n    for: 1h30m\n    keep_firing_for: 2m\n    annotations:\n      summary: down\n',
      'f.yml',
    );
    expect(r.errors).toEqual([]);
    expect(r.groups).toEqual({
      groups: [
        {
          name: 'g',
          interval: '90s',
          limit: 5,
          rules: [
            { record: 'a:b', expr: 'sum(up)', labels: { x: '1' } },
            { alert: 'A', expr: 'up == 0', for: '1h30m', keep_firing_for: '2m', annotations: { summary: 'down' } },
          ],
        },
      ],
    });
  });

  it('accepts bytes, empty files and files of comments', () => {
    expect(parseRuleFile(new TextEncoder().encode('groups: []\n'), 'f.yml')).toEqual({ groups: { groups: [] }, errors: [] });
    expect(parseRuleFile('', 'f.yml')).toEqual({ groups: { groups: [] }, errors: [] });
    expect(parseRuleFile('# x\n', 'f.yml').errors).toEqual([]);
  });

  it('follows aliases and merge keys, own keys first', () => {
    const r = parseRuleFile(file('  - alert: A\n    expr: up\n    labels: &l {a: "1", b: "2"}\n  - alert: B\n    expr: up\n    labels:\n      <<: *l\n      b: "3"\n'), 'f.yml');
    expect(r.errors).toEqual([]);
    expect(r.groups?.groups[0]?.rules[1]?.labels).toEqual({ b: '3', a: '1' });
  });

  it('rejects bytes that are not UTF-8', () => {
    expect(parseRuleFile(new Uint8Array([0x67, 0xff, 0x3a]), 'f.yml').errors[0]).toMatch(/^f\.yml: yaml: invalid/);
  });
});

describe('YAML strictness (yaml.v3 KnownFields)', () => {
  it('rejects unknown fields with their lines and Go types', () => {
    expect(errors('groups:\n- name: g\n  foo: 1\n  rules:\n  - alert: x\n    expr: up\n    bar: 2\nextra: 3\n')).toEqual([
      'f.yml: yaml: unmarshal errors:\n  line 3: field foo not found in type rulefmt.RuleGroup\n  line 7: field bar not found in type rulefmt.RuleNode\n  line 8: field extra not found in type rulefmt.RuleGroups',
    ]);
  });

  it('reports type mismatches, truncating long values', () => {
    expect(errors('groups:\n- name: g\n  limit: "a very long limit"\n  rules: {}\n')).toEqual([
      'f.yml: yaml: unmarshal errors:\n  line 3: cannot unmarshal !!str `a very ...` into int\n  line 4: cannot unmarshal !!map into []rulefmt.RuleNode',
    ]);
  });

  it('reports a wrong top level twice, once per decode', () => {
    expect(errors('groups: 5\n')).toEqual([
      'f.yml: yaml: unmarshal errors:\n  line 1: cannot unmarshal !!int `5` into []rulefmt.RuleGroup',
      'f.yml: yaml: unmarshal errors:\n  line 1: cannot unmarshal !!int `5` into []yaml.Node',
    ]);
  });

  it('reports duplicate keys', () => {
    expect(errors(file('  - alert: x\n    expr: up\n    labels:\n      a: "1"\n      a: "2"\n'))).toEqual([
      'f.yml: yaml: unmarshal errors:\n  line 8: mapping key "a" already defined at line 7',
    ]);
  });

  it('stops at a bad duration with model.ParseDuration\'s message', () => {
    expect(errors(file('  - alert: x\n    expr: up\n    for: 1.5h\n'))).toEqual(['f.yml: not a valid duration string: "1.5h"']);
  });

  it('reports syntax errors twice, as both decodes meet them', () => {
    expect(errors('groups:\n  - name: a\n    rules: x: y\n')).toEqual([
      'f.yml: yaml: line 3: mapping values are not allowed in this context',
      'f.yml: yaml: line 3: mapping values are not allowed in this context',
    ]);
  });
});

describe('rule checks', () => {
  it('group name must not be empty', () => {
    expect(errors('groups:\n- name: ""\n  rules: []\n')).toEqual(['f.yml: 2:3: Groupname must not be empty']);
  });

  it('group names must be unique in a file', () => {
    expect(errors('groups:\n- name: g\n- name: g\n')).toEqual(['f.yml: 3:3: groupname: "g" is repeated in the same file']);
  });

  it('one of record or alert', () => {
    expect(errors(file('  - expr: up\n'))).toEqual([`f.yml: 0:0: group "g", rule 1, "": one of 'record' or 'alert' must be set`]);
  });

  it('only one of record and alert', () => {
    expect(errors(file('  - record: r\n    alert: a\n    expr: up\n'))).toEqual([`f.yml: 4:13: 5:12: group "g", rule 1, "a": only one of 'record' and 'alert' must be set`]);
  });

  it('expr must be set', () => {
    expect(errors(file('  - alert: a\n'))).toEqual([`f.yml: 0:0: group "g", rule 1, "a": field 'expr' must be set in rule`]);
    expect(errors(file('  - alert: a\n    expr:\n'))).toEqual([`f.yml: 5:10: group "g", rule 1, "a": field 'expr' must be set in rule`]);
  });

  it('expr must parse, with the parser\'s position inside the expression', () => {
    expect(errors(file('  - alert: a\n    expr: sum(rate(x[5m])\n'))).toEqual([
      'f.yml: 5:11: group "g", rule 1, "a": could not parse expression: 1:16: parse error: unclosed left parenthesis',
    ]);
    // Checked against promtool: the expression's line 3 is the empty line after the block scalar.
    expect(errors(file('  - alert: a\n    expr: |\n      up\n      and on(\n'))).toEqual([
      'f.yml: 5:11: group "g", rule 1, "a": could not parse expression: 3:1: parse error: unclosed left parenthesis',
    ]);
  });

  it('recording rules take no annotations, for or keep_firing_for', () => {
    expect(errors(file('  - record: r\n    expr: up\n    for: 1m\n    keep_firing_for: 1m\n    annotations: {a: b}\n'))).toEqual([
      `f.yml: 4:13: group "g", rule 1, "r": invalid field 'annotations' in recording rule`,
      `f.yml: 4:13: group "g", rule 1, "r": invalid field 'for' in recording rule`,
      `f.yml: 4:13: group "g", rule 1, "r": invalid field 'keep_firing_for' in recording rule`,
    ]);
  });

  it('a zero for on a recording rule is no error', () => {
    expect(errors(file('  - record: r\n    expr: up\n    for: 0s\n'))).toEqual([]);
  });

  it('recording rule names are metric names', () => {
    expect(errors(file('  - record: 1r\n    expr: up\n  - record: a-b\n    expr: up\n  - record: "a:b_c1"\n    expr: up\n'))).toEqual([
      'f.yml: 4:13: group "g", rule 1, "1r": invalid recording rule name: 1r',
      'f.yml: 6:13: group "g", rule 2, "a-b": invalid recording rule name: a-b',
    ]);
  });

  it('label names must be valid and not __name__', () => {
    expect(errors(file('  - alert: a\n    expr: up\n    labels:\n      bad-name: x\n      __name__: y\n      "a:b": z\n      ok_1: w\n'))).toEqual([
      'f.yml: group "g", rule 1, "a": invalid label name: bad-name',
      'f.yml: group "g", rule 1, "a": invalid label name: __name__',
      'f.yml: group "g", rule 1, "a": invalid label name: a:b',
    ]);
  });

  it('annotation names must be valid label names', () => {
    expect(errors(file('  - alert: a\n    expr: up\n    annotations:\n      "0x": x\n      __name__: ok\n'))).toEqual([
      'f.yml: group "g", rule 1, "a": invalid annotation name: 0x',
    ]);
  });

  it('numbers rules within each group from 1, skipping null items', () => {
    expect(errors('groups:\n- name: a\n  rules:\n  - record: ok\n    expr: up\n- name: b\n  rules:\n  - ~\n  - record: ok\n    expr: up\n  - record: bad-\n    expr: up\n')).toEqual([
      'f.yml: 11:13: group "b", rule 2, "bad-": invalid recording rule name: bad-',
    ]);
  });
});

describe('template checks', () => {
  const seen: [string, string][] = [];
  const checkTemplate = (name: string, text: string): string | null => {
    seen.push([name, text]);
    return text.includes('{{ .Foo') && !text.includes('}}', text.indexOf('{{ .Foo')) ? `template: ${name}:1: unclosed action` : null;
  };

  it('checks label and annotation values of alerting rules with Prometheus\'s variable prelude', () => {
    seen.length = 0;
    const r = parseRuleFile(file('  - alert: x\n    expr: up\n    labels:\n      l: "{{ .Foo"\n    annotations:\n      a: "{{ .Foo"\n      ok: "{{ $value }}"\n'), 'f.yml', { checkTemplate });
    expect(r.errors).toEqual([
      'f.yml: group "g", rule 1, "x": label "l": template: __alert_x:1: unclosed action',
      'f.yml: group "g", rule 1, "x": annotation "a": template: __alert_x:1: unclosed action',
    ]);
    expect(seen).toEqual([
      ['__alert_x', `${ALERT_TEMPLATE_DEFS}{{ .Foo`],
      ['__alert_x', `${ALERT_TEMPLATE_DEFS}{{ .Foo`],
      ['__alert_x', `${ALERT_TEMPLATE_DEFS}{{ $value }}`],
    ]);
  });

  it('leaves recording rules and files without a checker alone', () => {
    seen.length = 0;
    expect(parseRuleFile(file('  - record: r\n    expr: up\n    labels: {l: "{{ .Foo"}\n'), 'f.yml', { checkTemplate }).errors).toEqual([]);
    expect(seen).toEqual([]);
    expect(parseRuleFile(file('  - alert: x\n    expr: up\n    labels: {l: "{{ .Foo"}\n'), 'f.yml').errors).toEqual([]);
  });
});
