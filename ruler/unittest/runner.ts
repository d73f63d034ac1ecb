/**
 * `vigil-tool test rules`: runs promtool's rule unit tests (Prometheus 2.42 cmd/promtool
 * unittest.go semantics) on Vigil's rule evaluation and PromQL engine, and reports like promtool:
 * `Unit Testing:  FILE`, then `  SUCCESS` or `  FAILED:` and each failure in promtool's words.
 *
 * Per test group: input series loaded lazily (samples up to each evaluation time), every group
 * evaluated every `evaluation_interval` from 0 to the largest `eval_time`, alerts compared
 * (firing only, sorted) at the evaluation at or just before each `eval_time`, then PromQL
 * expressions evaluated at their `eval_time` over everything written.
 */

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, join, basename } from 'node:path';
import { Engine } from '../../promql/engine.js';
import { compareLabels, type Labels, labelsFromRecord, labelsToString, sortLabels } from '../../tsdb/labels.js';
import { formatDuration } from '../../promql/duration.js';
import type { RuleGroupNode } from '../rulefmt/types.js';
import { AlertingRule } from '../rules/alerting-rule.js';
import type { Group } from '../rules/group.js';
import { buildGroup } from '../rules/load.js';
import type { ExpandFunc, GroupContext, RuleSample } from '../rules/types.js';
import { type LabelsAndAnnotations, alertsString, goDurationString, goFormatE, indentLines } from './go-format.js';
import { type SeriesDesc, parseLoadSeries, parseMetric } from './series-desc.js';
import { AppendError, LazyLoader, MemoryStorage } from './storage.js';
import { type TestGroup, type UnitTestFile, decodeUnitTestFile } from './test-file.js';
import { instantVector } from '../rules/query.js';

export interface RuleFileLoader {
  /** Parses and validates one rule file; errors are complete lines as promtool prints them. */
  (path: string): { readonly groups: readonly RuleGroupNode[]; readonly errors: readonly string[] };
}

export interface RuleTestOptions {
  readonly loadRuleFile: RuleFileLoader;
  readonly expand: ExpandFunc;
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
}

/** Runs every file; returns the exit code (0 all passed, 1 otherwise). */
export async function runRuleTests(files: readonly string[], opts: RuleTestOptions): Promise<number> {
  let failed = false;
  for (const f of files) {
    opts.stdout(`Unit Testing:  ${f}\n`);
    const errs = await ruleUnitTest(f, opts);
    if (errs.length > 0) {
      opts.stderr('  FAILED:\n');
      for (const e of errs) {
        opts.stderr(e + '\n');
        opts.stdout('\n');
      }
      failed = true;
    } else opts.stdout('  SUCCESS\n');
    opts.stdout('\n');
  }
  return failed ? 1 : 0;
}

