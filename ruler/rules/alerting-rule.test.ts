import { describe, expect, it } from 'vitest';
import { parseExpr } from '../../promql/parser.js';
import { labelsFromRecord, labelsToRecord } from '../../tsdb/labels.js';
import { goQueryEscape, tableLinkForExpression } from '../links.js';
import { AlertingRule, RESOLVED_RETENTION_MS } from './alerting-rule.js';
import { testContext } from './testing.js';

const M = 60_000;

function rule(expr: string, holdMs: number, keepMs = 0): AlertingRule {
  const r = new AlertingRule('HighValue', parseExpr(expr), expr, labelsFromRecord({ severity: 'page', who: '{{ $labels.instance }}' }), labelsFromRecord({ summary: 'value {{ $value }} on {{ $labels.instance }}' }), holdMs, keepMs);
  r.restored = true;
  return r;
}

describe('AlertingRule', () => {
  it('goes pending, then firing after for, then resolved, writing ALERTS and ALERTS_FOR_STATE', async () => {
    const { ctx, storage } = testContext();
    const vals = [1, 5, 5, 5, 1, 1];
    vals.forEach((v, i) => storage.append(labelsFromRecord({ __name__: 'x', instance: 'a' }), i * M, v));
    const r = rule('x > 3', 2 * M);
    const states: string[] = [];
    const out: string[][] = [];
    for (let i = 0; i < vals.length; i++) {
      const samples = await r.eval(i * M, ctx, 0);
      states.push(r.state());
      out.push(samples.map((s) => `${JSON.stringify(labelsToRecord(s.labels))}=${s.v}`));
    }
    expect(states).toEqual(['inactive', 'pending', 'pending', 'firing', 'inactive', 'inactive']);
    expect(out[1]).toEqual([
      '{"__name__":"ALERTS","alertname":"HighValue","alertstate":"pending","instance":"a","severity":"page","who":"a"}=1',
      '{"__name__":"ALERTS_FOR_STATE","alertname":"HighValue","instance":"a","severity":"page","who":"a"}=60',
    ]);
    expect(out[3]![0]).toContain('"alertstate":"firing"');
    expect(out[4]).toEqual([]);
    // The resolved instance is kept (for re-sending) but not listed as active.
    expect(r.active.size).toBe(1);
    expect(r.activeAlerts()).toEqual([]);
    const a = [...r.active.values()][0]!;
    expect(a.resolvedAt).toBe(4 * M);
    expect(labelsToRecord(a.annotations)).toEqual({ summary: 'value 5 on a' });
  });

  it('drops a pending instance at once when the condition clears', async () => {
    const { ctx, storage } = testContext();
    [5, 1].forEach((v, i) => storage.append(labelsFromRecord({ __name__: 'x', instance: 'a' }), i * M, v));
    const r = rule('x > 3', 5 * M);
    await r.eval(0, ctx, 0);
    expect(r.state()).toBe('pending');
    await r.eval(M, ctx, 0);
    expect(r.active.size).toBe(0);
  });

  it('keeps firing for keep_firing_for after the condition clears', async () => {
    const { ctx, storage } = testContext();
    [5, 5, 1, 1, 1, 1].forEach((v, i) => storage.append(labelsFromRecord({ __name__: 'x', instance: 'a' }), i * M, v));
    const r = rule('x > 3', 0, 2 * M);
    const states: string[] = [];
    for (let i = 0; i < 6; i++) {
      await r.eval(i * M, ctx, 0);
      states.push(r.state());
    }
    expect(states).toEqual(['firing', 'firing', 'firing', 'firing', 'inactive', 'inactive']);
  });

  it('forgets a resolved instance after 15 minutes', async () => {
    const { ctx, storage } = testContext();
    storage.append(labelsFromRecord({ __name__: 'x', instance: 'a' }), 0, 5);
    storage.append(labelsFromRecord({ __name__: 'x', instance: 'a' }), M, 1);
    const r = rule('x > 3', 0);
    await r.eval(0, ctx, 0);
    await r.eval(M, ctx, 0);
    expect(r.active.size).toBe(1);
    await r.eval(M + RESOLVED_RETENTION_MS, ctx, 0);
    expect(r.active.size).toBe(1);
    await r.eval(M + RESOLVED_RETENTION_MS + 1, ctx, 0);
    expect(r.active.size).toBe(0);
  });

  it('refuses two instances with one label set, and more alerts than the limit', async () => {
    const { ctx, storage } = testContext();
    storage.append(labelsFromRecord({ __name__: 'x', instance: 'a' }), 0, 5);
    storage.append(labelsFromRecord({ __name__: 'y', instance: 'a' }), 0, 5);
    const dup = rule('{instance="a"}', 0);
    await expect(dup.eval(0, ctx, 0)).rejects.toThrow('vector contains metrics with the same labelset after applying alert labels');
    storage.append(labelsFromRecord({ __name__: 'x', instance: 'b' }), 0, 5);
    const lim = rule('x > 3', 0);
    await expect(lim.eval(0, ctx, 1)).rejects.toThrow('exceeded limit of 1 with 2 alerts');
    expect(lim.active.size).toBe(0);
  });

  it('writes no ALERTS series until restored', async () => {
    const { ctx, storage } = testContext();
    storage.append(labelsFromRecord({ __name__: 'x', instance: 'a' }), 0, 5);
    const r = rule('x > 3', 0);
    r.restored = false;
    expect(await r.eval(0, ctx, 0)).toEqual([]);
    expect(r.state()).toBe('firing');
  });

  it('sends firing alerts with endsAt 4 resend periods ahead, re-sends after the resend delay, and sends the resolution', async () => {
    const { ctx, storage } = testContext();
    [5, 5, 5, 1].forEach((v, i) => storage.append(labelsFromRecord({ __name__: 'x', instance: 'a' }), i * M, v));
    const r = rule('x > 3', 0);
    const sent: { t: number; startsAt: number; endsAt: number; url: string }[] = [];
    const notify = (_e: string, as: readonly { startsAt: number; endsAt: number; generatorURL: string }[]): void => {
      for (const a of as) sent.push({ t: -1, startsAt: a.startsAt, endsAt: a.endsAt, url: a.generatorURL });
    };
    for (const t of [0, 30_000, 61_000, 3 * M]) {
      storage.append(labelsFromRecord({ __name__: 'y' }), t, 0);
      await r.eval(t, ctx, 0);
      r.sendAlerts(t, 60_000, 30_000, 'http://v', notify);
    }
    expect(sent).toEqual([
      { t: -1, startsAt: 0, endsAt: 4 * 60_000, url: 'http://v/graph?g0.expr=x+%3E+3&g0.tab=1' },
      { t: -1, startsAt: 0, endsAt: 61_000 + 4 * 60_000, url: 'http://v/graph?g0.expr=x+%3E+3&g0.tab=1' },
      { t: -1, startsAt: 0, endsAt: 3 * M, url: 'http://v/graph?g0.expr=x+%3E+3&g0.tab=1' },
    ]);
  });

  it('escapes generator URLs as Go url.QueryEscape does', () => {
    expect(goQueryEscape("a b+c/é~!*'()")).toBe('a+b%2Bc%2F%C3%A9~%21%2A%27%28%29');
    expect(tableLinkForExpression('up == 0')).toBe('/graph?g0.expr=up+%3D%3D+0&g0.tab=1');
  });
});
