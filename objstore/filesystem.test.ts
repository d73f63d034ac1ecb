import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidKeyError } from './bucket.js';
import { bucketContract } from './contract.js';
import { FilesystemBucket } from './filesystem.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'vigil-fsbucket-'));
  dirs.push(d);
  return d;
}

bucketContract('filesystem', async () => new FilesystemBucket(join(await tempDir(), 'bucket')));

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const k of it) out.push(k);
  return out;
}

describe('FilesystemBucket', () => {
  it('does no I/O in the constructor and names its resolved directory', async () => {
    const root = join(await tempDir(), 'not', 'yet');
    const b = new FilesystemBucket(root);
    expect(b.name).toBe(`filesystem:${root}`);
    await expect(stat(root)).rejects.toThrow(/ENOENT/);
    expect(await collect(b.iter(''))).toEqual([]);
    await b.upload('k', Buffer.from('v'));
    expect((await stat(join(root, 'k'))).isFile()).toBe(true);
    expect(() => new FilesystemBucket('')).toThrow(/must not be empty/);
  });

  it('stores key a/b/c at <dir>/a/b/c and removes emptied parent directories on delete, but not the root', async () => {
    const root = await tempDir();
    const b = new FilesystemBucket(root);
    await b.upload('t/01ABC/chunks/000001', Buffer.from('chunk'));
    await b.upload('t/01ABC/meta.json', Buffer.from('{}'));
    expect(await readdir(join(root, 't', '01ABC', 'chunks'))).toEqual(['000001']);
    await b.delete('t/01ABC/chunks/000001');
    expect(await readdir(join(root, 't', '01ABC'))).toEqual(['meta.json']);
    await b.delete('t/01ABC/meta.json');
    expect(await readdir(root)).toEqual([]);
    expect((await stat(root)).isDirectory()).toBe(true);
  });

  it('leaves no temporary files behind and does not list files being written', async () => {
    const root = await tempDir();
    const b = new FilesystemBucket(root);
    await b.upload('a/x', Buffer.alloc(10));
    expect(await readdir(join(root, 'a'))).toEqual(['x']);
    await writeFile(join(root, 'a', '.vigil-upload-deadbeef'), 'half');
    expect(await collect(b.iter('a/'))).toEqual(['a/x']);
    await expect(b.upload('a/.vigil-upload-1', Buffer.alloc(1))).rejects.toThrow(InvalidKeyError);
  });

  it('delete of a directory-shaped key is a no-op, not an error', async () => {
    const b = new FilesystemBucket(await tempDir());
    await b.upload('d/x', Buffer.from('1'));
    await b.delete('d');
    expect((await b.get('d/x')).toString()).toBe('1');
  });

  it('readers during overwrites see a whole version, never a part', async () => {
    const b = new FilesystemBucket(await tempDir());
    const versions = Array.from({ length: 6 }, (_, i) => Buffer.alloc(1 << 20, i + 1));
    await b.upload('v', versions[0]!);
    let writing = true;
    const writer = (async () => {
      for (let i = 0; i < 30; i++) await b.upload('v', versions[i % versions.length]!);
      writing = false;
    })();
    let reads = 0;
    while (writing) {
      const got = await b.get('v');
      expect(versions.some((v) => v.equals(got)), `read ${reads}: ${got.length} bytes`).toBe(true);
      reads++;
    }
    await writer;
    expect(reads).toBeGreaterThan(0);
  });

  it('uploads into a directory that a concurrent delete is emptying', async () => {
    const b = new FilesystemBucket(await tempDir());
    for (let round = 0; round < 30; round++) {
      await b.upload(`race/${round}/old`, Buffer.from('o'));
      await Promise.all([b.delete(`race/${round}/old`), b.upload(`race/${round}/new`, Buffer.from('n'))]);
      expect((await b.get(`race/${round}/new`)).toString()).toBe('n');
    }
    expect((await collect(b.iter('race/', { recursive: true }))).length).toBe(30);
  });
});
