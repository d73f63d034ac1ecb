import { describe, expect, it } from 'vitest';
import { goJson } from './go-json.js';

describe('goJson', () => {
  it("escapes what Go's encoder escapes and nothing else", () => {
    expect(goJson({ q: 'a > 0.5 & b < 2', s: 'x\u2028y\u2029', u: 'é"\\\n' })).toBe('{"q":"a \\u003e 0.5 \\u0026 b \\u003c 2","s":"x\\u2028y\\u2029","u":"é\\"\\\\\\n"}');
    expect(JSON.parse(goJson({ q: '<&>' }))).toEqual({ q: '<&>' });
    expect(goJson([1, 'plain'])).toBe('[1,"plain"]');
  });
});
