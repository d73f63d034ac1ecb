import { describe, expect, it } from 'vitest';
import { checkTemplate, expandAlertTemplate } from './index.js';
import { sprintf } from './printf.js';

const data = { labels: { instance: 'h1:9100', job: 'api' }, externalLabels: { cluster: 'c1' }, externalURL: 'http://v:9009/prometheus', value: 95.5 };
const opts = {
  timeMs: 1_700_000_000_000,
  externalURL: 'http://v:9009/prometheus',
  query: async (expr: string) => (expr === 'up' ? [{ labels: { __name__: 'up', instance: 'b' }, value: 1 }, { labels: { __name__: 'up', instance: 'a' }, value: 0 }] : []),
};
const expand = (t: string): Promise<string> => expandAlertTemplate('A', t, data, opts);

describe('alert templates', () => {
  it('gives the convenience variables and missing labels as empty strings', async () => {
    expect(await expand('{{ $labels.instance }}/{{ $labels.nope }}/{{ $value }}/{{ $externalLabels.cluster }}/{{ $externalURL }}')).toBe('h1:9100//95.5/c1/http://v:9009/prometheus');
  });

  it('runs control structures with Go scoping and trim markers', async () => {
    expect(await expand('{{ if gt $value 90.0 }}crit{{ else if gt $value 50.0 }}warn{{ else }}ok{{ end }}')).toBe('crit');
    expect(await expand('{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ $y := 3 }}{{ end }}{{ $x }}')).toBe('2');
    expect(await expand('a {{- " b " -}} c')).toBe('a b c');
    expect(await expand('{{ range $i, $s := query "up" }}{{ if eq $i 1 }}{{ break }}{{ end }}{{ $s.Labels.instance }}{{ end }}|{{ range query "none" }}x{{ else }}empty{{ end }}')).toBe('b|empty');
    expect(await expand('{{ with query "up" | sortByLabel "instance" }}{{ (index . 0).Labels.instance }}{{ end }}')).toBe('a');
  });

  it('calls Prometheus functions and reports their errors in Go\'s words', async () => {
    expect(await expand('{{ query "up" | first | value }} {{ humanize 1234567 }} {{ humanizeDuration 90 }} {{ pathPrefix }}')).toBe('1 1.235M 1m 30s /prometheus');
    expect(await expand('{{ first (query "none") }}')).toMatch(/^<error expanding template: error executing template __alert_A: template: __alert_A:1:\d+: executing "__alert_A" at <first \(query "none"\)>: error calling first: first\(\) called on vector with no elements>$/);
    expect(await expand('{{ eq 1 1.0 }}')).toContain('error calling eq: incompatible types for comparison');
    expect(await expand('{{ humanize 1 2 }}')).toContain('wrong number of args for humanize: want 1 got 2');
  });

  it('checks templates as promtool does', () => {
    expect(checkTemplate('n', '{{ humanise 1 }}')).toBe('template: n:1: function "humanise" not defined');
    expect(checkTemplate('n', 'x\n{{ if true }}')).toBe('template: n:2: unexpected EOF');
    expect(checkTemplate('n', '{{ $labels }}')).toBe('template: n:1: undefined variable "$labels"');
    expect(checkTemplate('n', '{{ printf "%s" "ok" }}')).toBeNull();
  });

  it('formats printf verbs as Go', () => {
    expect(sprintf('%.2f|%5.1f|%-4s|%q|%d|%05d|%x|%v|%g|%e|%t|%%', [3.14159, 2.25, 'ab', 'q"', 42n, 7n, 255n, 1e6, 0.5, 1234.5, true])).toBe('3.14|  2.2|ab  |"q\\""|42|00007|ff|1e+06|0.5|1.234500e+03|true|%');
    expect(sprintf('%d', [1.5])).toBe('%!d(float64=1.5)');
    expect(sprintf('%s %s', ['a'])).toBe('a %!s(MISSING)');
  });
});
