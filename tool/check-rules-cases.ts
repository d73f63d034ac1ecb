/**
 * Rule files for the differential test against promtool (check-rules.test.ts): valid files of
 * varied shapes and invalid ones that hit each YAML and semantic error rulefmt reports.
 */

export interface RuleFileCase {
  readonly name: string;
  readonly content: string;
}

export const RULE_FILE_CASES: readonly RuleFileCase[] = [
  // Valid files.
  { name: 'empty', content: '' },
  { name: 'comments-only', content: '# nothing here\n' },
  { name: 'no-groups', content: 'groups: []\n' },
  { name: 'null-groups', content: 'groups:\n' },
  {
    name: 'recording-and-alerting',
    content: `groups:
  - name: node
    interval: 30s
    rules:
      - record: instance:node_cpu:rate5m
        expr: sum by (instance) (rate(node_cpu_seconds_total{mode!="idle"}[5m]))
        labels:
          team: infra
      - alert: HighCPU
        expr: instance:node_cpu:rate5m > 0.9
        for: 10m
        keep_firing_for: 5m
        labels:
          severity: page
        annotations:
          summary: "CPU high on {{ $labels.instance }}"
          description: |
            Value is {{ $value }}.
`,
  },
  {
    name: 'flow-style',
    content: `groups: [{name: a, rules: [{record: "a:b", expr: up}, {alert: X, expr: "up == 0", for: 1h30m}]}, {name: b, limit: 10, rules: []}]\n`,
  },
  {
    name: 'multiline-expr-and-durations',
    content: `groups:
- name: g
  interval: 2d
  limit: 1.9
  rules:
  - alert: A
    expr: >
      sum(rate(x[5m]))
      > 1
    for: 0
    keep_firing_for: 1w2d
  - record: r
    expr: 5
    for: ~
`,
  },
  {
    name: 'anchors-and-merge',
    content: `groups:
- name: g
  rules:
  - alert: A
    expr: up == 0
    labels: &common
      team: x
      tier: "1"
  - alert: B
    expr: up == 0
    labels:
      <<: *common
      tier: "2"
`,
  },
  {
    name: 'odd-scalars',
    content: `groups:
- name: 123
  rules:
  - alert: true
    expr: null
    labels:
      a: ~
      b: 0x10
      c: 2023-01-01
`,
  },
  { name: 'documents', content: 'groups:\n- name: g\n  rules:\n  - record: r\n    expr: up\n---\nfoo: bar\n' },
  {
    name: 'duplicate-rules-lint',
    content: 'groups:\n- name: g\n  rules:\n  - alert: x\n    expr: up\n  - alert: x\n    expr: up\n  - record: r\n    expr: up\n    labels: {b: c, a: b}\n  - record: r\n    expr: up2\n    labels: {a: b, b: c}\n',
  },
  { name: 'same-name-different-labels', content: 'groups:\n- name: g\n  rules:\n  - alert: x\n    expr: up\n    labels: {s: a}\n  - alert: x\n    expr: up\n    labels: {s: b}\n' },
  // YAML decoding errors.
  { name: 'unknown-fields', content: 'groups:\n  - name: g\n    foo: 1\n    rules:\n      - alert: x\n        expr: up\n        bar: 2\n' },
  { name: 'unknown-top-level', content: 'groups: []\nextra: 1\n' },
  { name: 'bad-limit', content: 'groups:\n- name: g\n  limit: abc\n  rules: []\n' },
  { name: 'long-bad-limit', content: 'groups:\n- name: g\n  limit: "a very long limit value"\n  rules: []\n' },
  { name: 'labels-not-map', content: 'groups:\n- name: g\n  rules:\n  - alert: x\n    expr: up\n    labels: [a, b]\n' },
  { name: 'labels-scalar', content: 'groups:\n- name: g\n  rules:\n  - alert: x\n    expr: up\n    annotations: text\n' },
  { name: 'label-value-map', content: 'groups:\n- name: g\n  rules:\n  - alert: x\n    expr: up\n    labels:\n      a: {b: c}\n' },
  { name: 'duplicate-label-key', content: 'groups:\n- name: g\n  rules:\n  - alert: x\n    expr: up\n    labels:\n      a: 1\n      a: 2\n' },
  { name: 'duplicate-field', content: 'groups:\n- name: g\n  name: h\n  rules: []\n' },
  { name: 'groups-scalar', content: 'groups: foo\n' },
  { name: 'top-level-list', content: '- a\n- b\n' },
  { name: 'rules-map', content: 'groups:\n- name: g\n  rules: {a: b}\n' },
  { name: 'group-scalar', content: 'groups:\n- foo\n' },
  { name: 'float-duration', content: 'groups:\n- name: g\n  rules:\n  - alert: x\n    expr: up\n    for: 1.5h\n' },
  { name: 'empty-duration', content: 'groups:\n- name: g\n  interval: ""\n  rules: []\n' },
  { name: 'duration-seq', content: 'groups:\n- name: g\n  interval: [1m]\n  rules: []\n' },
  { name: 'duration-out-of-order', content: 'groups:\n- name: g\n  rules:\n  - alert: x\n    expr: up\n    keep_firing_for: 5m1h\n' },
  { name: 'duration-overflow', content: 'groups:\n- name: g\n  interval: 300y\n  rules: []\n' },
  { name: 'syntax-nested-mapping', content: 'groups:\n  - name: a\n    rules: x: y\n' },
  { name: 'syntax-tab', content: 'groups:\n  - name: a\n\tbad: 1\n' },
  // Semantic errors.
  {
    name: 'recording-rule-fields',
    content: `groups:
  - name: g
    rules:
      - record: job:up
        expr: sum(up)
        for: 5m
        keep_firing_for: 1m
        annotations:
          a: b
`,
  },
  { name: 'name-label', content: 'groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    labels:\n      __name__: x\n' },
  { name: 'neither-record-nor-alert', content: 'groups:\n- name: g\n  rules:\n  - expr: up\n' },
  { name: 'empty-record', content: 'groups:\n- name: g\n  rules:\n  - record: ""\n    expr: up\n' },
  { name: 'both-record-and-alert', content: 'groups:\n- name: g\n  rules:\n  - alert: A\n    record: r\n    expr: up\n' },
  { name: 'bad-expr', content: 'groups:\n- name: g\n  rules:\n  - alert: A\n    expr: "sum("\n' },
  { name: 'bad-expr-multiline', content: 'groups:\n- name: g\n  rules:\n  - record: ok\n    expr: |\n      sum by (a) (\n        rate(x[5m]\n      )\n' },
  { name: 'bad-expr-type', content: 'groups:\n- name: g\n  rules:\n  - record: ok\n    expr: rate(x)\n' },
  { name: 'missing-expr', content: 'groups:\n- name: g\n  rules:\n  - alert: A\n' },
  { name: 'empty-expr', content: 'groups:\n- name: g\n  rules:\n  - record: a\n    expr:\n' },
  { name: 'expr-sequence', content: 'groups:\n- name: g\n  rules:\n  - record: a\n    expr: [up]\n' },
  { name: 'bad-record-name', content: 'groups:\n- name: g\n  rules:\n  - record: 1bad\n    expr: up\n  - record: a-b\n    expr: up\n' },
  { name: 'bad-label-name', content: 'groups:\n- name: g\n  rules:\n  - alert: B\n    expr: up\n    labels:\n      bad-name: y\n' },
  { name: 'bad-annotation-name', content: 'groups:\n- name: g\n  rules:\n  - alert: B\n    expr: up\n    annotations:\n      "0x": y\n' },
  { name: 'empty-group-name', content: 'groups:\n- name: ""\n  rules: []\n- rules: []\n' },
  { name: 'repeated-group', content: 'groups:\n- name: g\n  rules: []\n- name: h\n  rules: []\n- name: g\n  rules:\n  - record: x\n    expr: up\n' },
  {
    name: 'many-errors',
    content: `groups:
  - name: g
    rules:
      - record: job:up
        expr: sum(up)
        for: 5m
      - expr: up
      - alert: A
        record: r
        expr: "sum("
      - record: "1bad"
        expr:
  - name: ""
  - name: g
    rules:
    - record: ok
      expr: foo{
`,
  },
  { name: 'anchored-bad-expr', content: 'groups:\n- name: g\n  rules:\n  - alert: A\n    expr: &e "sum("\n' },
  { name: 'tagged-limit-str', content: 'groups:\n- name: g\n  limit: !!str 5\n  rules: []\n' },
  { name: 'tagged-limit-bad-int', content: 'groups:\n- name: g\n  limit: !!int abc\n  rules: []\n' },
  { name: 'null-label-key', content: 'groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    labels:\n      ~: x\n      b: c\n' },
  { name: 'flow-empty-values', content: 'groups:\n- {name: g, rules: [{alert: A, expr: , labels: {a: , b}}]}\n' },
  { name: 'null-items', content: 'groups:\n- ~\n- name: g\n  rules:\n  - ~\n  - record: 1x\n    expr: up\n' },
  { name: 'unicode-columns', content: 'groups:\n- name: "é"\n  rules:\n  - {alert: "ü", record: "ö", expr: "süm("}\n' },
  { name: 'duplicate-for', content: 'groups:\n- name: g\n  rules:\n  - alert: x\n    expr: up\n    for: 5m\n    for: 10m\n' },
  { name: 'merge-unknown-field', content: 'base: &b\n  name: g\n  foo: 1\ngroups:\n- <<: *b\n  rules: []\n' },
  { name: 'nested-type-errors', content: 'groups:\n- name: [a]\n  interval: 1m\n  rules:\n  - alert: {a: b}\n    expr: up\n    labels: 5\n  - record: r\n    expr: up\n    annotations: [x]\n- 7\n' },
  { name: 'quoted-numbers', content: 'groups:\n- name: "1"\n  limit: "5"\n  rules: []\n' },
  { name: 'negative-limit', content: 'groups:\n- name: g\n  limit: -3\n  rules:\n  - record: "a:b:c"\n    expr: vector(1)\n' },
  { name: 'hex-limit', content: 'groups:\n- name: g\n  limit: 0x1F\n  rules: []\n' },
  { name: 'bool-limit', content: 'groups:\n- name: g\n  limit: true\n  rules: []\n' },
  { name: 'all-durations', content: 'groups:\n- name: g\n  interval: 1y2w3d4h5m6s7ms\n  rules:\n  - alert: a\n    expr: up\n    for: 90s\n' },
  { name: 'label-name-digit', content: 'groups:\n- name: g\n  rules:\n  - alert: a\n    expr: up\n    labels:\n      a1: x\n    annotations:\n      _b: "{{ $value }}"\n' },
  { name: 'expr-number-record', content: 'groups:\n- name: g\n  rules:\n  - record: 5\n    expr: 1 + 1\n' },
  { name: 'literal-expr-error-line3', content: 'groups:\n- name: g\n  rules:\n  - alert: a\n    expr: |\n      up\n      and\n      on(\n' },
  // More shapes: scalars, anchors, tags, flow style, and libyaml's syntax errors.
  { name: 'multi-type', content: 'groups:\n- name: g\n  rules:\n  - alert: x\n    expr: up\n    labels:\n      a: [1]\n      b: {c: d}\n' },
  { name: 'numkey', content: 'groups:\n- name: g\n  rules:\n  - alert: x\n    expr: up\n    labels:\n      1: x\n      c: 1.0\n' },
  { name: 'folded', content: 'groups:\n- name: g\n  rules:\n  - alert: x\n    expr: >-\n      sum(\n      up\n    annotations:\n      a: >\n        folded\n        text\n' },
  { name: 'single-quote', content: "groups:\n- name: g\n  rules:\n  - alert: x\n    expr: 'sum(up'\n" },
  { name: 'crlf', content: 'groups:\r\n- name: g\r\n  rules:\r\n  - alert: x\r\n    expr: "sum(up"\r\n' },
  { name: 'bom', content: '\ufeffgroups:\n- name: g\n  rules:\n  - alert: x\n    expr: "sum(up"\n' },
  { name: 'docstart', content: '---\ngroups:\n- name: g\n  rules:\n  - alert: x\n    expr: "sum(up"\n...\n' },
  { name: 'unclosed-quote', content: 'groups:\n- name: "g\n  rules: []\n' },
  { name: 'unclosed-flow', content: 'groups: [\n' },
  { name: 'bad-indent', content: 'groups:\n- name: g\n   rules: []\n' },
  { name: 'bad-indent2', content: 'groups:\n  - name: g\n rules: []\n' },
  { name: 'undefined-alias', content: 'groups:\n- name: *nope\n' },
  { name: 'group-alias', content: 'groups:\n- &g {name: a, rules: []}\n- *g\n' },
  { name: 'merge-group', content: 'x: &x {interval: 1m, bogus: 2}\ngroups:\n- name: a\n  <<: *x\n' },
  { name: 'tagged-seq', content: 'groups: !!seq []\n' },
  { name: 'anchored-key', content: 'groups:\n- &k name: g\n  rules: []\n' },
  { name: 'limit-float', content: 'groups:\n- name: g\n  limit: 1e3\n- name: h\n  limit: .5\n- name: i\n  limit: 0o17\n- name: j\n  limit: 017\n- name: k\n  limit: 1_000\n' },
  { name: 'limit-big', content: 'groups:\n- name: g\n  limit: 9223372036854775808\n' },
  { name: 'limit-ts', content: 'groups:\n- name: g\n  limit: 2001-01-01\n' },
  { name: 'name-ts', content: 'groups:\n- name: 2001-01-01\n  rules:\n  - record: "a b"\n    expr: up\n' },
  { name: 'for-tagged', content: 'groups:\n- name: g\n  rules:\n  - alert: a\n    expr: up\n    for: !!str 5m # c\n' },
  { name: 'empty-group-map', content: 'groups:\n- {}\n' },
  { name: 'comments', content: '# top\ngroups: # c\n\n  # x\n  - name: g # y\n    rules:\n    # z\n    - record: a-b # w\n      expr: up\n' },
  { name: 'dup-anchor', content: 'a: &x 1\nb: &x 2\ngroups: []\n' },
  { name: 'tab-in-value', content: 'groups:\n- name: "a\tb"\n  rules:\n  - record: "a\tb"\n    expr: up\n' },
  { name: 'key-null-field', content: 'groups:\n- ~: 1\n  name: g\n' },
  { name: 'seq-key', content: 'groups:\n- [a]: 1\n  name: g\n' },
  { name: 'json', content: '{"groups": [{"name": "g", "rules": [{"alert": "x", "expr": "up", "for": "5m"}]}]}' },
  { name: 'explicit-key', content: 'groups:\n- ? name\n  : g\n  rules: []\n' },
  { name: 'uppercase-null', content: 'groups:\n- name: NULL\n  rules: Null\n' },
  { name: 'bool-name', content: 'groups:\n- name: yes\n- name: no\n' },
  { name: 'colon-in-value', content: 'groups:\n- name: g\n  rules:\n  - record: a:b\n    expr: up{a="b:c"}\n' },
  { name: 'mixed-errors-after-good', content: 'groups:\n- name: g\n  rules:\n  - record: r\n    expr: up\n    labels:\n      ok: x\n    annotations: ~\n  - alert: "  "\n    expr: " "\n' },
  { name: 'dash-only', content: 'groups:\n-\n- name: g\n' },
  { name: 'deep-expr-error', content: 'groups:\n- name: g\n  rules:\n  - record: r\n    expr: "sum by (a) (rate(x[5m])) / on() group_left(foo) bar{"\n' },
  { name: 'unknown-fn', content: 'groups:\n- name: g\n  rules:\n  - record: r\n    expr: foo(bar)\n' },
  { name: 'scalar-doc', content: 'hello\n' },
  { name: 'null-doc', content: '~\n' },
  { name: 'ucq', content: "groups:\n- name: 'g\n" },
  { name: 'flow-map-unclosed', content: 'groups: [{name: g}\n' },
  { name: 'flow-map-unclosed2', content: 'groups: {name: g\n' },
  { name: 'nested-unclosed', content: 'a:\n  b: [1, {c: 2\n' },
  { name: 'seq-trailing-comma', content: 'groups: [a,\n' },
  { name: 'seq-line3', content: 'a:\n\n  b: [1, 2\n' },
  { name: 'colon-after-quoted', content: 'groups:\n- name: "a" b: c\n' },
  { name: 'limit-max', content: 'groups:\n- name: g\n  limit: 9223372036854775807\n' },
  { name: 'limit-neg-big', content: 'groups:\n- name: g\n  limit: -9223372036854775809\n' },
  { name: 'limit-inf', content: 'groups:\n- name: g\n  limit: .inf\n' },
  { name: 'limit-nan', content: 'groups:\n- name: g\n  limit: .nan\n' },
  { name: 'dash-after-key', content: 'groups:\n- name: g\n  rules:\n  - alert: a\n   - b\n' },
  { name: 'bad-key-indent-deep', content: 'groups:\n- name: g\n  rules:\n  - alert: a\n    expr: up\n   labels: {}\n' },
  { name: 'bad-key-indent-top', content: 'x: 1\ngroups:\n  - name: g\n rules: []\n' },
  { name: 'two-errors-labels-annots', content: 'groups:\n- name: g\n  rules:\n  - record: "a"\n    expr: up\n    labels:\n      "": x\n' },
  { name: 'alias-as-expr', content: 'groups:\n- name: g\n  rules:\n  - record: &n up\n    expr: *n\n' },
];
