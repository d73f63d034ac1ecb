import { describe, expect, it } from 'vitest';
import { buildBlock, displayValue, opt, parseFlagValue } from './options.js';

const block = {
  secret_key: opt('string', 's3.secret-access-key', '', 'A secret.', { secret: true }),
  period: opt('duration', 'x.period', 10_000, 'A duration.'),
  mode: opt('string', 'x.mode', 'a', 'A choice.', { oneOf: ['a', 'b'] }),
};

describe('options', () => {
  it('masks secrets when shown, and only when set', () => {
    expect(displayValue(block.secret_key, 'hunter2')).toBe('********');
    expect(displayValue(block.secret_key, '')).toBe('');
    expect(displayValue(block.period, 90_000)).toBe('1m30s');
  });

  it('builds a frozen block: defaults, YAML, then flags', () => {
    const v = buildBlock('x', block, { period: '1m' }, new Map([['x.mode', 'b']]));
    expect(v).toEqual({ secret_key: '', period: 60_000, mode: 'b' });
    expect(Object.isFrozen(v)).toBe(true);
  });

  it('names the key and the flag of a bad value', () => {
    expect(() => buildBlock('x', block, { mode: 'c' })).toThrow(/invalid configuration at x\.mode/);
    expect(() => buildBlock('x', block, { period: 'soon' })).toThrow(/x\.period/);
    expect(() => parseFlagValue(block.mode, 'c')).toThrow(/-x\.mode: must be one of a, b/);
  });
});
