/** Start-up sanity check of a local directory: create it and prove it writable, or say which setting to fix. */

import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function checkDirectoryWritable(dir: string, setting: string): Promise<void> {
  const probe = join(dir, `.vigil-write-check-${process.pid}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, 'ok');
    await rm(probe, { force: true });
  } catch (e) {
    throw new Error(`directory ${dir} is not writable (${(e as Error).message}): check ${setting}`);
  }
}
