/**
 * `/ingester/flush` (GET or POST, as Cortex): cut every head (or those of `tenant=`, repeatable)
 * into blocks and ship them. Answers 204 at once, or when `wait=true` after the work is done.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface Flusher {
  flush(tenants?: readonly string[]): Promise<unknown>;
}

export interface FlushLogger {
  error(obj: object, msg: string): void;
}

export function registerFlushHandler(server: FastifyInstance, ingester: Flusher): void {
  const handler = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const q = { ...(req.query as Record<string, string | string[] | undefined>), ...(typeof req.body === 'object' && req.body !== null && !Buffer.isBuffer(req.body) ? (req.body as Record<string, string | string[]>) : {}) };
    const tenants = ([] as string[]).concat(q.tenant ?? []).filter((t) => t !== '');
    const wait = q.wait === 'true' || q.wait === '1';
    const run = ingester.flush(tenants);
    if (wait) {
      try {
        await run;
      } catch (e) {
        req.log.error({ err: (e as Error).message }, 'flush failed');
        await reply.code(500).type('text/plain').send(`flush failed: ${(e as Error).message}\n`);
        return;
      }
    } else {
      run.catch((e: unknown) => req.log.error({ err: (e as Error).message }, 'flush failed'));
    }
    await reply.code(204).send();
  };
  server.get('/ingester/flush', handler);
  server.post('/ingester/flush', handler);
}
