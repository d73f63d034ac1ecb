/**
 * The HTTP server every module mounts its routes on, with the admin endpoints: /ready (503 until
 * every service runs), /metrics, /config and /services. Request bodies are kept as raw bytes;
 * each handler decides how to read them (protobuf, form, YAML).
 */

import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, LogController } from 'fastify';
import { Histogram, type Registry } from 'prom-client';
import { VigilError, httpStatusOf } from '../util/errors.js';

export interface ServerOptions {
  readonly bodyLimit: number;
  readonly logger: FastifyBaseLogger;
  readonly registry: Registry;
}

export function createServer(opts: ServerOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: opts.logger,
    // One log line per push would cost more than the push; failures are logged by the handlers.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.bodyLimit,
    keepAliveTimeout: 65_000,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true },
  });

  // Bodies stay bytes; handlers parse them. Form-encoded bodies are parsed for the query API.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(groupParams(new URLSearchParams(body as string))));
  });

  const duration = new Histogram({
    name: 'vigil_request_duration_seconds',
    help: 'Time spent serving HTTP requests.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [opts.registry],
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'other';
    duration.observe({ method: req.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((err: FastifyError | VigilError, req, reply) => {
    let status = httpStatusOf(err);
    let message = err.message;
    if (!(err instanceof VigilError)) {
      if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        status = 400;
        message = `received message larger than max (${req.headers['content-length'] ?? '?'} vs ${opts.bodyLimit})`;
      } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
        status = err.statusCode;
      } else {
        req.log.error({ err, url: req.url }, 'request failed');
      }
    }
    void reply.code(status).type('text/plain; charset=utf-8').send(message);
  });

  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).type('text/plain; charset=utf-8').send(`404 page not found: ${req.method} ${req.url.split('?')[0]}`);
  });
  return app;
}

/** URLSearchParams → record where repeated keys (like `match[]`) become arrays. */
export function groupParams(p: URLSearchParams): Map<string, string | string[]> {
  const m = new Map<string, string | string[]>();
  for (const [k, v] of p) {
    const cur = m.get(k);
    if (cur === undefined) m.set(k, v);
    else if (Array.isArray(cur)) cur.push(v);
    else m.set(k, [cur, v]);
  }
  return m;
}
