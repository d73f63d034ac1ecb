/**
 * The Bucket contract as a vitest suite: every implementation's test file calls
 * `bucketContract(name, makeBucket)`. `makeBucket` must return an empty bucket of its own for
 * each test; the suite closes it afterwards.
 */

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type Bucket, InvalidKeyError, ObjectNotFoundError, isObjectNotFound } from './bucket.js';

export interface ContractOptions {
  /** Size of the file for the uploadFile test; pick it above the implementation's part size. */
  readonly largeFileSize?: number;
  /**
   * Known bugs of the server behind the implementation (not of the implementation, and not of
   * real S3): the cases they break are not run against it.
   */
  readonly serverBugs?: {
    /** A Range GET of a zero-length object is answered wrongly. */
    readonly rangeOfEmptyObject?: boolean;
    /** A delimited listing misses directories that hold only directories. */
    readonly directoryOfDirectories?: boolean;
    /** Concurrent writes of one key can interleave their bytes (the server writes in place). */
    readonly nonAtomicOverwrite?: boolean;
  };
}

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const k of it) out.push(k);
  return out;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the promise to reject');
}

export function bucketContract(name: string, makeBucket: () => Promise<Bucket>, options: ContractOptions = {}): void {
  const bugs = options.serverBugs ?? {};
  /** Cases a test server is known to get wrong are not registered for it (real S3 gets them right). */
  const maybe = (run: boolean): typeof it => (run ? it : (((..._args: unknown[]) => undefined) as unknown as typeof it));
  describe(`Bucket contract: ${name}`, () => {
    const open: Bucket[] = [];
    const tmpDirs: string[] = [];
    const make = async (): Promise<Bucket> => {
      const b = await makeBucket();
      open.push(b);
      return b;
    };
    afterEach(async () => {
      for (const b of open.splice(0)) await b.close();
    });
    afterAll(async () => {
      for (const d of tmpDirs) await rm(d, { recursive: true, force: true });
    });

    it('get of an absent key rejects with ObjectNotFoundError naming the key', async () => {
      const b = await make();
      const e = await rejection(b.get('nope/absent.bin'));
      expect(e).toBeInstanceOf(ObjectNotFoundError);
      expect(isObjectNotFound(e)).toBe(true);
      expect((e as ObjectNotFoundError).key).toBe('nope/absent.bin');
      expect(isObjectNotFound(new Error('other'))).toBe(false);
      expect(isObjectNotFound(await rejection(b.getRange('nope/absent.bin', 0, 10)))).toBe(true);
      expect(isObjectNotFound(await rejection(b.getRange('nope/absent.bin', 0, 0)))).toBe(true);
      expect(isObjectNotFound(await rejection(b.attributes('nope/absent.bin')))).toBe(true);
      expect(await b.exists('nope/absent.bin')).toBe(false);
    });

    it('round-trips text, binary bytes and an empty object', async () => {
      const b = await make();
      const bin = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      await b.upload('a/text', Buffer.from('hello, bucket'));
      await b.upload('a/bin', bin);
      await b.upload('a/empty', new Uint8Array(0));
      expect((await b.get('a/text')).toString('utf8')).toBe('hello, bucket');
      const got = await b.get('a/bin');
      expect(Buffer.isBuffer(got)).toBe(true);
      expect(got.equals(bin)).toBe(true);
      const empty = await b.get('a/empty');
      expect(empty.length).toBe(0);
      expect(await b.exists('a/empty')).toBe(true);
      expect((await b.attributes('a/empty')).size).toBe(0);
    });

    maybe(!bugs.rangeOfEmptyObject)('getRange of an empty object is empty', async () => {
      const b = await make();
      await b.upload('a/empty', new Uint8Array(0));
      expect((await b.getRange('a/empty', 0, 10)).length).toBe(0);
      expect((await b.getRange('a/empty', 0, 0)).length).toBe(0);
    });

    it('getRange returns exactly the asked bytes, clipped at the end', async () => {
      const b = await make();
      const data = Buffer.from('0123456789abcdefghij'); // 20 bytes
      await b.upload('r', data);
      expect((await b.getRange('r', 0, 4)).toString()).toBe('0123');
      expect((await b.getRange('r', 7, 5)).toString()).toBe('789ab');
      expect((await b.getRange('r', 16, 4)).toString()).toBe('ghij');
      expect((await b.getRange('r', 15, 100)).toString()).toBe('fghij');
      expect((await b.getRange('r', 15, 2 ** 40)).toString()).toBe('fghij'); // no buffer of the asked length
      expect((await b.getRange('r', 0, 20)).toString()).toBe(data.toString());
      expect((await b.getRange('r', 19, 1)).toString()).toBe('j');
      expect((await b.getRange('r', 20, 5)).length).toBe(0);
      expect((await b.getRange('r', 500, 5)).length).toBe(0);
      expect((await b.getRange('r', 3, 0)).length).toBe(0);
      await expect(b.getRange('r', -1, 4)).rejects.toThrow(RangeError);
      await expect(b.getRange('r', 0, 1.5)).rejects.toThrow(RangeError);
    });

    it('exists and attributes describe what was uploaded', async () => {
      const b = await make();
      const before = Date.now();
      await b.upload('x/y/z.bin', randomBytes(1234));
      expect(await b.exists('x/y/z.bin')).toBe(true);
      expect(await b.exists('x/y')).toBe(false); // a directory is no object
      expect(await b.exists('x/y/z')).toBe(false);
      const attrs = await b.attributes('x/y/z.bin');
      expect(attrs.size).toBe(1234);
      expect(attrs.lastModified).toBeInstanceOf(Date);
      // Second-granular stores (S3's Last-Modified) round down; allow clock skew of a few seconds.
      expect(Math.abs(attrs.lastModified.getTime() - before)).toBeLessThan(10_000);
      expect(isObjectNotFound(await rejection(b.attributes('x/y')))).toBe(true);
    });

    it('overwrite replaces the whole object', async () => {
      const b = await make();
      await b.upload('o', Buffer.from('a much longer first version'));
      await b.upload('o', Buffer.from('short'));
      expect((await b.get('o')).toString()).toBe('short');
      expect((await b.attributes('o')).size).toBe(5);
    });

    it('delete removes the object; deleting an absent one is fine', async () => {
      const b = await make();
      await b.upload('d/one', Buffer.from('1'));
      await b.upload('d/two', Buffer.from('2'));
      await b.delete('d/one');
      expect(await b.exists('d/one')).toBe(false);
      expect(isObjectNotFound(await rejection(b.get('d/one')))).toBe(true);
      expect((await b.get('d/two')).toString()).toBe('2');
      await b.delete('d/one');
      await b.delete('never/was/here');
      expect(await collect(b.iter(''))).toEqual(['d/']);
      await b.delete('d/two');
      expect(await collect(b.iter(''))).toEqual([]);
      expect(await collect(b.iter('', { recursive: true }))).toEqual([]);
    });

    it('iter lists files and directories directly under a prefix, sorted; recursive lists every key', async () => {
      const b = await make();
      const keys = ['b.txt', 'a.txt', 'dir/x', 'dir/sub/y', 'dir/sub/z', 'dir-2/w', 'dir.txt'];
      for (const k of keys) await b.upload(k, Buffer.from(k));
      // UTF-8 byte order: '-' (0x2d) < '.' (0x2e) < '/' (0x2f).
      expect(await collect(b.iter(''))).toEqual(['a.txt', 'b.txt', 'dir-2/', 'dir.txt', 'dir/']);
      expect(await collect(b.iter('dir/'))).toEqual(['dir/sub/', 'dir/x']);
      expect(await collect(b.iter('dir'))).toEqual(['dir/sub/', 'dir/x']);
      expect(await collect(b.iter('dir/sub/'))).toEqual(['dir/sub/y', 'dir/sub/z']);
      expect(await collect(b.iter('nothing/'))).toEqual([]);
      expect(await collect(b.iter('', { recursive: true }))).toEqual([
        'a.txt',
        'b.txt',
        'dir-2/w',
        'dir.txt',
        'dir/sub/y',
        'dir/sub/z',
        'dir/x',
      ]);
      expect(await collect(b.iter('dir/', { recursive: true }))).toEqual(['dir/sub/y', 'dir/sub/z', 'dir/x']);
    });

    maybe(!bugs.directoryOfDirectories)(
      'iter lists a directory that holds only directories',
      async () => {
        const b = await make();
        for (const k of ['tenant/01B/chunks/000001', 'tenant/01A/meta.json', 'c/deep/er/k', 'top']) await b.upload(k, Buffer.from(k));
        expect(await collect(b.iter(''))).toEqual(['c/', 'tenant/', 'top']);
        expect(await collect(b.iter('tenant/'))).toEqual(['tenant/01A/', 'tenant/01B/']);
        expect(await collect(b.iter('c/'))).toEqual(['c/deep/']);
        expect(await collect(b.iter('c/deep/'))).toEqual(['c/deep/er/']);
        expect(await collect(b.iter('', { recursive: true }))).toEqual(['c/deep/er/k', 'tenant/01A/meta.json', 'tenant/01B/chunks/000001', 'top']);
      },
    );

    it('iter pages through many keys in order', async () => {
      const b = await make();
      const keys = Array.from({ length: 1100 }, (_, i) => `many/${String(i).padStart(5, '0')}`);
      for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => b.upload(k, Buffer.from('.'))));
      await b.upload('many/zz/inner', Buffer.from('.'));
      const listed = await collect(b.iter('many/'));
      expect(listed.length).toBe(1101);
      expect(listed.slice(0, 2)).toEqual(['many/00000', 'many/00001']);
      expect(listed.at(-2)).toBe('many/01099');
      expect(listed.at(-1)).toBe('many/zz/');
      expect((await collect(b.iter('', { recursive: true }))).length).toBe(1101);
    }, 120_000);

    it('keeps unicode keys and lists them in UTF-8 byte order', async () => {
      const b = await make();
      const keys = ['ünï/cødé', 'emoji/😀.bin', 'emoji/\uffff.bin', 'emoji/日本.bin', 'space/a b+c'];
      for (const k of keys) await b.upload(k, Buffer.from(k, 'utf8'));
      for (const k of keys) expect((await b.get(k)).toString('utf8')).toBe(k);
      // U+FFFF (ef bf bf) sorts before U+1F600 (f0 9f 98 80) in UTF-8, after it in UTF-16.
      expect(await collect(b.iter('emoji/'))).toEqual(['emoji/日本.bin', 'emoji/\uffff.bin', 'emoji/😀.bin']);
      expect(await collect(b.iter(''))).toEqual(['emoji/', 'space/', 'ünï/']);
    });

    it('refuses keys that start with "/" or contain ".." segments', async () => {
      const b = await make();
      for (const k of ['/abs', 'a/../b', '..', 'a/./b', 'a//b', 'dir/', '']) {
        const e = await rejection(b.upload(k, Buffer.from('x')));
        expect(e, k).toBeInstanceOf(InvalidKeyError);
        expect((e as Error).message).toContain(JSON.stringify(k));
      }
      await expect(b.get('../etc/passwd')).rejects.toThrow(/invalid object key.*"\.\." segments/);
      await expect(collect(b.iter('../'))).rejects.toThrow(InvalidKeyError);
      expect(await collect(b.iter('', { recursive: true }))).toEqual([]);
    });

    it('uploadFile of a file larger than a part comes back byte-identical', async () => {
      const b = await make();
      const dir = await mkdtemp(join(tmpdir(), 'vigil-objstore-'));
      tmpDirs.push(dir);
      const size = options.largeFileSize ?? 3 * 1024 * 1024 + 17;
      const data = randomBytes(size);
      const path = join(dir, 'big.bin');
      await writeFile(path, data);
      await b.uploadFile('files/big.bin', path);
      expect((await b.attributes('files/big.bin')).size).toBe(size);
      const got = await b.get('files/big.bin');
      expect(got.length).toBe(size);
      expect(got.equals(data)).toBe(true);
      const mid = Math.floor(size / 2);
      expect((await b.getRange('files/big.bin', mid, 1000)).equals(data.subarray(mid, mid + 1000))).toBe(true);

      const small = join(dir, 'small.bin');
      await writeFile(small, Buffer.from('small file'));
      await b.uploadFile('files/small.bin', small);
      expect((await b.get('files/small.bin')).toString()).toBe('small file');
      await expect(b.uploadFile('files/missing', join(dir, 'missing'))).rejects.toThrow(/ENOENT/);
      expect(await b.exists('files/missing')).toBe(false);
    }, 120_000);

    it('concurrent uploads of different keys all land', async () => {
      const b = await make();
      const bodies = Array.from({ length: 40 }, (_, i) => randomBytes(1000 + i));
      await Promise.all(bodies.map((body, i) => b.upload(`conc/${i % 4}/${i}`, body)));
      for (const [i, body] of bodies.entries()) expect((await b.get(`conc/${i % 4}/${i}`)).equals(body), `key ${i}`).toBe(true);
      expect((await collect(b.iter('conc/', { recursive: true }))).length).toBe(40);
      expect(await collect(b.iter('conc/'))).toEqual(['conc/0/', 'conc/1/', 'conc/2/', 'conc/3/']);
    });

    maybe(!bugs.nonAtomicOverwrite)(
      'concurrent overwrites leave one of the written versions, never a mix',
      async () => {
        const b = await make();
        const versions = Array.from({ length: 8 }, (_, i) => Buffer.alloc(64 * 1024, i + 1));
        for (let round = 0; round < 5; round++) {
          await Promise.all(versions.map((v) => b.upload('race', v)));
          const got = await b.get('race');
          expect(versions.some((v) => v.equals(got)), `round ${round}`).toBe(true);
        }
      },
    );
  });
}
