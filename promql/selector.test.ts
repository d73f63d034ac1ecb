import { describe, expect, it } from 'vitest';
import { parseSelector } from './selector.js';

describe('parseSelector', () => {
  it.each([
    ['up', ['__name__="up"']],
    ['up{job="node"}', ['__name__="up"', 'job="node"']],
    ['{__name__=~".+"}', ['__name__=~".+"']],
    [`http_requests_total{code!="200", method!~'GET|HEAD', path=~\`/a\\d\`}`, ['__name__="http_requests_total"', 'code!="200"', 'method!~"GET|HEAD"', 'path=~"/a\\\\d"']],
    ['up{job="a\\nb\\u00e9",}', ['__name__="up"', 'job="a\\nbé"']],
    ['  node:cpu:rate5m  { } ', ['__name__="node:cpu:rate5m"']],
  ])('parses %s', (text, want) => {
    expect(parseSelector(text).map(String)).toEqual(want);
  });

  it.each([
    ['{job=~".*"}', /at least one non-empty matcher/],
    ['{}', /at least one non-empty matcher/],
    ['up{job="x"', /expected comma or right brace|expected label/],
    ['up{job=x}', /expected string/],
    ['up{job="x} ', /unterminated quoted string/],
    ['up{9a="x"}', /expected label/],
    ['up{job=~"("}', /invalid regular expression/],
    ['up{__name__="x"}', /metric name must not be set twice/],
    ['up foo', /unexpected/],
    ['', /unexpected end of input/],
  ])('refuses %j', (text, msg) => {
    expect(() => parseSelector(text)).toThrow(msg);
  });

  it('anchors regexes fully', () => {
    const [m] = parseSelector('{job=~"no"}');
    expect(m!.matches('no')).toBe(true);
    expect(m!.matches('node')).toBe(false);
  });
});
