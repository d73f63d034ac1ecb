/** The yaml.v3 view of a document: resolved tags, positions, and libyaml's syntax error wording. */

import { describe, expect, it } from 'vitest';
import { parseYamlTree, resolve, YamlFatalError } from './yaml-tree.js';

describe('resolve (yaml.v3 resolve.go)', () => {
  it.each([
    ['', '!!null'],
    ['~', '!!null'],
    ['Null', '!!null'],
    ['nul', '!!str'],
    ['true', '!!bool'],
    ['yes', '!!str'],
    ['5', '!!int'],
    ['-0x1F', '!!int'],
    ['0o17', '!!int'],
    ['017', '!!int'],
    ['0b2', '!!str'],
    ['1_000', '!!int'],
    ['1.5', '!!float'],
    ['.5', '!!float'],
    ['1e3', '!!float'],
    ['.inf', '!!float'],
    ['2001-01-01', '!!timestamp'],
    ['1h', '!!str'],
    ['<<', '!!merge'],
  ])('%j is %s', (text, tag) => {
    expect(resolve('', text).tag).toBe(tag);
  });

  it('gives numbers and flags integers beyond int64', () => {
    expect(resolve('', '0x10').num).toBe(16);
    expect(resolve('', '9223372036854775808').overInt64).toBe(true);
    expect(resolve('', '9223372036854775807').overInt64).toBeUndefined();
  });

  it('fails on an explicit tag that does not fit, as yaml.v3 does', () => {
    expect(() => resolve('!!int', 'abc')).toThrow('yaml: cannot decode !!str `abc` as a !!int');
    expect(resolve('!!float', '5')).toEqual({ tag: '!!float', num: 5 });
    expect(resolve('!!str', '5')).toEqual({ tag: '!!str' });
  });
});

describe('parseYamlTree', () => {
  it('places nodes as yaml.v3 does: properties first, empty values after the colon, columns in characters', () => {
    const doc = parseYamlTree('é: &a x\nb:\nc: !!str 5\n')!;
    const [, a, , b, , c] = doc.content;
    expect([a!.line, a!.column, a!.value]).toEqual([1, 4, 'x']);
    expect([b!.line, b!.column, b!.tag]).toEqual([2, 3, '!!null']);
    expect([c!.line, c!.column, c!.tag]).toEqual([3, 4, '!!str']);
  });

  it('is null for a stream without documents', () => {
    expect(parseYamlTree('')).toBeNull();
    expect(parseYamlTree('# only a comment\n')).toBeNull();
  });

  it.each([
    ['a:\n  b: x: y\n', 'yaml: line 2: mapping values are not allowed in this context'],
    ['a: "x\nb: 1\n', 'yaml: line 3: found unexpected end of stream'],
    ['a: 1\nb: "x\nc: 1\n', 'yaml: line 2: found unexpected end of stream'],
    ['a: [1, 2\n', "yaml: line 1: did not find expected ',' or ']'"],
    ['a:\n\n  b: [1,\n', 'yaml: line 3: did not find expected node content'],
    ['a: [1,', 'yaml: line 1: did not find expected node content'],
    ['a: "x', 'yaml: found unexpected end of stream'],
    ['a:\n\n  b: [1, 2\n', "yaml: line 2: did not find expected ',' or ']'"],
    ['a:\n  - b: 1\n c: 2\n', 'yaml: line 2: did not find expected key'],
    ['a: *nope\n', "yaml: unknown anchor 'nope' referenced"],
  ])('reports %j as libyaml does (checked against promtool)', (src, msg) => {
    expect(() => parseYamlTree(src)).toThrow(YamlFatalError);
    expect(() => parseYamlTree(src)).toThrow(msg);
  });
});
