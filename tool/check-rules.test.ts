/**
 * Differential test: each rule file of check-rules-cases.ts is checked by the real
 * `promtool check rules` (Prometheus 2.42) and by Vigil's checkRules; verdict, exit code,
 * stdout and stderr must be identical (the file path is the same for both).
 */

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireBinaries } from '../test/harness/process.js';
import { RULE_FILE_CASES } from './check-rules-cases.js';
import { checkRules } from './check-rules.js';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function promtool(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile('promtool', args, { encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

type CheckTemplate = (name: string, text: string) => string | null;

async function vigil(files: string[], lint = true, checkTemplate?: CheckTemplate, lintFatal = false): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io = { stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t) };
  const code = await checkRules(files, io, { lintDuplicates: lint, lintFatal, ...(checkTemplate ? { checkTemplate } : {}) });
  return { code, stdout, stderr };
}

const have = requireBinaries('promtool');
const dir = mkdtempSync(join(tmpdir(), 'vigil-check-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!have)('check rules matches promtool 2.42', () => {
  it('has enough cases', () => {
    expect(RULE_FILE_CASES.length).toBeGreaterThanOrEqual(30);
  });

  for (const c of RULE_FILE_CASES) {
    it(c.name, async () => {
      const file = join(dir, `${c.name}.yml`);
      writeFileSync(file, c.content);
      const [want, got] = await Promise.all([promtool(['check', 'rules', file]), vigil([file])]);
      expect(got).toEqual(want);
    });
  }

  it('template errors, with a stub standing in for the template parser', async () => {
    const file = join(dir, 'template.yml');
    writeFileSync(file, 'groups:\n- name: g\n  rules:\n  - alert: x\n    expr: up\n    labels:\n      l: "{{ .Foo"\n    annotations:\n      a: "ok {{ $value }}"\n  - record: r\n    expr: up\n    labels:\n      l: "{{ .Foo"\n');
    const stub: CheckTemplate = (name, text) => (text.endsWith('{{ .Foo') ? `template: ${name}:1: unclosed action` : null);
    expect(await vigil([file], true, stub)).toEqual(await promtool(['check', 'rules', file]));
  });

  it('--lint-fatal exits 3 on lint findings alone', async () => {
    const file = join(dir, 'lint-fatal.yml');
    writeFileSync(file, RULE_FILE_CASES.find((c) => c.name === 'duplicate-rules-lint')!.content);
    const want = await promtool(['check', 'rules', '--lint-fatal', file]);
    expect(want.code).toBe(3);
    expect(await vigil([file], true, undefined, true)).toEqual(want);
  });

  it('several files in one run, and --lint=none', async () => {
    const files = ['recording-and-alerting', 'bad-expr', 'duplicate-rules-lint'].map((n) => {
      const f = join(dir, `multi-${n}.yml`);
      writeFileSync(f, RULE_FILE_CASES.find((c) => c.name === n)!.content);
      return f;
    });
    expect(await vigil(files)).toEqual(await promtool(['check', 'rules', ...files]));
    expect(await vigil(files, false)).toEqual(await promtool(['check', 'rules', '--lint=none', ...files]));
  });
});
