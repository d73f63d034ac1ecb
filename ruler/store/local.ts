/**
 * LocalRuleStore (Cortex's `-ruler-storage.backend=local`): `<dir>/<tenant>/<file>.yaml|.yml`,
 * each file a Prometheus rule file whose namespace is its file name. Read-only; `watch` polls
 * the files' sizes and mtimes. A file that does not parse is logged and skipped.
 */

import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { RuleGroupNode } from '../rulefmt/types.js';
import { parseRuleGroupsYaml } from './yaml-body.js';
import {
  type ChangeAuthor,
  type RuleGroupEntry,
  type RuleStore,
  type RuleStoreLogger,
  RuleStoreReadOnlyError,
  compareEntries,
} from './types.js';

export interface LocalRuleStoreOptions {
  readonly directory: string;
  readonly pollIntervalMs: number;
  readonly logger: RuleStoreLogger;
}

const RULE_FILE = /\.ya?ml$/;

async function dirNames(path: string, wantDirs: boolean): Promise<string[]> {
  try {
    const ents = await readdir(path, { withFileTypes: true });
    return ents.filter((e) => (wantDirs ? e.isDirectory() : e.isFile())).map((e) => e.name).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

export class LocalRuleStore implements RuleStore {
  readonly writable = false;

  constructor(private readonly opts: LocalRuleStoreOptions) {}

  listTenants(): Promise<string[]> {
    return dirNames(this.opts.directory, true);
  }

  async listRuleGroups(tenant: string, namespace?: string): Promise<RuleGroupEntry[]> {
    const dir = join(this.opts.directory, tenant);
    const out: RuleGroupEntry[] = [];
    for (const file of await dirNames(dir, false)) {
      if (!RULE_FILE.test(file)) continue;
      if (namespace !== undefined && file !== namespace) continue;
      let groups: RuleGroupNode[];
      try {
        groups = parseRuleGroupsYaml(parseYaml(await readFile(join(dir, file), 'utf8')) as unknown);
      } catch (e) {
        this.opts.logger.error({ err: e, tenant, file }, 'skipping rule file that does not parse');
        continue;
      }
      for (const group of groups) out.push({ namespace: file, group });
    }
    return out.sort(compareEntries);
  }

  async getRuleGroup(tenant: string, namespace: string, group: string): Promise<RuleGroupNode | null> {
    const all = await this.listRuleGroups(tenant, namespace);
    return all.find((e) => e.group.name === group)?.group ?? null;
  }

  setRuleGroup(_t: string, _n: string, _g: RuleGroupNode, _a: ChangeAuthor): Promise<void> {
    return Promise.reject(new RuleStoreReadOnlyError('local'));
  }

  deleteRuleGroup(_t: string, _n: string, _g: string, _a: ChangeAuthor): Promise<boolean> {
    return Promise.reject(new RuleStoreReadOnlyError('local'));
  }

  deleteNamespace(_t: string, _n: string, _a: ChangeAuthor): Promise<boolean> {
    return Promise.reject(new RuleStoreReadOnlyError('local'));
  }

  watch(onChange: () => void, signal: AbortSignal): void {
    let last: string | null = null;
    let timer: NodeJS.Timeout | null = null;
    const tick = async (): Promise<void> => {
      try {
        const now = await this.fingerprint();
        if (last !== null && now !== last) onChange();
        last = now;
      } catch (e) {
        this.opts.logger.error({ err: e }, 'polling the rule directory failed');
      }
      if (!signal.aborted) timer = setTimeout(() => void tick(), this.opts.pollIntervalMs);
    };
    signal.addEventListener('abort', () => {
      if (timer) clearTimeout(timer);
    });
    void tick();
  }

  /** Names, sizes and mtimes of every rule file, as one string. */
  private async fingerprint(): Promise<string> {
    const parts: string[] = [];
    for (const tenant of await this.listTenants()) {
      const dir = join(this.opts.directory, tenant);
      for (const file of await dirNames(dir, false)) {
        if (!RULE_FILE.test(file)) continue;
        try {
          const s = await stat(join(dir, file));
          parts.push(`${tenant}/${file}:${s.size}:${s.mtimeMs}`);
        } catch {
          // removed between readdir and stat: the next tick sees it
        }
      }
    }
    return parts.join('\n');
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
