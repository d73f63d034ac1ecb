/** In-process test fixtures: a started single-binary Vigil on an ephemeral port, its data in a temp dir. */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from './config.js';
import { type App, buildApp } from './modules.js';

export interface TestApp {
  readonly app: App;
  /** The temp directory holding `tsdb/` and `bucket/` (unless flags moved them). */
  readonly dir: string;
  stop(): Promise<void>;
}

export async function startTestApp(flags: readonly string[] = []): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-app-'));
  const { config } = loadConfig([
    '-server.http-listen-address=127.0.0.1',
    '-server.http-listen-port=0',
    `-blocks-storage.tsdb.dir=${join(dir, 'tsdb')}`,
    `-blocks-storage.filesystem.dir=${join(dir, 'bucket')}`,
    `-blocks-storage.bucket-store.sync-dir=${join(dir, 'sync')}`,
    `-ruler-storage.local.directory=${join(dir, 'rules')}`,
    ...flags,
  ]);
  const app = buildApp(config, pino({ level: 'silent' }));
  await app.manager.startAll();
  return {
    app,
    dir,
    stop: async () => {
      try {
        await app.manager.stopAll();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
