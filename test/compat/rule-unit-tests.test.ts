/**
 * The same verdict from `promtool test rules` (Prometheus 2.42) and `vigil-tool test rules` on
 * every unit-test file of the rule library (examples/rules) and of test/compat/rules: same exit
 * code and the same report, byte for byte (where promtool fails a file on purpose, Vigil fails
 * it with the same reason). A file's expected verdict is in its name (`fail-…` fails on purpose;
 * examples pass), so the suite also fails if promtool itself changes.
 */

import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { requireBinaries } from '../harness/process.js';

const enabled = requireBinaries('promtool');
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIRS = [join(ROOT, 'examples', 'rules'), join(ROOT, 'test', 'compat', 'rules')];
const files = DIRS.flatMap((d) => {
  try {
    return readdirSync(d)
      .filter((f) => f.endsWith('.test.yaml'))
      .sort()
      .map((f) => ({ dir: d, file: f }));
  } catch {
    return [];
  }
});

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

async function run(cmd: string, args: readonly string[], cwd: string): Promise<Run> {
  return promisify(execFile)(cmd, [...args], { cwd }).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );
}

describe.runIf(enabled)('rule unit tests: promtool test rules vs vigil-tool test rules', () => {
  it('has files to compare', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  it.each(files)('$file', async ({ dir, file }) => {
    const prom = await run('promtool', ['test', 'rules', file], dir);
    const vigil = await run(process.execPath, [join(ROOT, 'dist', 'cmd', 'vigil-tool.js'), 'test', 'rules', file], dir);
    expect(prom.code, `promtool's verdict on ${file}:\n${prom.err}`).toBe(file.startsWith('fail-') ? 1 : 0);
    expect(vigil.err.split('\n')).toEqual(prom.err.split('\n'));
    expect(vigil).toEqual(prom);
  }, 60_000);
});