function globFiles(pattern: string, warn: (s: string) => void): string[] {
  const dir = dirname(pattern);
  const base = basename(pattern);
  let found: string[];
  if (!/[*?[]/.test(base)) found = existsSync(pattern) ? [pattern] : [];
  else {
    const re = new RegExp('^' + base.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') + '$');
    found = existsSync(dir) ? readdirSync(dir).filter((n) => re.test(n)).sort().map((n) => join(dir, n)) : [];
  }
  if (found.length === 0) warn(`  WARNING: no file match pattern ${pattern}\n`);
  return found;
}

async function ruleUnitTest(file: string, opts: RuleTestOptions): Promise<string[]> {
  let utf: UnitTestFile;
  try {
    utf = decodeUnitTestFile(readFileSync(file, 'utf8'));
  } catch (e) {
    return [(e as Error).message];
  }
  const ruleFiles = utf.ruleFiles.flatMap((rf) => (rf !== '' ? globFiles(isAbsolute(rf) ? rf : join(dirname(file), rf), opts.stderr) : []));
  const evalInterval = utf.evaluationInterval === 0 ? 60_000 : utf.evaluationInterval;
  const order = new Map<string, number>();
  for (const [i, g] of utf.groupEvalOrder.entries()) {
    if (order.has(g)) return [`group name repeated in evaluation order: ${g}`];
    order.set(g, i);
  }
  const errs: string[] = [];
  for (const tg of utf.tests) errs.push(...(await runTestGroup(tg, evalInterval, order, ruleFiles, opts)));
  return errs;
}

async function runTestGroup(tg: TestGroup, evalInterval: number, order: ReadonlyMap<string, number>, ruleFiles: readonly string[], opts: RuleTestOptions): Promise<string[]> {
  // Input series.
  let series: SeriesDesc[];
  try {
    series = parseLoadSeries(tg.inputSeries);
  } catch (e) {
    return [(e as Error).message];
  }
  const storage = new MemoryStorage();
  const loader = new LazyLoader(storage, series, tg.interval);

  // Rule groups.
  const groups: Group[] = [];
  for (const rf of ruleFiles) {
    const { groups: nodes, errors } = opts.loadRuleFile(rf);
    if (errors.length > 0) return [...errors];
    for (const n of nodes) groups.push(buildGroup(n, rf, tg.interval));
  }
  groups.sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
  for (const g of groups) for (const r of g.rules) if (r instanceof AlertingRule) r.restored = true;

  const engine = new Engine({ lookbackDeltaMs: 5 * 60_000, maxSamples: 50_000_000, timeoutMs: 120_000, defaultSubqueryStepMs: evalInterval });
  const ctx: GroupContext = {
    query: async (expr, t) => instantVector(engine, storage.engineView, expr, t),
    append: async (samples: readonly RuleSample[]) => {
      let first: Error | null = null;
      for (const s of samples) {
        try {
          storage.append(s.labels, s.t, s.v, s.stale === true);
        } catch (e) {
          if (!(e instanceof AppendError)) throw e;
          first ??= e;
        }
      }
      if (first) throw first;
    },
    notify: () => undefined,
    expand: opts.expand,
    queryable: storage,
    externalLabels: labelsFromRecord(tg.externalLabels),
    externalURL: tg.externalURL,
    resendDelayMs: 60_000,
    outageToleranceMs: 3_600_000,
    forGracePeriodMs: 600_000,
  };

  // Alert tests by eval time.
  const testGroupLog = tg.name !== '' ? ` (in TestGroup ${tg.name})` : '';
  for (const a of tg.alertRuleTests) {
    if (a.alertname === '') return [`an item under alert_rule_test misses required attribute alertname at eval_time ${formatDuration(a.evalTime)}${testGroupLog}`];
  }
  const evalTimes = [...new Set(tg.alertRuleTests.map((a) => a.evalTime))].sort((a, b) => a - b);
  const maxt = Math.max(0, ...tg.alertRuleTests.map((a) => a.evalTime), ...tg.promqlExprTests.map((p) => p.evalTime));

  const errs: string[] = [];
  let curr = 0;
  for (let ts = 0; ts <= maxt; ts += evalInterval) {
    const evalErrs: string[] = [];
    const loadErr = loader.appendTill(ts);
    // A load error is kept, and the groups are not evaluated at this time; the test goes on.
    if (loadErr !== null) errs.push(loadErr.message);
    else {
      for (const g of groups) {
        await g.eval(ts, ctx);
        for (const r of g.rules) if (r.lastError !== null) evalErrs.push(`    rule: ${r.name}, time: ${goDurationString(ts)}, err: ${r.lastError}`);
      }
    }
    errs.push(...evalErrs);
    if (evalErrs.length > 0) return errs;

    while (curr < evalTimes.length && ts <= evalTimes[curr]! && evalTimes[curr]! < ts + evalInterval) {
      const t = evalTimes[curr]!;
      const present = new Set(tg.alertRuleTests.filter((a) => a.evalTime === t).map((a) => a.alertname));
      const got = new Map<string, LabelsAndAnnotations[]>();
      for (const g of groups) {
        for (const r of g.rules) {
          if (!(r instanceof AlertingRule) || !present.has(r.name)) continue;
          const firing = r.activeAlerts().filter((a) => a.state === 'firing').map((a) => ({ labels: a.labels, annotations: a.annotations }));
          got.set(r.name, [...(got.get(r.name) ?? []), ...firing]);
        }
      }
      for (const tc of tg.alertRuleTests.filter((a) => a.evalTime === t)) {
        const gotAlerts = sortAlerts(got.get(tc.alertname) ?? []);
        const expAlerts = sortAlerts(
          tc.expAlerts.map((e) => ({
            labels: fromMapKeepEmpty({ ...e.expLabels, alertname: tc.alertname }),
            annotations: fromMapKeepEmpty(e.expAnnotations),
          })),
        );
        if (!alertsEqual(expAlerts, gotAlerts)) {
          const testName = tg.name !== '' ? `    name: ${tg.name},\n` : '';
          errs.push(
            `${testName}    alertname: ${tc.alertname}, time: ${formatDuration(tc.evalTime)}, \n        exp:${indentLines(alertsString(expAlerts), '            ')}, \n        got:${indentLines(alertsString(gotAlerts), '            ')}`,
          );
        }
      }
      curr++;
    }
  }

  // PromQL expression tests.
  outer: for (const tc of tg.promqlExprTests) {
    let got: RuleSample[];
    try {
      got = await instantVector(engine, storage.engineView, tc.expr, tc.evalTime);
    } catch (e) {
      errs.push(`    expr: ${goQuoteString(tc.expr)}, time: ${formatDuration(tc.evalTime)}, err: ${(e as Error).message}`);
      continue;
    }
    const exp: { labels: Labels; value: number }[] = [];
    for (const s of tc.expSamples) {
      try {
        exp.push({ labels: parseMetric(s.labels), value: s.value });
      } catch (e) {
        errs.push(`    expr: ${goQuoteString(tc.expr)}, time: ${formatDuration(tc.evalTime)}, err: labels ${goQuoteString(s.labels)}: ${(e as Error).message}`);
        continue outer;
      }
    }
    const gotSamples = got.map((s) => ({ labels: s.labels, value: s.v })).sort((a, b) => compareLabels(a.labels, b.labels));
    exp.sort((a, b) => compareLabels(a.labels, b.labels));
    const equal = exp.length === gotSamples.length && exp.every((e, i) => compareLabels(e.labels, gotSamples[i]!.labels) === 0 && e.value === gotSamples[i]!.value);
    if (!equal) {
      const str = (xs: readonly { labels: Labels; value: number }[]): string => (xs.length === 0 ? 'nil' : xs.map((x) => `${labelsToString(x.labels)} ${goFormatE(x.value)}`).join(', '));
      errs.push(`    expr: ${goQuoteString(tc.expr)}, time: ${formatDuration(tc.evalTime)},\n        exp: ${str(exp)}\n        got: ${str(gotSamples)}`);
    }
  }
  return errs;
}

/** labels.FromMap: sorted, empty values kept (so an expected empty label never matches). */
function fromMapKeepEmpty(m: Readonly<Record<string, string>>): Labels {
  return sortLabels(Object.entries(m).map(([name, value]) => ({ name, value })));
}

function sortAlerts(xs: LabelsAndAnnotations[]): LabelsAndAnnotations[] {
  return xs.sort((a, b) => compareLabels(a.labels, b.labels) || compareLabels(a.annotations, b.annotations));
}

function alertsEqual(a: readonly LabelsAndAnnotations[], b: readonly LabelsAndAnnotations[]): boolean {
  return a.length === b.length && a.every((x, i) => compareLabels(x.labels, b[i]!.labels) === 0 && compareLabels(x.annotations, b[i]!.annotations) === 0);
}

/** Go's %q of a string. */
function goQuoteString(s: string): string {
  return labelsToString([{ name: 'x', value: s }]).slice(3, -1);
}
