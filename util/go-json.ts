/**
 * JSON as Go's encoding/json (and Prometheus's jsoniter in its standard-library mode) writes it:
 * `<`, `>` and `&` inside strings are escaped as \u003c, \u003e and \u0026, and U+2028 and U+2029
 * as \u2028 and \u2029, so answers are byte for byte Prometheus's. Those characters only ever
 * occur inside JSON strings, so escaping them in the serialised text is exact.
 */

const GO_ESCAPED = /[<>&\u2028\u2029]/g;
const ESCAPES: Readonly<Record<string, string>> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

export function goJson(value: unknown): string {
  const s = JSON.stringify(value);
  return s.replace(GO_ESCAPED, (c) => ESCAPES[c]!);
}
