/**
 * The rule-store seam: where each tenant's rule groups live (a directory, read-only; or
 * PostgreSQL, written through the rules configuration API). The ruler and the API use only this.
 */

import type { RuleGroupNode } from '../rulefmt/types.js';

export interface RuleGroupEntry {
  readonly namespace: string;
  readonly group: RuleGroupNode;
}

/** Who made a change, recorded in the audit trail (tenant/user header or remote address). */
export interface ChangeAuthor {
  readonly who: string;
}

export interface RuleStore {
  readonly writable: boolean;
  listTenants(): Promise<string[]>;
  /** Sorted by namespace, then group name. */
  listRuleGroups(tenant: string, namespace?: string): Promise<RuleGroupEntry[]>;
  getRuleGroup(tenant: string, namespace: string, group: string): Promise<RuleGroupNode | null>;
  setRuleGroup(tenant: string, namespace: string, group: RuleGroupNode, author: ChangeAuthor): Promise<void>;
  /** False when there was no such group. */
  deleteRuleGroup(tenant: string, namespace: string, group: string, author: ChangeAuthor): Promise<boolean>;
  /** False when the namespace had no groups. */
  deleteNamespace(tenant: string, namespace: string, author: ChangeAuthor): Promise<boolean>;
  /** Fires when any tenant's rules may have changed (the ruler reloads). */
  watch(onChange: () => void, signal: AbortSignal): void;
  close(): Promise<void>;
}

/** The part of a logger the stores use (pino's Logger fits). */
export interface RuleStoreLogger {
  error(obj: object, msg: string): void;
}

/** Thrown by a store that cannot be written (the local directory). */
export class RuleStoreReadOnlyError extends Error {
  constructor(backend: string) {
    super(`the ${backend} rule store is read-only: rule groups cannot be changed through the API (set -ruler-storage.backend=postgres)`);
    this.name = 'RuleStoreReadOnlyError';
  }
}

export function compareEntries(a: RuleGroupEntry, b: RuleGroupEntry): number {
  if (a.namespace !== b.namespace) return a.namespace < b.namespace ? -1 : 1;
  return a.group.name < b.group.name ? -1 : a.group.name > b.group.name ? 1 : 0;
}
