/**
 * Vigil's PromQL parser against a real Prometheus 2.42: every invalid case of the tables must
 * fail in Prometheus's `/api/v1/query` with exactly Vigil's message, every valid case must be
 * accepted by Prometheus, and `/api/v1/format_query` (present since 2.38) must print it exactly
 * as Vigil's `prettify` does. Random expressions and their mutations are compared the same way.
 *
 * `UPDATE_PROMQL_CASES=1 npx vitest run promql/parser-compat.test.ts` re-records the expected
 * answers of both tables (parser-cases.ts, parser-error-cases.ts) from the running Prometheus;
 * to add a case, append its input to either table with any expectation and re-record.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Proc, requireBinaries, startPrometheus } from '../test/harness/process.js';
import { ParseError } from './errors.js';
import { genExpr, mutate, Rng } from './fuzz-gen.js';
import { INVALID_CASES } from './parser-error-cases.js';
import { VALID_CASES } from './parser-cases.js';
import { parseExpr, parseMetricSelector } from './parser.js';
import { prettify } from './printer.js';

const enabled = requireBinaries('prometheus');

interface ApiAnswer {
  status: string;
  errorType?: string;
  error?: string;
  data?: unknown;
}

const PREFIX = 'invalid parameter "query": ';

/** Vigil's answer in the same terms as Prometheus's: `OK <formatted>` or `ERR <message>`. */
function vigil(query: string): string {
  try {
    return 'OK ' + prettify(parseExpr(query));
  } catch (e) {
    if (e instanceof ParseError) return 'ERR ' + e.message;
    throw e;
  }
}

describe.skipIf(!enabled)('PromQL parser against a real Prometheus 2.42', () => {
  let prom: Proc;

  async function api(path: string, query: string): Promise<ApiAnswer> {
    const r = await fetch(`${prom.url}${path}`, { method: 'POST', body: new URLSearchParams({ query, time: '1700000000' }) });
    return (await r.json()) as ApiAnswer;
  }

  /** Prometheus's answer: `OK <format_query output>` or `ERR <parse error>`. */
  async function prometheus(query: string): Promise<string> {
    const f = await api('/api/v1/format_query', query);
    if (f.status === 'success') return `OK ${String(f.data)}`;
    expect(f.errorType).toBe('bad_data');
    expect(f.error?.startsWith(PREFIX)).toBe(true);
    return 'ERR ' + f.error!.slice(PREFIX.length);
  }

  beforeAll(async () => {
    prom = await startPrometheus('global:\n  scrape_interval: 15s\n');
  }, 60_000);

  afterAll(async () => {
    await prom?.stop();
  });

  // Registered only when asked for, so a normal run has nothing skipped.
  if (process.env.UPDATE_PROMQL_CASES === '1') it('re-records the case tables', async () => {
    const valid: string[] = [];
    const invalid: string[] = [];
    for (const query of new Set([...VALID_CASES, ...INVALID_CASES].map(([q]) => q))) {
      const answer = await prometheus(query);
      const row = `  [${JSON.stringify(query)}, ${JSON.stringify(answer.slice(answer.startsWith('OK') ? 3 : 4))}],`;
      (answer.startsWith('OK') ? valid : invalid).push(row);
    }
    for (const [file, rows] of [['parser-cases.ts', valid], ['parser-error-cases.ts', invalid]] as const) {
      const path = new URL(file, import.meta.url);
      const text = readFileSync(path, 'utf8');
      const head = text.slice(0, text.indexOf('= [\n') + 4);
      writeFileSync(path, `${head}${rows.join('\n')}\n];\n`);
    }
  }, 120_000);

  it('serves /api/v1/format_query (added in 2.38)', async () => {
    expect(await api('/api/v1/format_query', 'sum(rate(x[5m]))by(job)')).toEqual({ status: 'success', data: 'sum by (job) (rate(x[5m]))' });
  });

  it.each(INVALID_CASES)('refuses %j with %j', async (query, message) => {
    expect(vigil(query)).toBe(`ERR ${message}`);
    const q = await api('/api/v1/query', query);
    expect(q).toMatchObject({ status: 'error', errorType: 'bad_data' });
    expect(q.error).toBe(PREFIX + message);
  });

  it.each(VALID_CASES)('accepts %j and formats it as %j', async (query, formatted) => {
    expect(vigil(query)).toBe(`OK ${formatted}`);
    // Accepted: evaluated, or failed only while evaluating (e.g. topk(NaN, …)), never bad_data.
    const q = await api('/api/v1/query', query);
    expect(q.status === 'success' || q.errorType === 'execution', JSON.stringify(q)).toBe(true);
    expect(await prometheus(query)).toBe(`OK ${formatted}`);
  });

  it.each([
    'up', 'up{job="a"}', '{__name__=~"x.+", a!="b",}', 'sum{a="b"}', 'a:b{x="y"}', 'up{__name__="x"}', '', 'up[5m]', 'rate(up[5m])', '1',
    'up{a=b}', 'up{a="b" c="d"}', 'up{', '{a=~"("}', 'up offset 5m', '{a="\\q"}',
  ])('parses the series selector %j like ParseMetricSelector', async (selector) => {
    const r = await fetch(`${prom.url}/api/v1/series?${new URLSearchParams({ 'match[]': selector })}`);
    const j = (await r.json()) as ApiAnswer;
    let got = 'OK';
    try {
      parseMetricSelector(selector);
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      got = e.message;
    }
    // Prometheus checks for a non-empty matcher after parsing, with its own message.
    const want = j.status === 'success' || j.error!.endsWith('match[] must contain at least one non-empty matcher') ? 'OK' : j.error!.replace('invalid parameter "match[]": ', '');
    expect(got).toBe(want);
  });

  it('agrees on 2000 random expressions and 2000 corruptions of them', async () => {
    const rng = new Rng(20260101);
    const differ: string[] = [];
    let accepted = 0;
    for (let i = 0; i < 2000; i++) {
      const e = genExpr(rng);
      for (const query of [e, mutate(rng, e)]) {
        const [want, got] = [await prometheus(query), vigil(query)];
        if (want.startsWith('OK')) accepted++;
        if (want !== got) differ.push(`${JSON.stringify(query)}\n  prometheus: ${want}\n  vigil:      ${got}`);
      }
    }
    expect(differ.slice(0, 20).join('\n')).toBe('');
    expect(accepted).toBeGreaterThan(1000);
  }, 120_000);
});
