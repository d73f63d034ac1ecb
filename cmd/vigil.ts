#!/usr/bin/env node
/**
 * `vigil`: parse flags and `-config.file`, validate once, and hand the result to the wiring.
 * SIGTERM/SIGINT stop every service in reverse dependency order.
 */

import { pino } from 'pino';
import { ConfigError, helpText, loadConfig } from '../app/config.js';
import { buildApp } from '../app/modules.js';

async function main(argv: readonly string[]): Promise<number> {
  let loaded;
  try {
    loaded = loadConfig(argv);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`error: ${e.message}\nRun vigil -help for the list of flags.\n`);
      return 1;
    }
    throw e;
  }
  if (loaded.help) {
    process.stdout.write(helpText());
    return 0;
  }
  const { config } = loaded;
  const logger = pino({ level: config.server.log_level, base: { app: 'vigil' } });
  let app;
  try {
    app = buildApp(config, logger);
  } catch (e) {
    // An unknown target or a setting that cannot work (say, an S3 backend without a bucket name).
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }

  let stopping: Promise<void> | null = null;
  const stop = (signal: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ signal }, 'stopping Vigil');
      const timer = setTimeout(() => {
        logger.error('graceful shutdown timed out; exiting');
        process.exit(1);
      }, config.server.graceful_shutdown_timeout + 5000);
      timer.unref();
      await app.manager.stopAll();
      logger.info('Vigil stopped');
    })();
    return stopping;
  };
  const done = new Promise<number>((resolve) => {
    for (const sig of ['SIGTERM', 'SIGINT'] as const) {
      process.once(sig, () => {
        void stop(sig).then(() => resolve(app.manager.failed() ? 1 : 0));
      });
    }
  });

  try {
    await app.manager.startAll();
  } catch (e) {
    const failed = app.manager.failed();
    logger.error({ err: e, service: failed?.name }, `service ${failed?.name ?? '?'} failed to start`);
    await app.manager.stopAll();
    return 1;
  }
  logger.info({ services: app.manager.states() }, 'Vigil is ready');
  return done;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`fatal: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
