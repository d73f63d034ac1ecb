/**
 * Randomised differential test: rule files generated from a fixed seed (mostly valid values,
 * some wrong ones: bad durations, names, expressions, types, unknown fields, anchors) are
 * checked by `promtool check rules` and by checkRules, and must give the same exit code, stdout
 * and stderr. Stderr lines are compared as sorted sets, since Prometheus reports the labels of
 * one rule in Go's random map order.
 */

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireBinaries } from '../test/harness/process.js';
import { checkRules } from './check-rules.js';

const FILES = 150;

/** mulberry32: a small seeded generator, so every run checks the same files. */
function generator(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

const ODD_VALUES = ['', '~', '5', '1.5', '"x"', '[a]', '{a: b}', 'true', '1h', '0', '-1', 'up', 'sum(', "'q'", '0x1f', '2001-01-01', '5m', '"1.5h"', 'a-b', 'job:x', '__name__', '"é"', '"multi\\nline"', '!!str 5', '&anc up', '*anc', '"a very long value here"'];
const GOOD_VALUES: Readonly<Record<string, readonly string[]>> = {
  record: ['job:x', 'a_b', 'x', 'a-b', '"1x"'],
  alert: ['A', 'B', 'HighCPU', '"é"'],
  expr: ['up', 'sum(up)', 'rate(x[5m]) > 1', 'sum(', 'rate(x)', '"foo{"'],
  for: ['5m', '1h30m', '0', '2d', '1.5h'],
  keep_firing_for: ['1m', '0s'],
  interval: ['30s', '1m', '0'],
  limit: ['0', '5', '10'],
  name: ['g', 'h', 'g', '""'],
};
const MAP_KEYS = ['severity', 'team', 'summary', 'x_1'];
const ODD_KEYS = ['bad-key', '__name__', '0x', 'a', '"quoted"', '5', '_x'];
const RULE_FIELDS = ['record', 'alert', 'alert', 'expr', 'expr', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations', 'bogus'];
const GROUP_FIELDS = ['name', 'interval', 'limit', 'rules', 'extra'];

function ruleFile(rnd: (n: number) => number): string {
  const pick = <T>(a: readonly T[]): T => a[rnd(a.length)]!;
  const value = (field: string): string => {
    const good = GOOD_VALUES[field];
    return good && rnd(8) !== 0 ? pick(good) : pick(ODD_VALUES);
  };
  const map = (indent: string): string => {
    const n = rnd(3);
    let s = '';
    for (let i = 0; i < n; i++) s += `\n${indent}${rnd(6) ? pick(MAP_KEYS) : pick(ODD_KEYS)}: ${rnd(6) ? pick(['page', '"{{ $value }}"', 'a b']) : pick(ODD_VALUES)}`;
    return n === 0 ? ' {}' : s;
  };
  const rule = (): string => {
    const fields = [...new Set(RULE_FIELDS.filter(() => rnd(2) !== 0))].filter((f) => f !== 'bogus' || rnd(6) === 0);
    if (fields.length === 0) return '    - ~\n';
    return fields
      .map((f, i) => {
        const v = f === 'labels' || f === 'annotations' ? (rnd(5) ? map('          ') : ` ${pick(ODD_VALUES)}`) : ` ${value(f)}`;
        return `${i === 0 ? '    - ' : '      '}${f}:${v}\n`;
      })
      .join('');
  };
  let s = 'groups:\n';
  const groups = 1 + rnd(3);
  for (let g = 0; g < groups; g++) {
    const fields = GROUP_FIELDS.filter((f) => rnd(4) !== 0 && (f !== 'extra' || rnd(6) === 0));
    if (fields.length === 0) s += '- {}\n';
    fields.forEach((f, i) => {
      const p = i === 0 ? '- ' : '  ';
      if (f === 'rules') {
        const n = rnd(4);
        s += `${p}rules:${n === 0 ? ' []' : ''}\n`;
        for (let r = 0; r < n; r++) s += rule();
      } else {
        s += `${p}${f}: ${value(f)}\n`;
      }
    });
  }
  return s;
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function promtool(file: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile('promtool', ['check', 'rules', file], { encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

async function vigil(file: string): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await checkRules([file], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

const sortedLines = (r: Run): Run => ({ ...r, stderr: r.stderr.split('\n').sort().join('\n') });

const have = requireBinaries('promtool');
const dir = mkdtempSync(join(tmpdir(), 'vigil-check-rules-random-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!have)('check rules matches promtool 2.42 on generated files', () => {
  it(`${FILES} generated files`, async () => {
    const rnd = generator(20230131);
    const verdicts = new Set<number>();
    for (let i = 0; i < FILES; i++) {
      const content = ruleFile(rnd);
      const file = join(dir, `r${i}.yml`);
      writeFileSync(file, content);
      const want = await promtool(file);
      const got = await vigil(file);
      verdicts.add(want.code);
      expect(sortedLines(got), content).toEqual(sortedLines(want));
    }
    // The generator must produce both valid and invalid files.
    expect([...verdicts].sort()).toEqual([0, 1]);
  }, 120_000);
});
