import { describe, expect, it } from 'vitest';
import { httpStatusOf } from './errors.js';
import { tenantResolver, validateTenantId } from './tenant.js';

describe('tenants', () => {
  it('uses the no-auth tenant when auth is off, whatever the header', () => {
    expect(tenantResolver(false, 'anonymous').resolve('team-a')).toBe('anonymous');
  });

  it('answers 401 "no org id" when auth is on and the header is missing', () => {
    const r = tenantResolver(true, 'anonymous');
    try {
      r.resolve(undefined);
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toBe('no org id');
      expect(httpStatusOf(e)).toBe(401);
    }
    expect(r.resolve('team-a')).toBe('team-a');
  });

  it.each([
    ['..', /"\." or "\.\."/],
    ['a/b', /unsupported characters/],
    ['x'.repeat(151), /too long/],
    ['__markers__', /reserved/],
  ])('refuses tenant %j', (id, msg) => {
    expect(validateTenantId(id)).toMatch(msg);
    expect(() => tenantResolver(true, 'x').resolve(id)).toThrow(msg);
  });
});
