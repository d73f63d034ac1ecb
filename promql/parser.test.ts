import { describe, expect, it } from 'vitest';
import type { BinaryExpr, Expr } from './ast.js';
import { typeOf } from './ast.js';
import { ParseError } from './errors.js';
import { INVALID_CASES } from './parser-error-cases.js';
import { VALID_CASES } from './parser-cases.js';
import { parseExpr, parseMetricSelector } from './parser.js';
import { prettify, print } from './printer.js';

function parseError(input: string): ParseError {
  try {
    parseExpr(input);
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(input)} to fail`);
}

/** A compact rendering of the tree's shape: operators and nesting, no positions. */
function shape(e: Expr): string {
  switch (e.kind) {
    case 'NumberLiteral':
      return String(e.val);
    case 'StringLiteral':
      return JSON.stringify(e.val);
    case 'VectorSelector':
      return `VS(${e.name}${e.offset ? ` off=${e.offset}` : ''}${e.timestamp !== null ? ` @${e.timestamp}` : ''}${e.startOrEnd ? ` @${e.startOrEnd}` : ''})`;
    case 'MatrixSelector':
      return `MS(${shape(e.vectorSelector)} ${e.range})`;
    case 'SubqueryExpr':
      return `SQ(${shape(e.expr)} ${e.range}:${e.step}${e.offset ? ` off=${e.offset}` : ''}${e.timestamp !== null ? ` @${e.timestamp}` : ''})`;
    case 'ParenExpr':
      return `P(${shape(e.expr)})`;
    case 'UnaryExpr':
      return `U${e.op}(${shape(e.expr)})`;
    case 'BinaryExpr':
      return `B${e.op}${e.returnBool ? ' bool' : ''}(${shape(e.lhs)}, ${shape(e.rhs)})`;
    case 'AggregateExpr':
      return `A${e.op}${e.without ? ' without' : e.grouping.length ? ' by' : ''}${e.grouping.length ? `[${e.grouping}]` : ''}(${e.param ? shape(e.param) + ', ' : ''}${shape(e.expr)})`;
    case 'Call':
      return `C${e.func.name}(${e.args.map(shape).join(', ')})`;
  }
}

describe('parseExpr on valid input', () => {
  it(`has at least 150 valid cases (${VALID_CASES.length})`, () => {
    expect(VALID_CASES.length).toBeGreaterThanOrEqual(150);
  });
  it.each(VALID_CASES)('%j formats as %j', (input, formatted) => {
    expect(prettify(parseExpr(input))).toBe(formatted);
  });
});

describe('parseExpr on invalid input', () => {
  it(`has at least 80 invalid cases (${INVALID_CASES.length})`, () => {
    expect(INVALID_CASES.length).toBeGreaterThanOrEqual(80);
  });
  it.each(INVALID_CASES)('%j fails with %j', (input, message) => {
    expect(parseError(input).message).toBe(message);
  });
});

describe('tree shapes', () => {
  it.each([
    ['-2^2', 'U-(B^(2, 2))'],
    ['-2 * 3', 'B*(-2, 3)'],
    ['-x^2', 'U-(B^(VS(x), 2))'],
    ['2 ^ 3 ^ 2', 'B^(2, B^(3, 2))'],
    ['1 - 2 - 3', 'B-(B-(1, 2), 3)'],
    ['1 + 2 * 3', 'B+(1, B*(2, 3))'],
    ['a or b and c unless d', 'Bor(VS(a), Bunless(Band(VS(b), VS(c)), VS(d)))'],
    ['a == bool b + 1', 'B== bool(VS(a), B+(VS(b), 1))'],
    ['a > 1 and b', 'Band(B>(VS(a), 1), VS(b))'],
    ['x atan2 y * 2', 'B*(Batan2(VS(x), VS(y)), 2)'],
    ['- - 1', '1'],
    ['+1', '1'],
    ['-(1)', 'U-(P(1))'],
    ['- a * b', 'B*(U-(VS(a)), VS(b))'],
    ['a + b offset 5m', 'B+(VS(a), VS(b off=300000))'],
    ['-a offset 5m', 'U-(VS(a off=300000))'],
    ['foo offset -1h @ 10', 'VS(foo off=-3600000 @10000)'],
    ['foo @ end() offset 1m', 'VS(foo off=60000 @end)'],
    ['foo[5m] offset 1m', 'MS(VS(foo off=60000) 300000)'],
    ['rate(foo[5m])[1h:1m] @ 100 offset 1d', 'SQ(Crate(MS(VS(foo) 300000)) 3600000:60000 off=86400000 @100000)'],
    ['foo[5m:]', 'SQ(VS(foo) 300000:0)'],
    ['sum by (job) (x)', 'Asum by[job](VS(x))'],
    ['sum(x) without (a, b)', 'Asum without[a,b](VS(x))'],
    ['topk(5, x)', 'Atopk(5, VS(x))'],
    ['count_values("v", x)', 'Acount_values("v", VS(x))'],
    ['SUM(x)', 'Asum(VS(x))'],
    ['sum', 'VS(sum)'],
    ['by', 'VS(by)'],
    ['label_join(x, "a", ",", "b", "c")', 'Clabel_join(VS(x), "a", ",", "b", "c")'],
    ['0x1F + 010 + .5 + 1e3', 'B+(B+(B+(31, 8), 0.5), 1000)'],
    ['label_replace(x, "a\\x41\\u00e9\\101", `\\d`, \'"\', "")', 'Clabel_replace(VS(x), "aAéA", "\\\\d", "\\"", "")'],
  ])('%s is %s', (input, want) => {
    expect(shape(parseExpr(input))).toBe(want);
  });

  it('builds vector matching like Prometheus', () => {
    const e = parseExpr('a * on (x, y) group_left (z) b') as BinaryExpr;
    expect(e.vectorMatching).toEqual({ card: 'many-to-one', matchingLabels: ['x', 'y'], on: true, include: ['z'] });
    const s = parseExpr('a and b') as BinaryExpr;
    expect(s.vectorMatching?.card).toBe('many-to-many');
    const scalar = parseExpr('a + 1') as BinaryExpr;
    expect(scalar.vectorMatching).toBeNull();
    expect((parseExpr('a > bool b') as BinaryExpr).returnBool).toBe(true);
  });

  it('puts the metric name matcher last and keeps the written order of the others', () => {
    const e = parseExpr('foo{b="2", a=~"x|y"}');
    if (e.kind !== 'VectorSelector') throw new Error(e.kind);
    expect(e.matchers.map(String)).toEqual(['b="2"', 'a=~"x|y"', '__name__="foo"']);
    expect(e.matchers[1]!.matches('y')).toBe(true);
    expect(e.matchers[1]!.matches('xy')).toBe(false);
  });

  it('accepts RE2 syntax JavaScript lacks', () => {
    const e = parseExpr('x{a=~"(?i)FOO", b=~"[[:digit:]]+", c=~"a{,2}"}');
    if (e.kind !== 'VectorSelector') throw new Error(e.kind);
    expect(e.matchers[0]!.matches('foo')).toBe(true);
    expect(e.matchers[1]!.matches('123')).toBe(true);
    expect(e.matchers[2]!.matches('a{,2}')).toBe(true);
    expect(print(e)).toBe('x{a=~"(?i)FOO",b=~"[[:digit:]]+",c=~"a{,2}"}');
  });

  it('records positions', () => {
    const e = parseExpr('sum(rate(foo{a="b"}[5m] offset 1m)) + -1') as BinaryExpr;
    expect(e.pos).toEqual({ start: 0, end: 40 });
    expect(e.lhs.pos).toEqual({ start: 0, end: 35 });
    expect(e.rhs).toMatchObject({ kind: 'NumberLiteral', val: -1, pos: { start: 38, end: 40 } });
    if (e.lhs.kind !== 'AggregateExpr' || e.lhs.expr.kind !== 'Call') throw new Error('shape');
    expect(e.lhs.expr.pos).toEqual({ start: 4, end: 34 });
    expect(e.lhs.expr.args[0]!.pos).toEqual({ start: 9, end: 33 });
  });

  it('types expressions', () => {
    expect(typeOf(parseExpr('1 + 1'))).toBe('scalar');
    expect(typeOf(parseExpr('1 + x'))).toBe('vector');
    expect(typeOf(parseExpr('x[5m]'))).toBe('matrix');
    expect(typeOf(parseExpr('x[5m:]'))).toBe('matrix');
    expect(typeOf(parseExpr('"s"'))).toBe('string');
    expect(typeOf(parseExpr('scalar(x)'))).toBe('scalar');
    expect(typeOf(parseExpr('-(time())'))).toBe('scalar');
  });
});

describe('ParseError', () => {
  it('carries the position and all collected errors', () => {
    const e = parseError('foo offset 0s offset 1h1h');
    expect(e.message).toBe('1:12: parse error: duration must be greater than 0');
    expect(e.position).toEqual({ start: 11, end: 13 });
    expect(e.errors.map((x) => x.msg)).toEqual(['duration must be greater than 0', 'not a valid duration string: "1h1h"']);
  });

  it('counts columns in bytes and lines after line breaks', () => {
    expect(parseError('"é" + $').message).toBe('1:8: parse error: unexpected character: \'$\'');
    expect(parseError('1 +\n\n  foo{').message).toBe('3:7: parse error: unexpected end of input inside braces');
  });
});

describe('parseMetricSelector', () => {
  it.each([
    ['up', ['__name__="up"']],
    ['{job="a", env!~"dev"}', ['job="a"', 'env!~"dev"']],
    ['sum{a="b"}', ['a="b"', '__name__="sum"']],
    ['{}', []],
  ])('%s', (input, want) => {
    expect(parseMetricSelector(input).map(String)).toEqual(want);
  });

  it.each([
    ['', '1:1: parse error: unexpected end of input'],
    ['up[5m]', '1:3: parse error: unexpected "["'],
    ['rate(x)', '1:5: parse error: unexpected "("'],
    ['1', '1:1: parse error: unexpected number "1"'],
    ['up{a=b}', '1:6: parse error: unexpected identifier "b" in label matching, expected string'],
  ])('refuses %j', (input, message) => {
    expect(() => parseMetricSelector(input)).toThrow(message);
  });
});
