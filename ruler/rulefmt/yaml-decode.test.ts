/** decodeYaml on shapes of its own: Go type names in errors, null handling, the alias-bomb guard. */

import { describe, expect, it } from 'vitest';
import { decodeYaml, type GoShape } from './yaml-decode.js';
import { parseYamlTree } from './yaml-tree.js';

const strings: GoShape = { kind: 'slice', goType: '[]string', elem: { kind: 'string' } };

describe('decodeYaml', () => {
  it('decodes any scalar into a string and leaves null out', () => {
    const r = decodeYaml(parseYamlTree('[a, 5, true, ~, "", 0x1F]'), strings, true);
    expect(r).toEqual({ value: ['a', '5', 'true', '', '0x1F'], errors: [] });
  });

  it('names the Go type a node could not go into', () => {
    const nested: GoShape = { kind: 'slice', goType: '[][]string', elem: strings };
    const r = decodeYaml(parseYamlTree('- [a]\n- b\n- {c: d}\n'), nested, true);
    expect(r.errors).toEqual(['line 2: cannot unmarshal !!str `b` into []string', 'line 3: cannot unmarshal !!map into []string']);
  });

  it('stops an alias bomb with yaml.v3\'s message', () => {
    let shape: GoShape = { kind: 'string' };
    for (let i = 0; i < 10; i++) shape = { kind: 'slice', goType: `[]${i}`, elem: shape };
    let src = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 9; i++) src += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
    src += 'b: *a8\n';
    const doc = parseYamlTree(src)!;
    const b = doc.content[doc.content.length - 1]!;
    expect(() => decodeYaml(b, shape, true)).toThrow('yaml: document contains excessive aliasing');
  });
});
