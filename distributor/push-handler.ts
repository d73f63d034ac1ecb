/**
 * POST /api/v1/push (and /api/prom/push): remote write 1.0 and 2.0. Thin: pick the protocol from
 * Content-Type, refuse what cannot be read before decompressing it, decode into a pooled
 * WriteBatch, hand it to the distributor, and map the outcome to Cortex's answers
 * (1.0: 200 empty; 2.0: 204 with the written-count headers; errors as text).
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decodeWriteRequestV1, decodeWriteRequestV2 } from '../proto/write-decoder.js';
import { WriteBatchPool } from '../proto/write-batch.js';
import { snappyDecodeAsync, snappyUncompressedLength } from '../proto/snappy.js';
import { VigilError, httpStatusOf } from '../util/errors.js';
import { ORG_ID_HEADER, type TenantResolver } from '../util/tenant.js';
import type { Distributor } from './distributor.js';

export interface PushHandlerOptions {
  readonly distributor: Distributor;
  readonly tenants: TenantResolver;
  readonly maxRecvMsgSize: number;
}

const V2_PROTO = 'io.prometheus.write.v2.Request';
const V1_PROTO = 'prometheus.WriteRequest';

/** 1 or 2 for a supported Content-Type, else null. A missing Content-Type is read as 1.0. */
export function remoteWriteVersion(contentType: string | undefined): 1 | 2 | null {
  if (contentType === undefined || contentType.trim() === '') return 1;
  const [media, ...paramParts] = contentType.split(';').map((s) => s.trim());
  if (media?.toLowerCase() !== 'application/x-protobuf') return null;
  let proto = V1_PROTO;
  for (const p of paramParts) {
    const eq = p.indexOf('=');
    if (eq > 0 && p.slice(0, eq).trim().toLowerCase() === 'proto') proto = p.slice(eq + 1).trim().replace(/^"|"$/g, '');
  }
  if (proto === V1_PROTO) return 1;
  if (proto === V2_PROTO) return 2;
  return null;
}

export function registerPushHandler(app: FastifyInstance, opts: PushHandlerOptions): void {
  const pool = new WriteBatchPool();

  const handler = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const version = remoteWriteVersion(req.headers['content-type']);
    try {
      const tenant = opts.tenants.resolve(req.headers[ORG_ID_HEADER]);
      if (version === null) {
        throw new VigilError(
          'unsupported-media-type',
          `unsupported Content-Type ${JSON.stringify(req.headers['content-type'])}: use application/x-protobuf (remote write 1.0) or application/x-protobuf;proto=${V2_PROTO} (2.0)`,
        );
      }
      const encoding = req.headers['content-encoding'];
      if (encoding !== undefined && encoding.toLowerCase() !== 'snappy') {
        throw new VigilError('unsupported-media-type', `unsupported Content-Encoding ${JSON.stringify(encoding)}: remote write bodies are snappy-compressed`);
      }
      const body = req.body;
      if (!Buffer.isBuffer(body)) throw new VigilError('bad-request-body', 'empty or unreadable request body');
      let raw: Uint8Array;
      try {
        const size = snappyUncompressedLength(body);
        if (size > opts.maxRecvMsgSize) {
          throw new VigilError('message-too-large', `received message larger than max (${size} vs ${opts.maxRecvMsgSize})`);
        }
        raw = await snappyDecodeAsync(body, opts.maxRecvMsgSize);
      } catch (e) {
        if (e instanceof VigilError) throw e;
        throw new VigilError('bad-request-body', `snappy: corrupt input: ${(e as Error).message}`);
      }
      const batch = pool.acquire();
      try {
        try {
          if (version === 1) decodeWriteRequestV1(raw, batch);
          else decodeWriteRequestV2(raw, batch);
        } catch (e) {
          throw new VigilError('bad-request-body', `failed to decode the remote write ${version}.0 request: ${(e as Error).message}`);
        }
        const out = await opts.distributor.push(tenant, batch);
        if (version === 2) {
          void reply
            .header('X-Prometheus-Remote-Write-Samples-Written', String(out.samplesWritten))
            .header('X-Prometheus-Remote-Write-Histograms-Written', String(out.histogramsWritten))
            .header('X-Prometheus-Remote-Write-Exemplars-Written', String(out.exemplarsWritten));
        }
        if (out.error) throw out.error;
        void reply.code(version === 2 ? 204 : 200).send();
      } finally {
        pool.release(batch);
      }
    } catch (e) {
      const status = httpStatusOf(e);
      if (status >= 500) req.log.error({ err: e }, 'push failed');
      void reply
        .code(status)
        .type('text/plain; charset=utf-8')
        .send(e instanceof Error ? e.message : String(e));
    }
  };

  app.post('/api/v1/push', handler);
  app.post('/api/prom/push', handler);
}
