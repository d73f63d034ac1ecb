/**
 * Fuzzing the parser: for thousands of corrupted and random inputs it must return a tree or
 * throw ParseError — never another exception, never hang — and anything it accepts must print.
 */

import { describe, expect, it } from 'vitest';
import { ParseError } from './errors.js';
import { genExpr, mutate, Rng } from './fuzz-gen.js';
import { INVALID_CASES } from './parser-error-cases.js';
import { VALID_CASES } from './parser-cases.js';
import { parseExpr, parseMetricSelector } from './parser.js';
import { prettify, print } from './printer.js';

/** A bound that only a hang (exponential backtracking, a loop) can reach; not a speed target — these machines are noisy. */
const PER_INPUT_MS = 10_000;

function survive(input: string): void {
  const t0 = performance.now();
  try {
    const e = parseExpr(input);
    print(e);
    prettify(e);
  } catch (e) {
    if (!(e instanceof ParseError)) throw new Error(`${JSON.stringify(input)} threw ${String(e)}`);
    expect(e.message).toMatch(/^(\d+:\d+|invalid position): parse error: /);
  }
  try {
    parseMetricSelector(input);
  } catch (e) {
    if (!(e instanceof ParseError)) throw new Error(`${JSON.stringify(input)} (selector) threw ${String(e)}`);
  }
  const ms = performance.now() - t0;
  if (ms > PER_INPUT_MS) throw new Error(`${JSON.stringify(input)} took ${ms.toFixed(0)} ms`);
}

describe('parser fuzz', () => {
  const seeds = [...VALID_CASES.map(([q]) => q), ...INVALID_CASES.map(([q]) => q)];

  it('survives 10000 mutations of the table cases', () => {
    const rng = new Rng(7);
    for (let i = 0; i < 10_000; i++) {
      let input = rng.pick(seeds);
      const rounds = 1 + rng.int(3);
      for (let r = 0; r < rounds; r++) input = mutate(rng, input);
      survive(input);
    }
  });

  it('survives 5000 mutations of random expressions', () => {
    const rng = new Rng(99);
    for (let i = 0; i < 5000; i++) survive(mutate(rng, genExpr(rng)));
  });

  it('survives random bytes and control characters', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 3000; i++) {
      let s = '';
      const n = rng.int(40);
      for (let j = 0; j < n; j++) s += String.fromCharCode(rng.chance(0.9) ? 32 + rng.int(95) : rng.int(0x3000));
      survive(s);
    }
  });

  it('survives pathological nesting and length', () => {
    survive('('.repeat(5000) + '1' + ')'.repeat(5000));
    survive('-'.repeat(5000) + '1');
    survive('sum(' .repeat(3000) + 'x' + ')'.repeat(3000));
    survive('x' + ' + x'.repeat(20000));
    survive('2' + ' ^ 2'.repeat(5000));
    survive('{' + 'a="b",'.repeat(5000) + '}');
    survive('"' + 'a'.repeat(100000) + '"');
  });
});
