/** promtool's duplicate-rules lint: same name and labels, reported once, sorted. */

import { describe, expect, it } from 'vitest';
import { duplicateRules, duplicateRulesMessage } from './lint.js';

describe('duplicate rules', () => {
  it('finds rules with equal names and labels whatever their expressions', () => {
    const groups = [
      { name: 'a', rules: [{ alert: 'X', expr: 'up' }, { record: 'r', expr: 'a', labels: { b: '2', a: '1' } }] },
      { name: 'b', rules: [{ alert: 'X', expr: 'down' }, { alert: 'X', expr: 'up' }, { record: 'r', expr: 'b', labels: { a: '1', b: '2' } }, { record: 'r', expr: 'c', labels: { a: '1' } }] },
    ];
    expect(duplicateRules(groups).map((d) => d.metric)).toEqual(['X', 'r']);
    expect(duplicateRulesMessage(groups)).toBe(
      'lint error 2 duplicate rule(s) found.\nMetric: X\nLabel(s):\nMetric: r\nLabel(s):\n\ta: 1\n\tb: 2\nMight cause inconsistency while recording expressions',
    );
  });

  it('is silent when names or labels differ', () => {
    expect(duplicateRulesMessage([{ name: 'a', rules: [{ alert: 'X', expr: 'up', labels: { s: 'a' } }, { alert: 'X', expr: 'up', labels: { s: 'b' } }, { record: 'X', expr: 'up' }] }])).toBeNull();
  });
});
