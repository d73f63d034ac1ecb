/** Build information, from package.json and the environment the build ran in. */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

function packageVersion(): string {
  // Works from the sources (app/) and from the build (dist/app/).
  const here = dirname(fileURLToPath(import.meta.url));
  for (const p of [join(here, '..', 'package.json'), join(here, '..', '..', 'package.json')]) {
    try {
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'vigil' && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return 'unknown';
}

export const VERSION = packageVersion();

export function buildInfo(): {
  version: string;
  revision: string;
  branch: string;
  buildUser: string;
  buildDate: string;
  goVersion: string;
} {
  return {
    version: VERSION,
    revision: process.env.VIGIL_REVISION ?? '',
    branch: process.env.VIGIL_BRANCH ?? '',
    buildUser: '',
    buildDate: '',
    goVersion: `node${process.versions.node}`,
  };
}
