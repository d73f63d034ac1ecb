/**
 * formatRuleGroupsYaml: Prometheus's field order, omitted empty fields, gopkg.in/yaml.v3's
 * layout and quoting (the expected text was produced by yaml.v3 3.0.1 marshalling the same
 * groups), and a lossless round trip through parseRuleFile.
 */

import { describe, expect, it } from 'vitest';
import { formatRuleGroupYaml, formatRuleGroupsYaml } from './format.js';
import { parseRuleFile } from './parse.js';
import type { RuleGroupNode } from './types.js';
import { goMapKeyLess } from './yaml-emit.js';

describe('formatRuleGroupsYaml', () => {
  it('writes what yaml.v3 writes for rulefmt groups', () => {
    const groups: RuleGroupNode[] = [
      {
        rules: [
          {
            annotations: { summary: "it's down: #1", description: 'line 1\nline 2\n', trail: 'x ', bom: '\ufeffab', emoji: '😀' },
            labels: { severity: 'page', _p: '5', a10: 'yes', a9: '{{ $labels.job }}' },
            keep_firing_for: '1m',
            for: '90m',
            expr: 'up == 0',
            alert: 'A',
          },
          { expr: 'sum by (job) (\n  rate(x[5m])\n)', record: 'r', labels: {}, for: '0s' },
        ],
        limit: 10,
        interval: '60s',
        name: 'g',
      },
      { name: 'h', limit: 0, rules: [] },
    ];
    expect(formatRuleGroupsYaml(groups)).toBe(
      [
        'groups:',
        '    - name: g',
        '      interval: 1m',
        '      limit: 10',
        '      rules:',
        '        - alert: A',
        '          expr: up == 0',
        '          for: 1h30m',
        '          keep_firing_for: 1m',
        '          labels:',
        '            _p: "5"',
        "            a9: '{{ $labels.job }}'",
        '            a10: "yes"',
        '            severity: page',
        '          annotations:',
        '            bom: "\\uFEFF\\x61\\x62"',
        '            description: |',
        '                line 1',
        '                line 2',
        '            emoji: "\\U0001F600"',
        "            summary: 'it''s down: #1'",
        "            trail: 'x '",
        '        - record: r',
        '          expr: |-',
        '            sum by (job) (',
        '              rate(x[5m])',
        '            )',
        '    - name: h',
        '      rules: []',
        '',
      ].join('\n'),
    );
  });

  it.each([
    ['\n\nx', '|4-\n\n        x'],
    ['x\n\ny\n', '|\n        x\n\n        y'],
    ['a\n\n', '|+\n        a\n'],
    ['\n', '|4+'],
    [' \n', '" \\n"'],
    ['a \nb', '"a \\nb"'],
    ['0b2', '0b2'],
    ['0b1', '"0b1"'],
    ['<<', '<<'],
    ['', '""'],
    ['1:20', '"1:20"'],
    ['2001-01-01', '"2001-01-01"'],
    ['- a', "'- a'"],
    ['a\u2028b', "'a\u2028        b'"],
    ['a\u0085b', '"a\\Nb"'],
  ])('writes the group name %j as %s', (name, want) => {
    expect(formatRuleGroupsYaml([{ name, rules: [] }])).toBe(`groups:\n    - name: ${want}\n      rules: []\n`);
  });

  it('orders map keys as yaml.v3 does', () => {
    const keys = ['b', 'a10', '_x', 'a9', 'A', 'a', 'x1y', 'x01y', '0'];
    const sorted = [...keys].sort((a, b) => (goMapKeyLess(a, b) ? -1 : goMapKeyLess(b, a) ? 1 : 0));
    expect(sorted).toEqual(['_x', '0', 'A', 'a', 'a9', 'a10', 'b', 'x1y', 'x01y']);
  });

  it('round-trips through parseRuleFile, multi-line and quoted text included', () => {
    const groups: RuleGroupNode[] = [
      {
        name: 'node: "quoted"',
        interval: '2d',
        rules: [
          { alert: 'A', expr: 'sum(rate(x[5m]))\n  > 1', for: '1w', labels: { n: '007', t: 'true', e: '' }, annotations: { d: 'line 1\nline 2\n', s: '{{ $value }}: #x', u: '\ufeffé😀 ' } },
          { record: 'job:x:rate5m', expr: 'rate(x{a="b"}[5m])' },
        ],
      },
    ];
    const r = parseRuleFile(formatRuleGroupsYaml(groups), 'f.yml');
    expect(r.errors).toEqual([]);
    expect(r.groups?.groups).toEqual(groups);
  });

  it('formats one group on its own', () => {
    expect(formatRuleGroupYaml({ name: 'g', rules: [{ record: 'r', expr: 'up' }] })).toBe('name: g\nrules:\n    - record: r\n      expr: up\n');
  });
});
