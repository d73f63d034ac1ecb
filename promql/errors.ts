/**
 * Parse errors as Prometheus reports them: `line:col: parse error: <message>`, where the column
 * counts bytes of the UTF-8 input from 1 and lines after the first start after their `\n`.
 * The parser collects every error with its position; the error's message is the first one,
 * like Prometheus's ParseErrors.Error().
 */

import type { PositionRange } from './ast.js';

export interface ParseErrorDetail {
  readonly pos: PositionRange;
  /** The bare message, e.g. `unexpected end of input`. */
  readonly msg: string;
}

/** Prometheus's ParseErr.Error() for one error of `query`. */
export function formatParseError(query: string, e: ParseErrorDetail): string {
  const pos = e.pos.start;
  if (pos < 0 || pos > query.length) return `invalid position: parse error: ${e.msg}`;
  const prefix = Buffer.from(query.slice(0, pos), 'utf8');
  let line = 1;
  let lastLineBreak = -1;
  for (let i = 0; i < prefix.length; i++) {
    if (prefix[i] === 0x0a) {
      lastLineBreak = i;
      line++;
    }
  }
  return `${line}:${prefix.length - lastLineBreak}: parse error: ${e.msg}`;
}

export class ParseError extends Error {
  override readonly name = 'ParseError';
  /** Position of the first error. */
  readonly position: PositionRange;
  readonly errors: readonly ParseErrorDetail[];

  constructor(
    readonly query: string,
    errors: readonly ParseErrorDetail[],
  ) {
    const first = errors[0] ?? { pos: { start: -1, end: -1 }, msg: 'error contains no error message' };
    super(errors.length ? formatParseError(query, first) : first.msg);
    this.position = first.pos;
    this.errors = errors;
  }
}
