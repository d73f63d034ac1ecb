/**
 * Tenant ids (Cortex's rules): at most 150 characters from [A-Za-z0-9!-_.*'()], and not "." or
 * "..", which would escape a directory in the bucket layout.
 */

import { VigilError } from './errors.js';

export const ORG_ID_HEADER = 'x-scope-orgid';
const MAX_TENANT_LENGTH = 150;
const ALLOWED = /^[A-Za-z0-9!\-_.*'()]+$/;

export function validateTenantId(id: string): string | null {
  if (id.length > MAX_TENANT_LENGTH) return `tenant ID is too long: max ${MAX_TENANT_LENGTH} characters`;
  if (id === '.' || id === '..') return 'tenant ID is "." or ".."';
  if (id === '__markers__' || id === 'user-index.json.gz') return `tenant ID ${JSON.stringify(id)} is reserved`;
  if (!ALLOWED.test(id)) return `tenant ID ${JSON.stringify(id)} contains unsupported characters (allowed: A-Z a-z 0-9 ! - _ . * ' ( ))`;
  return null;
}

export interface TenantResolver {
  /** The tenant of a request, from its X-Scope-OrgID header when auth is on. */
  resolve(header: string | string[] | undefined): string;
}

export function tenantResolver(authEnabled: boolean, noAuthTenant: string): TenantResolver {
  return {
    resolve(header) {
      if (!authEnabled) return noAuthTenant;
      const v = Array.isArray(header) ? header[0] : header;
      if (v === undefined || v === '') throw new VigilError('no-org-id', 'no org id');
      if (v.includes('|')) throw new VigilError('invalid-tenant', 'multiple org IDs present');
      const bad = validateTenantId(v);
      if (bad) throw new VigilError('invalid-tenant', bad);
      return v;
    },
  };
}
