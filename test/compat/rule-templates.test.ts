/**
 * Alert templates rendered by Vigil exactly as by Prometheus 2.42: one alerting rule whose
 * annotations use every construct and function rules use, in a promtool unit-test file that
 * expects no alerts. Both `promtool test rules` and `vigil-tool test rules` then fail it and
 * print the alerts they got with their rendered annotations — the two reports must be equal,
 * byte for byte (errors included: Go's messages and positions).
 */

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { checkRules } from '../../tool/check-rules.js';
import { checkTemplate } from '../../ruler/template/index.js';
import { testRules } from '../../tool/test-rules.js';
import { requireBinaries } from '../harness/process.js';

const enabled = requireBinaries('promtool');

interface Report {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

async function promtool(args: readonly string[], cwd: string): Promise<Report> {
  return promisify(execFile)('promtool', [...args], { cwd }).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );
}

/** Runs one of vigil-tool's commands in-process from `cwd` (file names as promtool sees them). */
async function vigilTool(cwd: string, fn: (io: { stdout(t: string): void; stderr(t: string): void }) => Promise<number>): Promise<Report> {
  let out = '';
  let err = '';
  const before = process.cwd();
  process.chdir(cwd);
  try {
    const code = await fn({ stdout: (t) => (out += t), stderr: (t) => (err += t) });
    return { code, out, err };
  } finally {
    process.chdir(before);
  }
}

const TEMPLATES: Record<string, string> = {
  labels: '{{ $labels.instance }} {{ $value }} [{{ $labels.missing }}] {{ .Labels.job | toUpper }} {{ index $labels "job" }}',
  humanize: '{{ humanize $value }} {{ humanize 0 }} {{ humanize 1e-9 }} {{ humanize 1234567 }} {{ humanize "12345" }} {{ humanize1024 1536 }} {{ humanize1024 0.5 }}',
  durations: '{{ humanizeDuration 3725 }} {{ humanizeDuration 0.123 }} {{ humanizeDuration -65 }} {{ humanizeDuration 93784 }} {{ parseDuration "1m30s" }}',
  percent: '{{ humanizePercentage 0.1234 }} {{ humanizePercentage 1 }} {{ humanizeTimestamp 1700000000.5 }} {{ humanizeTimestamp 0 }}',
  printf: '{{ printf "%.2f" $value }} {{ printf "%d items" 3 }} {{ printf "%5.1f|%-6s|%q" 3.14159 "ab" "x\\"y" }} {{ printf "%v %s %g %e" 1.5 "s" 0.000012 1234.5 }} {{ printf "%x %X %t %05d" "hi" 255 true 42 }}',
  control: '{{ if gt $value 80.0 }}high{{ else if gt $value 10.0 }}mid{{ else }}low{{ end }} {{ with $labels.instance }}I={{ . }}{{ end }} {{ with $labels.nope }}no{{ else }}empty{{ end }}',
  range: '{{ range $i, $x := args "a" "b" "c" }}{{ if eq $i 2 }}{{ break }}{{ end }}{{ $i }}={{ $x }};{{ end }} {{ range $k, $v := $labels }}{{ $k }}:{{ $v }},{{ end }} {{ range $externalLabels }}{{ . }}{{ end }}',
  strings: '{{ reReplaceAll "(.*):(\\\\d+)" "${1}-$2" $labels.instance }} {{ title "hello world-x" }} {{ toLower "ÀB" }} {{ match "^h.*" "host" }} {{ stripPort "h:9100" }} {{ stripPort "[::1]:80" }} {{ "x" | printf "%s!" }}',
  logic: '{{ eq 1 1 }} {{ eq "a" "b" "a" }} {{ ne 1.5 2.5 }} {{ lt 1.5 2.0 }} {{ le "a" "b" }} {{ ge 3 3 }} {{ and 1 0 }} {{ or "" "y" }} {{ not true }} {{ len "héllo" }} {{ print 1 2 "a" 3 }}{{/* comment */}} {{- " trimmed" -}} !',
  vars: '{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }} {{ $externalURL }} {{ safeHtml "<b>" }} {{ html "<a&b>" }} {{ urlquery "a b&c" }} {{ js "it\'s" }}',
  query: '{{ with query "sum(x)" }}{{ . | first | value | humanize }}{{ end }} {{ range sortByLabel "instance" (query "x") }}{{ label "instance" . }}={{ .Value }},{{ end }} {{ (query "count(x)" | first).Value }}',
  errors1: '{{ humanize "abc" }}',
  errors2: '{{ first (query "nothing") }}',
  errors3: '{{ index $labels 1 }}',
  errors4: '{{ externalURL }}',
  errors5: '{{ eq 1 1.0 }}',
};

const RULES = `groups:
  - name: templates
    rules:
      - alert: Tmpl
        expr: x
        labels:
          severity: '{{ if gt $value 80.0 }}page{{ else }}ticket{{ end }}'
          instance_short: '{{ reReplaceAll ":.*" "" $labels.instance }}'
        annotations:
${Object.entries(TEMPLATES)
  .map(([k, v]) => `          ${k}: ${JSON.stringify(v)}`)
  .join('\n')}
`;

const TEST = `rule_files: [rules.yaml]
tests:
  - interval: 1m
    external_labels: {cluster: c1, region: eu}
    external_url: http://vigil.example:9009/prometheus
    input_series:
      - series: 'x{job="api", instance="host-b:9100"}'
        values: '123.456'
      - series: 'x{job="api", instance="host-a:9100"}'
        values: '12'
    alert_rule_test:
      - eval_time: 0m
        alertname: Tmpl
        exp_alerts: []
`;

describe.runIf(enabled)('alert templates against promtool 2.42', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-templates-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('renders every template exactly as Prometheus', async () => {
    writeFileSync(join(dir, 'rules.yaml'), RULES);
    writeFileSync(join(dir, 'test.yaml'), TEST);
    const prom = await promtool(['test', 'rules', 'test.yaml'], dir);
    const { code, out, err } = await vigilTool(dir, (io) => testRules(['test.yaml'], io));
    // Both fail (no alerts were expected) and print what they rendered.
    expect(prom.code).toBe(1);
    expect(prom.err).toContain('Annotations:{');
    // Compared piece by piece first (one annotation per line), so a difference is easy to read.
    expect(err.split('", ')).toEqual(prom.err.split('", '));
    expect({ code, out, err }).toEqual({ code: prom.code, out: prom.out, err: prom.err });
  }, 60_000);

  it('refuses templates that do not parse with promtool check rules\' messages', async () => {
    const bad = ['{{ $labels.x', '{{ humanise 1 }}', '{{ end }}', '{{ if }}x{{ end }}', '{{ $nope }}', '{{ if true }}x', '{{ range $i, $v := args 1 }}{{ $i }}{{ else }}{{ else }}{{ end }}', '{{ printf "%d" 1 | }}', '{{ "unterminated }}'];
    const rules = `groups:\n  - name: bad\n    rules:\n${bad.map((t, i) => `      - alert: A${i}\n        expr: up\n        annotations:\n          t: ${JSON.stringify(t)}`).join('\n')}\n`;
    writeFileSync(join(dir, 'bad.yaml'), rules);
    const prom = await promtool(['check', 'rules', '--lint=none', 'bad.yaml'], dir);
    const { code, out, err } = await vigilTool(dir, (io) => checkRules(['bad.yaml'], io, { lintDuplicates: false, checkTemplate }));
    expect(prom.code).toBe(1);
    expect(err.split('\n')).toEqual(prom.err.split('\n'));
    expect({ code, out }).toEqual({ code: prom.code, out: prom.out });
  }, 60_000);
});
