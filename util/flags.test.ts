import { describe, expect, it } from 'vitest';
import { parseFlags } from './flags.js';
import { opt, type OptionDef } from './options.js';

const defs = new Map<string, OptionDef>([
  ['server.http-listen-port', opt('int', 'server.http-listen-port', 9009, 'port')],
  ['auth.enabled', opt('bool', 'auth.enabled', false, 'auth')],
  ['validation.create-grace-period', opt('duration', 'validation.create-grace-period', 600_000, 'grace')],
  ['target', opt('strings', 'target', ['all'], 'targets')],
]);

describe('parseFlags', () => {
  it('reads every Go flag form', () => {
    const p = parseFlags(
      ['-server.http-listen-port=8080', '--auth.enabled', '-validation.create-grace-period', '1h', '-target=distributor,ingester'],
      defs,
    );
    expect(p.values.get('server.http-listen-port')).toBe(8080);
    expect(p.values.get('auth.enabled')).toBe(true);
    expect(p.values.get('validation.create-grace-period')).toBe(3_600_000);
    expect(p.values.get('target')).toEqual(['distributor', 'ingester']);
    expect(p.help).toBe(false);
  });

  it('accepts -auth.enabled=false', () => {
    expect(parseFlags(['-auth.enabled=false'], defs).values.get('auth.enabled')).toBe(false);
  });

  it('refuses unknown flags and bad values by name', () => {
    expect(() => parseFlags(['-nope=1'], defs)).toThrow('flag provided but not defined: -nope');
    expect(() => parseFlags(['-server.http-listen-port=abc'], defs)).toThrow(/-server\.http-listen-port/);
    expect(() => parseFlags(['-validation.create-grace-period'], defs)).toThrow('flag needs an argument');
  });

  it('notices -help', () => {
    expect(parseFlags(['-help'], defs).help).toBe(true);
  });
});
