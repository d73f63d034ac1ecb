/**
 * kill -9 test: a child process logs records as fast as it can and prints the id of each record
 * whose log() resolved; the test SIGKILLs it at a random moment, then checks that replay returns
 * every acknowledged record intact and in order (the OS had their bytes), that at most the
 * record being written is torn, and that repair + reopen + append works.
 *
 * The child runs the WAL sources transpiled to JS with TypeScript's transpileModule (no build step).
 */

import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repair, replay } from './reader.js';
import { PAGE_SIZE } from './segment.js';
import { WAL } from './wal.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
let work: string;

const CHILD = `
import { WAL } from './tsdb/wal/wal.js';
const [dir, fsync, segmentSize] = process.argv.slice(2);
const w = await WAL.open(dir, { fsync, fsyncIntervalMs: 20, segmentSize: Number(segmentSize) });
function rec(i) {
  const n = 8 + ((i * 7919) % 3000);
  const b = new Uint8Array(n);
  new DataView(b.buffer).setUint32(0, i);
  for (let k = 4; k < n; k++) b[k] = (i + k) & 0xff;
  return b;
}
process.stdout.write('ready\\n');
let i = 0;
for (;;) {
  const batch = [];
  for (let j = 0; j < 32; j++) {
    const id = i++;
    batch.push(w.log([rec(id)]).then(() => { process.stdout.write(id + '\\n'); }));
  }
  await Promise.all(batch);
}
`;

function recOk(b: Uint8Array): number {
  const id = new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0);
  const n = 8 + ((id * 7919) % 3000);
  if (b.length !== n) return -1;
  for (let k = 4; k < n; k++) if (b[k] !== ((id + k) & 0xff)) return -1;
  return id;
}

async function transpileTree(src: string, out: string): Promise<void> {
  for (const name of await readdir(src)) {
    if (!name.endsWith('.ts') || name.endsWith('.test.ts')) continue;
    const code = await readFile(join(src, name), 'utf8');
    const js = ts.transpileModule(code, {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    }).outputText;
    const dest = join(out, relative(root, src));
    await mkdir(dest, { recursive: true });
    await writeFile(join(dest, name.replace(/\.ts$/, '.js')), js);
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'vigil-walk-'));
  await transpileTree(join(root, 'tsdb', 'wal'), work);
  await transpileTree(join(root, 'tsdb', 'encoding'), work);
  await writeFile(join(work, 'package.json'), '{"type":"module"}');
  await writeFile(join(work, 'child.js'), CHILD);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function runAndKill(walDir: string, fsync: string, killAfterMs: number): Promise<number[]> {
  const child = spawn(process.execPath, [join(work, 'child.js'), walDir, fsync, String(4 * PAGE_SIZE)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_PATH: join(root, 'node_modules') },
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<NodeJS.Signals | number | null>((res) => child.on('exit', (code, sig) => res(sig ?? code)));
  const started = Date.now();
  // Wait for the child to be in full flow (some hundred acknowledgements), then a random delay.
  while (out.split('\n').length < 200) {
    if (Date.now() - started > 8000 || child.exitCode !== null) throw new Error(`child did not start: ${err}`);
    await new Promise((r) => setTimeout(r, 2));
  }
  await new Promise((r) => setTimeout(r, killAfterMs));
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  // Only complete lines are acknowledgements.
  const lines = out.slice(0, out.lastIndexOf('\n')).split('\n').slice(1);
  return lines.map(Number);
}

describe('kill -9', () => {
  const runs: [string, number][] = [
    ['never', 100 + Math.floor(Math.random() * 300)],
    ['interval', 100 + Math.floor(Math.random() * 300)],
    ['never', Math.floor(Math.random() * 20)],
  ];
  for (const [fsync, delay] of runs) {
    it(`loses no acknowledged record (fsync=${fsync}, killed ${delay} ms into the flow)`, async () => {
      const walDir = join(work, `wal-${fsync}-${delay}`);
      const acked = await runAndKill(walDir, fsync, delay);
      expect(acked.length).toBeGreaterThan(150);

      const ids: number[] = [];
      const r = await replay(walDir, {}, (b) => {
        const id = recOk(b);
        expect(id).toBeGreaterThanOrEqual(0);
        ids.push(id);
      });
      // Records come back in log order: 0, 1, 2, … without holes.
      expect(ids).toEqual([...ids.keys()]);
      const have = new Set(ids);
      const missing = acked.filter((id) => !have.has(id));
      expect(missing).toEqual([]);
      if (r.corruption !== null) {
        expect(r.corruption.reason).toBe('torn-record');
        expect(r.corruption.segment).toBe(r.last);
        await repair(walDir, r.corruption);
      }

      // Restart: a new segment, more records, everything replays.
      const w = await WAL.open(walDir, { fsync: 'always' });
      const extra = new Uint8Array(16).fill(9);
      await w.log([extra]);
      await w.close();
      let n = 0;
      let lastExtra = false;
      const r2 = await replay(walDir, {}, (b) => {
        n++;
        lastExtra = b.length === 16 && b.every((x) => x === 9);
      });
      expect(r2.corruption).toBeNull();
      expect(n).toBe(ids.length + 1);
      expect(lastExtra).toBe(true);
    });
  }
});
