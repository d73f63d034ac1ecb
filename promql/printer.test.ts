import { describe, expect, it } from 'vitest';
import type { Expr } from './ast.js';
import { assertNever, children } from './ast.js';
import { formatDuration, parseDuration } from './duration.js';
import { genExpr, Rng } from './fuzz-gen.js';
import { goFormatFloat } from './literals.js';
import { VALID_CASES } from './parser-cases.js';
import { parseExpr } from './parser.js';
import { ParseError } from './errors.js';
import { prettify, print } from './printer.js';
import { goQuote } from './quote.js';

/** The tree without positions, matchers as sorted strings: what a round trip must keep. */
function strip(e: Expr): unknown {
  switch (e.kind) {
    case 'NumberLiteral':
      return { k: e.kind, v: Number.isNaN(e.val) ? 'NaN' : Object.is(e.val, -0) ? '-0' : e.val };
    case 'StringLiteral':
      return { k: e.kind, v: e.val };
    case 'VectorSelector':
      return { k: e.kind, name: e.name, m: e.matchers.map(String).sort(), o: e.offset, t: e.timestamp, se: e.startOrEnd };
    case 'MatrixSelector':
      return { k: e.kind, vs: strip(e.vectorSelector), r: e.range };
    case 'SubqueryExpr':
      return { k: e.kind, e: strip(e.expr), r: e.range, s: e.step, o: e.offset, t: e.timestamp, se: e.startOrEnd };
    case 'ParenExpr':
      return { k: e.kind, e: strip(e.expr) };
    case 'UnaryExpr':
      // Go prints +Inf as "+Inf", so `Inf ^ x` comes back as `+(Inf ^ x)`: a no-op unary plus.
      return e.op === '+' ? strip(e.expr) : { k: e.kind, op: e.op, e: strip(e.expr) };
    case 'BinaryExpr':
      return { k: e.kind, op: e.op, b: e.returnBool, vm: e.vectorMatching, l: strip(e.lhs), r: strip(e.rhs) };
    case 'AggregateExpr':
      return { k: e.kind, op: e.op, g: e.grouping, w: e.without, p: e.param ? strip(e.param) : null, e: strip(e.expr) };
    case 'Call':
      return { k: e.kind, f: e.func.name, a: e.args.map(strip) };
    default:
      return assertNever(e);
  }
}

/**
 * Prometheus's printer drops `ignoring () group_left (…)` (no matching labels, not `on`), so
 * such trees cannot round-trip; Vigil prints them the same way on purpose.
 */
function lossy(e: Expr): boolean {
  if (e.kind === 'BinaryExpr') {
    const vm = e.vectorMatching;
    if (vm && !vm.on && vm.matchingLabels.length === 0 && vm.card !== 'one-to-one' && vm.card !== 'many-to-many') return true;
    return lossy(e.lhs) || lossy(e.rhs);
  }
  return children(e).some(lossy);
}

function expectRoundTrip(input: string): void {
  const tree = parseExpr(input);
  if (lossy(tree)) return;
  const printed = print(tree);
  expect(strip(parseExpr(printed)), `print: ${printed}`).toEqual(strip(tree));
  const pretty = prettify(tree);
  expect(strip(parseExpr(pretty)), `prettify: ${pretty}`).toEqual(strip(tree));
}

describe('round trip parse(print(parse(x))) = parse(x)', () => {
  it.each(VALID_CASES.map(([input]) => input))('%j', (input) => {
    expectRoundTrip(input);
  });

  it('holds for 3000 random well-typed expressions', () => {
    const rng = new Rng(42);
    let parsed = 0;
    for (let i = 0; i < 3000; i++) {
      const input = genExpr(rng);
      try {
        parseExpr(input);
      } catch (e) {
        // The generator is not type-perfect (e.g. `bool` between vectors is fine, but a
        // set operator on a scalar side is not); skip what Prometheus would refuse too.
        if (e instanceof ParseError) continue;
        throw e;
      }
      parsed++;
      expectRoundTrip(input);
    }
    expect(parsed).toBeGreaterThan(2000);
  });
});

describe('formatting helpers', () => {
  it.each([
    [1, '1'], [-1, '-1'], [0.5, '0.5'], [1e6, '1e+06'], [123456789, '1.23456789e+08'], [999999, '999999'], [0.0001, '0.0001'],
    [0.00001, '1e-05'], [1e21, '1e+21'], [1.5e-300, '1.5e-300'], [Infinity, '+Inf'], [-Infinity, '-Inf'], [NaN, 'NaN'], [-0, '-0'], [31, '31'],
  ])('float %d is %s', (v, s) => {
    expect(goFormatFloat(v)).toBe(s);
  });

  it.each([
    ['5m', 300_000, '5m'], ['90m', 5_400_000, '1h30m'], ['1y', 31_536_000_000, '1y'], ['1y1w', 32_140_800_000, '372d'], ['2w', 1_209_600_000, '2w'],
    ['14d', 1_209_600_000, '2w'], ['1500ms', 1500, '1s500ms'], ['1d1h', 90_000_000, '1d1h'], ['3600s', 3_600_000, '1h'],
  ])('duration %s', (text, ms, printed) => {
    expect(parseDuration(text)).toBe(ms);
    expect(formatDuration(ms)).toBe(printed);
  });

  it.each(['1h1h', '1ms1s', '1.5m', '5', 'm'])('refuses duration %s', (text) => {
    expect(() => parseDuration(text)).toThrow('not a valid duration string');
  });

  it('refuses durations beyond int64 nanoseconds', () => {
    expect(() => parseDuration('300000000y')).toThrow('duration out of range');
  });

  it.each([
    ['plain', '"plain"'], ['a"b', '"a\\"b"'], ['back\\slash', '"back\\\\slash"'], ['tab\tnl\n', '"tab\\tnl\\n"'], ['\x1b\x7f', '"\\x1b\\x7f"'],
    ['é日本😀', '"é日本😀"'], ['\u200b', '"\\u200b"'], ['\u00a0', '"\\u00a0"'],
  ])('Go-quotes %j as %s', (s, q) => {
    expect(goQuote(s)).toBe(q);
  });

  it('splits long expressions like format_query', () => {
    const long = 'sum by (job) (rate(a_very_long_metric_name_for_testing_the_pretty_printer_total{job="some-job"}[5m])) > 100';
    expect(prettify(parseExpr(long))).toBe(
      '  sum by (job) (\n    rate(a_very_long_metric_name_for_testing_the_pretty_printer_total{job="some-job"}[5m])\n  )\n>\n  100',
    );
  });
});
