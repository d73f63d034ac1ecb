import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { configurationReference } from './config-doc.js';

const DOC = join(import.meta.dirname, '..', 'docs', 'configuration.md');

it('docs/configuration.md agrees with the option table (UPDATE_GOLDEN=1 refreshes it)', () => {
  const text = configurationReference();
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(DOC, text);
  expect(readFileSync(DOC, 'utf8')).toBe(text);
});
