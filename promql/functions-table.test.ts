import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from './functions.js';
import { FUNCTION_IMPLS } from './functions-table.js';

describe('function implementation table', () => {
  it('implements every function of the parser table, in the right shape', () => {
    for (const def of FUNCTIONS.values()) {
      const impl = FUNCTION_IMPLS.get(def.name);
      expect(impl, def.name).toBeDefined();
      const expected = def.argTypes.includes('matrix') ? 'range' : def.returnType === 'scalar' ? 'scalar' : 'instant';
      expect(impl?.kind, def.name).toBe(expected);
    }
    expect([...FUNCTION_IMPLS.keys()].filter((n) => !FUNCTIONS.has(n))).toEqual([]);
  });
});
