/**
 * Random PromQL for the parser's property and fuzz tests: well-typed expressions generated
 * from the grammar and the function table, and corruptions of any input (byte flips,
 * truncations, spliced tokens, token soup). Deterministic for a given seed.
 */

import type { ValueType } from './ast.js';
import { AGGREGATIONS, FUNCTIONS } from './functions.js';

/** mulberry32: a small seeded PRNG. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

const METRICS = ['up', 'http_requests_total', 'node:cpu:rate5m', 'x', 'foo_bar', 'sum', 'offset', 'by', 'start', 'and'];
const LABELS = ['job', 'instance', 'le', 'a', 'b', 'code', 'on', 'by'];
const VALUES = ['api', '', 'a|b', '.+', 'é', 'x\\ny', '5..', 'q"uote'];
const DURATIONS = ['1s', '30s', '5m', '1h', '1h30m', '1d', '2w', '1y', '100ms', '90m', '1w2d'];
const NUMBERS = ['0', '1', '2.5', '-1', '1e3', '0x1f', '.5', 'Inf', 'NaN', '100', '1e-7', '0.001'];
const ARITH = ['+', '-', '*', '/', '%', '^', 'atan2'];
const COMPARE = ['==', '!=', '>', '<', '>=', '<='];
const SETOPS = ['and', 'or', 'unless'];

function quote(rng: Rng, v: string): string {
  const escaped = v.replace(/\\(?!n)/g, '\\\\');
  if (rng.chance(0.2) && !v.includes("'")) return `'${escaped}'`;
  if (rng.chance(0.1) && !v.includes('`') && !v.includes('\\')) return '`' + v + '`';
  return `"${escaped.replace(/"/g, '\\"')}"`;
}

function selector(rng: Rng): string {
  const name = rng.chance(0.85) ? rng.pick(METRICS) : '';
  const n = name ? rng.int(3) : 1 + rng.int(2);
  const ms: string[] = [];
  for (let i = 0; i < n; i++) {
    const op = rng.pick(['=', '!=', '=~', '!~']);
    let v = rng.pick(VALUES);
    if (!name && i === 0) v = 'x' + v.replace(/[^a-z]/g, '');
    ms.push(`${rng.pick(LABELS)}${op}${quote(rng, name || i > 0 ? v : v)}`);
  }
  if (!name && ms.length) ms[0] = `job="${rng.pick(['api', 'node'])}"`;
  const braces = ms.length || rng.chance(0.2) ? `{${ms.join(', ')}${rng.chance(0.1) && ms.length ? ',' : ''}}` : '';
  return name + braces;
}

function modifiers(rng: Rng): string {
  let s = '';
  const at = rng.chance(0.15) ? ` @ ${rng.pick(['100', '1609746000.5', 'start()', 'end()', '-5'])}` : '';
  const off = rng.chance(0.2) ? ` offset ${rng.chance(0.3) ? '-' : ''}${rng.pick(DURATIONS)}` : '';
  s = rng.chance(0.5) ? at + off : off + at;
  return s;
}

function grouping(rng: Rng): string {
  const n = rng.int(3);
  const ls: string[] = [];
  for (let i = 0; i < n; i++) ls.push(rng.pick(LABELS));
  return `(${ls.join(', ')})`;
}

/** A random well-typed expression of the given type. */
export function genExpr(rng: Rng, want: ValueType = 'vector', depth = 0): string {
  const leaf = depth > 3 || rng.chance(0.25 + depth * 0.1);
  switch (want) {
    case 'string':
      return quote(rng, rng.pick(VALUES));
    case 'matrix':
      if (leaf || rng.chance(0.7)) return `${selector(rng)}[${rng.pick(DURATIONS)}]${modifiers(rng)}`;
      return `${genExpr(rng, 'vector', depth + 1)}[${rng.pick(DURATIONS)}:${rng.chance(0.5) ? rng.pick(DURATIONS) : ''}]${modifiers(rng)}`;
    case 'scalar': {
      if (leaf) return rng.pick(NUMBERS);
      const k = rng.int(5);
      if (k === 0) return `scalar(${genExpr(rng, 'vector', depth + 1)})`;
      if (k === 1) return rng.pick(['time()', 'pi()']);
      if (k === 2) return `(${genExpr(rng, 'scalar', depth + 1)})`;
      if (k === 3) return `-${genExpr(rng, 'scalar', depth + 1)}`;
      const op = rng.chance(0.7) ? rng.pick(ARITH) : `${rng.pick(COMPARE)} bool`;
      return `${genExpr(rng, 'scalar', depth + 1)} ${op} ${genExpr(rng, 'scalar', depth + 1)}`;
    }
    case 'vector': {
      if (leaf) return selector(rng) + modifiers(rng);
      const k = rng.int(7);
      if (k === 0) {
        const fns = [...FUNCTIONS.values()].filter((f) => f.returnType === 'vector');
        const f = rng.pick(fns);
        let n = f.argTypes.length;
        if (f.variadic > 0 && rng.chance(0.5)) n -= 1;
        if (f.variadic < 0) n += rng.int(3);
        const args: string[] = [];
        for (let i = 0; i < n; i++) args.push(genExpr(rng, f.argTypes[Math.min(i, f.argTypes.length - 1)]!, depth + 1));
        return `${f.name}(${args.join(', ')})`;
      }
      if (k === 1) {
        const a = rng.pick([...AGGREGATIONS.values()]);
        const param = a.paramType ? `${genExpr(rng, a.paramType, depth + 1)}, ` : '';
        const body = `(${param}${genExpr(rng, 'vector', depth + 1)})`;
        const mod = rng.chance(0.6) ? ` ${rng.pick(['by', 'without'])} ${grouping(rng)} ` : '';
        return rng.chance(0.5) ? `${a.op}${mod}${body}` : `${a.op}${body}${mod}`;
      }
      if (k === 2) {
        const kind = rng.int(3);
        const op = kind === 0 ? rng.pick(ARITH) : kind === 1 ? rng.pick(COMPARE) + (rng.chance(0.3) ? ' bool' : '') : rng.pick(SETOPS);
        let matching = '';
        if (rng.chance(0.4)) {
          matching = ` ${rng.pick(['on', 'ignoring'])}${grouping(rng)}`;
          if (kind !== 2 && rng.chance(0.4)) matching += ` ${rng.pick(['group_left', 'group_right'])}${rng.chance(0.5) ? grouping(rng) : ''}`;
        }
        return `${genExpr(rng, 'vector', depth + 1)} ${op}${matching} ${genExpr(rng, 'vector', depth + 1)}`;
      }
      if (k === 3) return `${genExpr(rng, 'vector', depth + 1)} ${rng.pick(ARITH)} ${genExpr(rng, 'scalar', depth + 1)}`;
      if (k === 4) return `(${genExpr(rng, 'vector', depth + 1)})`;
      if (k === 5) return `${rng.pick(['-', '+'])}${genExpr(rng, 'vector', depth + 1)}`;
      return `${rng.pick(['min_over_time', 'rate', 'absent_over_time'])}(${genExpr(rng, 'matrix', depth + 1)})`;
    }
  }
}

