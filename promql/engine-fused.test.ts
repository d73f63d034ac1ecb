import { describe, expect, it } from 'vitest';
import { Engine } from './engine.js';
import { MemoryQueryable } from './testing.js';

/**
 * An aggregation over a range function or a selector is folded as its input runs
 * (engine-fused.ts). `* 1` keeps every value bit for bit (NaN, ±Inf, -0) but is not a range
 * function, and `x or x` is the selector's vector, labels and all, but not a selector, so the same
 * query with them takes the ordinary path: both must answer the same, order and all.
 */
function data(): MemoryQueryable {
  let seed = 7;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const q = new MemoryQueryable();
  const specials = [NaN, Infinity, -Infinity, -0, 1e308, -1e308];
  for (let i = 0; i < 40; i++) {
    const samples: [number, number][] = [];
    let c = 0;
    for (let t = 0; t <= 1800_000; t += 15_000) {
      if (rnd() < 0.15) continue; // gaps, so groups come and go at some steps
      const r = rnd();
      c = r < 0.03 ? 0 : c + Math.floor(rnd() * 10);
      samples.push([t, i % 7 === 3 && r > 0.97 ? specials[Math.floor(rnd() * specials.length)]! : c]);
    }
    // Series are created in an order unrelated to their labels.
    q.add({ __name__: 'x', g: `g${(i * 7) % 5}`, h: `h${i % 3}`, i: String(39 - i) }, samples);
  }
  return q;
}

const engine = new Engine({ lookbackDeltaMs: 300_000, maxSamples: 50_000_000, timeoutMs: 30_000 });
const OPS = ['sum', 'avg', 'count', 'min', 'max', 'group', 'topk(3,', 'bottomk(2,', 'topk(1,', 'topk(2.7,'];
const FNS = ['x', 'x offset 2m', 'rate(x[2m])', 'increase(x[5m])', 'max_over_time(x[1m])', 'last_over_time(x[1m])', 'stddev_over_time(x[3m])', 'quantile_over_time(0.3, x[4m])', 'deriv(x[5m])', 'rate(x[5m:30s])'];
const GROUPINGS = ['', ' by (g)', ' by (g, h)', ' without (i)', ' by (__name__)'];

const text = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : Object.is(x, -0) ? '-0' : x));

describe('aggregations folded over range functions', () => {
  const q = data();
  it('answer as the ordinary path does, range and instant, every operator and grouping', async () => {
    let compared = 0;
    for (const op of OPS) {
      for (const fn of FNS) {
        for (const by of GROUPINGS) {
          const [name, param] = op.endsWith(',') ? [op.slice(0, op.indexOf('(')), op.slice(op.indexOf('(') + 1)] : [op, ''];
          const fused = `${name}${by} (${param} ${fn})`;
          const plain = fn.startsWith('x') ? `${name}${by} (${param} (${fn} or ${fn}))` : `${name}${by} (${param} ${fn} * 1)`;
          // `* 1` drops the name that last_over_time keeps (and topk/bottomk answer their input's labels).
          if (fn.startsWith('last_over_time') && (by === ' by (__name__)' || param !== '')) continue;
          const a = await engine.rangeQuery(q, fused, 60_000, 1800_000, 45_000);
          const b = await engine.rangeQuery(q, plain, 60_000, 1800_000, 45_000);
          expect(text(a.value), fused).toBe(text(b.value));
          for (const t of [300_000, 915_000]) {
            const x = await engine.instantQuery(q, fused, t);
            const y = await engine.instantQuery(q, plain, t);
            expect(text(x.value), `${fused} @ ${t}`).toBe(text(y.value));
          }
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(300);
  });

  it('keeps the sample limit as the ordinary path counts it', async () => {
    const tight = new Engine({ lookbackDeltaMs: 300_000, maxSamples: 400, timeoutMs: 30_000 });
    const pairs = [
      ['sum by (g) (rate(x[2m]))', 'sum by (g) (rate(x[2m]) * 1)'],
      ['avg(max_over_time(x[1m]))', 'avg(max_over_time(x[1m]) * 1)'],
      ['count(x)', 'count(x * 1)'],
    ];
    for (const [query, plain] of pairs) {
      const a = await tight.rangeQuery(q, query!, 60_000, 1800_000, 45_000).then(() => 'ok', (e: Error) => e.message);
      const b = await tight.rangeQuery(q, plain!, 60_000, 1800_000, 45_000).then(() => 'ok', (e: Error) => e.message);
      expect(a).toBe(b);
      expect(a).toMatch(/too many samples/);
    }
  });
});
