/** In-process test fixtures: a started single-binary Vigil on an ephemeral port. */

import { pino } from 'pino';
import { loadConfig } from './config.js';
import { type App, buildApp } from './modules.js';

export interface TestApp {
  readonly app: App;
  stop(): Promise<void>;
}

export async function startTestApp(flags: readonly string[] = []): Promise<TestApp> {
  const { config } = loadConfig(['-server.http-listen-address=127.0.0.1', '-server.http-listen-port=0', ...flags]);
  const app = buildApp(config, pino({ level: 'silent' }));
  await app.manager.startAll();
  return { app, stop: () => app.manager.stopAll() };
}
