/**
 * Vigil with an S3 bucket (a real S3 API server, s3rver, reached through @aws-sdk/client-s3):
 * blocks flushed from two tenants land under `<tenant>/<ULID>/` with meta.json last and read back
 * sample for sample. And a bucket or directory that cannot work stops Vigil at start with a
 * message naming the setting.
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isULID } from '../../tsdb/ulid.js';
import { readBlockSamples } from '../../tsdb/block/reader.js';
import { freePort, startVigil } from '../harness/process.js';
import { pushV1 } from '../harness/push.js';
import { S3RVER_CREDENTIALS, type S3rverProc, startS3rver } from '../harness/s3rver.js';

const BUCKET = 'vigil-blocks';
let s3: S3rverProc;
let client: S3Client;
const root = mkdtempSync(join(tmpdir(), 'vigil-bucket-it-'));

beforeAll(async () => {
  s3 = await startS3rver([BUCKET]);
  client = new S3Client({
    endpoint: `http://${s3.endpoint}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
  });
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await s3?.stop();
  rmSync(root, { recursive: true, force: true });
});

function s3Flags(endpoint: string, bucket = BUCKET): string[] {
  return [
    '-blocks-storage.backend=s3',
    `-blocks-storage.s3.endpoint=${endpoint}`,
    `-blocks-storage.s3.bucket-name=${bucket}`,
    '-blocks-storage.s3.insecure=true',
    '-blocks-storage.s3.bucket-lookup-type=path',
    `-blocks-storage.s3.access-key-id=${S3RVER_CREDENTIALS.accessKeyId}`,
    `-blocks-storage.s3.secret-access-key=${S3RVER_CREDENTIALS.secretAccessKey}`,
  ];
}

async function keys(prefix: string): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const r = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix, ContinuationToken: token }));
    for (const o of r.Contents ?? []) out.push(o.Key!);
    token = r.NextContinuationToken;
  } while (token);
  return out.sort();
}

async function download(key: string): Promise<Buffer> {
  const r = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await r.Body!.transformToByteArray());
}

describe('blocks shipped to S3', () => {
  it('flushes each tenant into <tenant>/<ULID>/ and the blocks read back exactly', { timeout: 60_000 }, async () => {
    const v = await startVigil(['-auth.enabled=true', `-blocks-storage.tsdb.dir=${join(root, 'tsdb')}`, '-ingester.lifecycler.ID=ing-s3', ...s3Flags(s3.endpoint)]);
    const t0 = Date.now() - 60_000;
    const pushed = new Map<string, Map<string, [number, number][]>>();
    try {
      for (const tenant of ['team-a', 'team-b']) {
        const mine = new Map<string, [number, number][]>();
        pushed.set(tenant, mine);
        for (let k = 0; k < 10; k++) {
          const series = Array.from({ length: 30 }, (_, i) => ({
            labels: [
              { name: '__name__', value: 'shipped_total' },
              { name: 'i', value: String(i) },
            ],
            samples: [{ timestamp: t0 + k * 1000, value: k * 100 + i }],
          }));
          for (const s of series) {
            const list = mine.get(s.labels[1]!.value) ?? [];
            list.push([t0 + k * 1000, k * 100 + Number(s.labels[1]!.value)]);
            mine.set(s.labels[1]!.value, list);
          }
          expect((await pushV1(v.url, series, tenant)).status).toBe(200);
        }
      }
      const r = await fetch(`${v.url}/ingester/flush?wait=true`, { method: 'POST' });
      expect(r.status).toBe(204);
    } finally {
      await v.stop();
    }
    for (const [tenant, want] of pushed) {
      const all = await keys(`${tenant}/`);
      const ulids = [...new Set(all.map((k) => k.split('/')[1]!))].filter(isULID);
      expect(all).toContain(`${tenant}/bucket-index.json.gz`);
      expect(ulids.length).toBeGreaterThan(0);
      let samples = 0;
      for (const ulid of ulids) {
        expect(all.filter((k) => k.startsWith(`${tenant}/${ulid}/`))).toEqual([`${tenant}/${ulid}/chunks/000001`, `${tenant}/${ulid}/index`, `${tenant}/${ulid}/meta.json`]);
        const meta = JSON.parse((await download(`${tenant}/${ulid}/meta.json`)).toString()) as {
          stats: { numSamples: number };
          thanos: { labels: Record<string, string>; source: string };
        };
        expect(meta.thanos.labels).toEqual({ __org_id__: tenant, __ingester_id__: 'ing-s3' });
        expect(meta.thanos.source).toBe('receive');
        // Download the block and read it with the block reader.
        const dir = join(root, 'dl', tenant, ulid);
        mkdirSync(join(dir, 'chunks'), { recursive: true });
        for (const f of ['meta.json', 'index', 'chunks/000001']) writeFileSync(join(dir, f), await download(`${tenant}/${ulid}/${f}`));
        for (const s of await readBlockSamples(dir)) {
          const i = s.labels.find((l) => l.name === 'i')!.value;
          const f64 = new Float64Array(1);
          const u32 = new Uint32Array(f64.buffer);
          const got = s.samples.map((x): [number, number] => {
            u32[0] = x.lo;
            u32[1] = x.hi;
            return [x.t, f64[0]!];
          });
          expect(got).toEqual(want.get(i));
          samples += got.length;
        }
        expect(meta.stats.numSamples).toBeGreaterThan(0);
      }
      expect(samples).toBe(300);
    }
  });
});

describe('start-up checks', () => {
  async function startFails(flags: string[]): Promise<string> {
    try {
      const v = await startVigil(flags);
      await v.stop();
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('Vigil started although it should not have');
  }

  it('names -blocks-storage.s3.endpoint when nothing answers there', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const msg = await startFails([`-blocks-storage.tsdb.dir=${join(root, 'tsdb-x')}`, ...s3Flags(`127.0.0.1:${port}`)]);
    expect(msg).toMatch(/exited early/);
    expect(msg).toMatch(/check -blocks-storage\.s3\.endpoint/);
  });

  it('names -blocks-storage.s3.bucket-name when the bucket does not exist', { timeout: 60_000 }, async () => {
    const msg = await startFails([`-blocks-storage.tsdb.dir=${join(root, 'tsdb-y')}`, ...s3Flags(s3.endpoint, 'no-such-bucket')]);
    expect(msg).toMatch(/check -blocks-storage\.s3\.bucket-name/);
  });

  it('names -blocks-storage.tsdb.dir when the TSDB directory cannot be written', { timeout: 60_000 }, async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'not a directory');
    const msg = await startFails([`-blocks-storage.tsdb.dir=${join(file, 'tsdb')}`]);
    expect(msg).toMatch(/check -blocks-storage\.tsdb\.dir/);
  });
});
