/**
 * A Bucket in a local directory, the default of the single binary: each key is a file at
 * `<dir>/<key>`. Writes go to a temporary file beside the target and are renamed over it, so a
 * reader sees the old or the new object, never a part. Deleting an object also removes the
 * directories it leaves empty (up to, not including, the root), so listings show no empty
 * directories. Temporary files start with `.vigil-upload-`; keys whose segments start with that
 * are refused, and listings skip such names.
 */

import { randomBytes } from 'node:crypto';
import { constants as fsConstants, type Dirent } from 'node:fs';
import { copyFile, mkdir, open, readFile, readdir, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import {
  type Bucket,
  type IterOptions,
  InvalidKeyError,
  type ObjectAttributes,
  ObjectNotFoundError,
  compareKeys,
  normalizePrefix,
  validateKey,
  validateRange,
} from './bucket.js';

const TEMP_PREFIX = '.vigil-upload-';

/** How often upload retries when a concurrent delete removed the directory it just created. */
const MKDIR_RACE_RETRIES = 5;

function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

/** The errors that mean "no such object": missing file, a directory where the key points, a file where a directory should be. */
function isAbsent(e: unknown): boolean {
  const c = errnoCode(e);
  return c === 'ENOENT' || c === 'ENOTDIR' || c === 'EISDIR';
}

export class FilesystemBucket implements Bucket {
  readonly name: string;
  private readonly root: string;

  /** No I/O: the directory is created on the first upload. */
  constructor(dir: string) {
    if (dir === '') throw new Error('filesystem bucket: the directory must not be empty');
    this.root = resolve(dir);
    this.name = `filesystem:${this.root}`;
  }

  private path(key: string): string {
    validateKey(key);
    if (key.split('/').some((s) => s.startsWith(TEMP_PREFIX))) {
      throw new InvalidKeyError(key, `segments starting with "${TEMP_PREFIX}" are reserved for temporary files`);
    }
    return join(this.root, ...key.split('/'));
  }

  private notFound(key: string): ObjectNotFoundError {
    return new ObjectNotFoundError(key, this.name);
  }

  async get(key: string): Promise<Buffer> {
    const p = this.path(key);
    try {
      return await readFile(p);
    } catch (e) {
      if (isAbsent(e)) throw this.notFound(key);
      throw e;
    }
  }

  async getRange(key: string, offset: number, length: number): Promise<Buffer> {
    const p = this.path(key);
    validateRange(offset, length);
    let fh;
    try {
      fh = await open(p, fsConstants.O_RDONLY);
    } catch (e) {
      if (isAbsent(e)) throw this.notFound(key);
      throw e;
    }
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw this.notFound(key);
      const n = Math.max(0, Math.min(length, st.size - offset));
      const buf = Buffer.alloc(n);
      let got = 0;
      while (got < n) {
        const { bytesRead } = await fh.read(buf, got, n - got, offset + got);
        if (bytesRead === 0) break; // the file shrank under us: return what there is
        got += bytesRead;
      }
      return got === n ? buf : buf.subarray(0, got);
    } catch (e) {
      if (isAbsent(e)) throw this.notFound(key);
      throw e;
    } finally {
      await fh.close();
    }
  }

  async exists(key: string): Promise<boolean> {
    const p = this.path(key);
    try {
      return (await stat(p)).isFile();
    } catch (e) {
      if (isAbsent(e)) return false;
      throw e;
    }
  }

  async attributes(key: string): Promise<ObjectAttributes> {
    const p = this.path(key);
    let st;
    try {
      st = await stat(p);
    } catch (e) {
      if (isAbsent(e)) throw this.notFound(key);
      throw e;
    }
    if (!st.isFile()) throw this.notFound(key);
    return { size: st.size, lastModified: st.mtime };
  }

  async upload(key: string, body: Uint8Array): Promise<void> {
    await this.atomicWrite(this.path(key), async (tmp) => {
      const fh = await open(tmp, 'wx');
      try {
        await fh.writeFile(body);
        await fh.sync();
      } finally {
        await fh.close();
      }
    });
  }

  async uploadFile(key: string, localPath: string): Promise<void> {
    await this.atomicWrite(this.path(key), async (tmp) => {
      await copyFile(localPath, tmp, fsConstants.COPYFILE_EXCL);
      const fh = await open(tmp, 'r+');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    });
  }

  /**
   * Write to a temporary file in the target's directory, then rename it over the target. A
   * concurrent delete may remove the freshly created (still empty) directory before the
   * temporary file exists; then the directory is created again.
   */
  private async atomicWrite(target: string, write: (tmp: string) => Promise<void>): Promise<void> {
    const dir = dirname(target);
    for (let attempt = 0; ; attempt++) {
      const tmp = join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
      try {
        await mkdir(dir, { recursive: true });
        await write(tmp);
      } catch (e) {
        await rm(tmp, { force: true }).catch(() => undefined);
        if (errnoCode(e) === 'ENOENT' && attempt < MKDIR_RACE_RETRIES) {
          // Either the directory vanished (retry) or the source file of uploadFile is missing
          // (the retry fails the same way and the error surfaces after the last attempt).
          continue;
        }
        throw e;
      }
      try {
        await rename(tmp, target);
        return;
      } catch (e) {
        await rm(tmp, { force: true }).catch(() => undefined);
        throw e;
      }
    }
  }

  async delete(key: string): Promise<void> {
    const p = this.path(key);
    try {
      await unlink(p);
    } catch (e) {
      const c = errnoCode(e);
      if (c === 'ENOENT' || c === 'ENOTDIR') return;
      if (c === 'EISDIR' || c === 'EPERM') {
        // unlink of a directory: EISDIR on Linux, EPERM elsewhere. A directory is no object.
        if ((await stat(p).catch(() => null))?.isDirectory()) return;
      }
      throw e;
    }
    await this.removeEmptyParents(dirname(p));
  }

  /** rmdir each parent up to the root while it is empty; stop at the first that is not. */
  private async removeEmptyParents(dir: string): Promise<void> {
    let d = dir;
    while (d !== this.root && d.startsWith(this.root + sep)) {
      try {
        await rmdir(d);
      } catch {
        return; // not empty (ENOTEMPTY/EEXIST), already gone, or not ours to remove
      }
      d = dirname(d);
    }
  }

  async *iter(prefix: string, options: IterOptions = {}): AsyncGenerator<string> {
    const p = normalizePrefix(prefix);
    const dir = p === '' ? this.root : join(this.root, ...p.slice(0, -1).split('/'));
    yield* this.walk(dir, p, options.recursive === true);
  }

  /**
   * Yields the entries of `dir` (whose key prefix is `prefix`) in key order. Sorting each
   * directory's entries by name, with '/' appended to directories, and descending depth-first
   * gives the global byte order of the full keys, since no two entries of a directory can be
   * prefixes of each other once directories end in '/'.
   */
  private async *walk(dir: string, prefix: string, recursive: boolean): AsyncGenerator<string> {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      if (isAbsent(e)) return;
      throw e;
    }
    const names: { name: string; isDir: boolean }[] = [];
    for (const ent of entries) {
      if (ent.name.startsWith(TEMP_PREFIX)) continue;
      let isDir = ent.isDirectory();
      let isFile = ent.isFile();
      if (ent.isSymbolicLink()) {
        const st = await stat(join(dir, ent.name)).catch(() => null);
        isDir = st?.isDirectory() ?? false;
        isFile = st?.isFile() ?? false;
      }
      if (isDir || isFile) names.push({ name: isDir ? `${ent.name}/` : ent.name, isDir });
    }
    names.sort((a, b) => compareKeys(a.name, b.name));
    for (const { name, isDir } of names) {
      if (!isDir) {
        yield prefix + name;
      } else if (recursive) {
        yield* this.walk(join(dir, name.slice(0, -1)), prefix + name, true);
      } else {
        yield prefix + name;
      }
    }
  }

  async close(): Promise<void> {
    // Nothing held open between calls.
  }
}