const SOUP = [
  'sum', 'rate', '(', ')', '{', '}', '[', ']', ',', ':', '5m', '1', '"a"', "'b'", '`c`', 'x', 'job', '=', '=~', '!=', '!~', '+', '-', '*', '/',
  '^', '%', '==', '>', 'bool', 'on', 'ignoring', 'group_left', 'by', 'without', 'offset', '@', 'start()', 'and', 'or', 'unless', 'atan2',
  '#c\n', '\n', ' ', 'topk', 'count_values', 'Inf', '0x1', '.', '!', '$', 'é',
];

/** A corrupted copy of `input` or a token soup. */
export function mutate(rng: Rng, input: string): string {
  const k = rng.int(6);
  if (k === 0 || input.length === 0) {
    const n = 1 + rng.int(12);
    let s = '';
    for (let i = 0; i < n; i++) s += rng.pick(SOUP) + (rng.chance(0.5) ? ' ' : '');
    return s;
  }
  const i = rng.int(input.length + 1);
  if (k === 1) return input.slice(0, i);
  if (k === 2) return input.slice(0, i) + String.fromCharCode(32 + rng.int(95)) + input.slice(i + 1);
  if (k === 3) return input.slice(0, i) + rng.pick(SOUP) + input.slice(i);
  if (k === 4) return input.slice(0, i) + input.slice(i + 1 + rng.int(5));
  const j = rng.int(input.length + 1);
  return input.slice(0, Math.min(i, j)) + input.slice(Math.max(i, j)) + input.slice(Math.min(i, j), Math.max(i, j));
}
