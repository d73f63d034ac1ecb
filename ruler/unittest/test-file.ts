/**
 * promtool's rule unit-test file (`promtool test rules`): decoded strictly (an unknown field is
 * an error, as yaml.v2's UnmarshalStrict makes it), durations in Prometheus's notation.
 */

import { isMap, isSeq, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
import { parseDuration } from '../../promql/duration.js';

export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

export interface ExpAlert {
  readonly expLabels: Readonly<Record<string, string>>;
  readonly expAnnotations: Readonly<Record<string, string>>;
}

export interface AlertTestCase {
  readonly evalTime: number;
  readonly alertname: string;
  readonly expAlerts: readonly ExpAlert[];
}

export interface ExpSample {
  readonly labels: string;
  readonly value: number;
}

export interface PromqlTestCase {
  readonly expr: string;
  readonly evalTime: number;
  readonly expSamples: readonly ExpSample[];
}

export interface TestGroup {
  readonly interval: number;
  readonly inputSeries: readonly InputSeries[];
  readonly alertRuleTests: readonly AlertTestCase[];
  readonly promqlExprTests: readonly PromqlTestCase[];
  readonly externalLabels: Readonly<Record<string, string>>;
  readonly externalURL: string;
  readonly name: string;
}

export interface UnitTestFile {
  readonly ruleFiles: readonly string[];
  /** 0 when not given (promtool then uses 1m). */
  readonly evaluationInterval: number;
  readonly groupEvalOrder: readonly string[];
  readonly tests: readonly TestGroup[];
}

class Decoder {
  readonly errors: string[] = [];
  constructor(private readonly lineOf: (n: Node | Pair | null | undefined) => number) {}

  fields(node: unknown, type: string, known: readonly string[]): Map<string, unknown> {
    const out = new Map<string, unknown>();
    if (node === null || node === undefined) return out;
    if (!isMap(node)) {
      this.errors.push(`line ${this.lineOf(node as Node)}: cannot unmarshal into main.${type}`);
      return out;
    }
    for (const pair of (node as YAMLMap).items) {
      const key = String((pair.key as { value?: unknown } | null)?.value ?? pair.key);
      if (!known.includes(key)) {
        this.errors.push(`line ${this.lineOf(pair.key as Node)}: field ${key} not found in type main.${type}`);
        continue;
      }
      out.set(key, pair.value);
    }
    return out;
  }

  scalar(node: unknown): unknown {
    return node && typeof node === 'object' && 'value' in node ? (node as { value: unknown }).value : node;
  }

  str(node: unknown): string {
    const v = this.scalar(node);
    return v === null || v === undefined ? '' : String(v);
  }

  duration(node: unknown): number {
    const v = this.scalar(node);
    if (v === null || v === undefined) return 0;
    try {
      return parseDuration(String(v));
    } catch (e) {
      this.errors.push((e as Error).message);
      return 0;
    }
  }

  list(node: unknown): unknown[] {
    if (node === null || node === undefined) return [];
    if (!isSeq(node)) {
      this.errors.push(`line ${this.lineOf(node as Node)}: cannot unmarshal into a list`);
      return [];
    }
    return node.items;
  }

  stringMap(node: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    if (node === null || node === undefined) return out;
    if (!isMap(node)) {
      this.errors.push(`line ${this.lineOf(node as Node)}: cannot unmarshal into a map of strings`);
      return out;
    }
    for (const pair of (node as YAMLMap).items) out[this.str(pair.key)] = this.str(pair.value);
    return out;
  }

  number(node: unknown): number {
    const v = this.scalar(node);
    if (typeof v === 'number') return v;
    const n = Number(v);
    if (v === null || v === undefined || Number.isNaN(n)) {
      this.errors.push(`line ${this.lineOf(node as Node)}: cannot unmarshal ${JSON.stringify(String(v))} into float64`);
      return 0;
    }
    return n;
  }
}

/** Decodes a unit-test file; throws with yaml.v2's wording when it does not decode. */
export function decodeUnitTestFile(text: string): UnitTestFile {
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length > 0) throw new Error(`yaml: ${doc.errors[0]!.message.split('\n')[0]}`);
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const lineOf = (n: Node | Pair | null | undefined): number => {
    const off = (n as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
    let line = 0;
    while (line + 1 < lineStarts.length && lineStarts[line + 1]! <= off) line++;
    return line + 1;
  };
  const d = new Decoder(lineOf);
  const top = d.fields(doc.contents, 'unitTestFile', ['rule_files', 'evaluation_interval', 'group_eval_order', 'tests']);
  const file: UnitTestFile = {
    ruleFiles: d.list(top.get('rule_files')).map((n) => d.str(n)),
    evaluationInterval: d.duration(top.get('evaluation_interval')),
    groupEvalOrder: d.list(top.get('group_eval_order')).map((n) => d.str(n)),
    tests: d.list(top.get('tests')).map((tn) => {
      const t = d.fields(tn, 'testGroup', ['interval', 'input_series', 'alert_rule_test', 'promql_expr_test', 'external_labels', 'external_url', 'name']);
      return {
        interval: d.duration(t.get('interval')),
        inputSeries: d.list(t.get('input_series')).map((sn) => {
          const s = d.fields(sn, 'series', ['series', 'values']);
          return { series: d.str(s.get('series')), values: d.str(s.get('values')) };
        }),
        alertRuleTests: d.list(t.get('alert_rule_test')).map((an) => {
          const a = d.fields(an, 'alertTestCase', ['eval_time', 'alertname', 'exp_alerts']);
          return {
            evalTime: d.duration(a.get('eval_time')),
            alertname: d.str(a.get('alertname')),
            expAlerts: d.list(a.get('exp_alerts')).map((en) => {
              const e = d.fields(en, 'alert', ['exp_labels', 'exp_annotations']);
              return { expLabels: d.stringMap(e.get('exp_labels')), expAnnotations: d.stringMap(e.get('exp_annotations')) };
            }),
          };
        }),
        promqlExprTests: d.list(t.get('promql_expr_test')).map((pn) => {
          const p = d.fields(pn, 'promqlTestCase', ['expr', 'eval_time', 'exp_samples']);
          return {
            expr: d.str(p.get('expr')),
            evalTime: d.duration(p.get('eval_time')),
            expSamples: d.list(p.get('exp_samples')).map((xn) => {
              const x = d.fields(xn, 'sample', ['labels', 'value']);
              return { labels: d.str(x.get('labels')), value: x.has('value') ? d.number(x.get('value')) : 0 };
            }),
          };
        }),
        externalLabels: d.stringMap(t.get('external_labels')),
        externalURL: d.str(t.get('external_url')),
        name: d.str(t.get('name')),
      };
    }),
  };
  if (d.errors.length > 0) throw new Error('yaml: unmarshal errors:\n  ' + d.errors.join('\n  '));
  return file;
}
