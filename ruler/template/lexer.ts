/**
 * The lexer of Go's text/template, as Prometheus's rule templates use it: text and `{{ }}`
 * actions with the trim markers `{{- ` and ` -}}`, comments, and inside actions identifiers,
 * fields, variables, strings (quoted and raw), characters, numbers, `|`, `(`, `)`, `:=`, `=`, `,`.
 */

export type TokKind =
  | 'text'
  | 'open'
  | 'close'
  | 'ident'
  | 'field'
  | 'var'
  | 'string'
  | 'char'
  | 'number'
  | 'dot'
  | 'pipe'
  | 'lparen'
  | 'rparen'
  | 'declare'
  | 'assign'
  | 'comma'
  | 'eof';

export interface Tok {
  readonly kind: TokKind;
  readonly val: string;
  readonly pos: number;
  readonly line: number;
}

export class LexError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlnum = (c: string): boolean => /[A-Za-z0-9_]/.test(c) || c > '\x7f';

export function lex(input: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  let line: number;
  const lineAt = (p: number): number => {
    let n = 1;
    for (let k = 0; k < p && k < input.length; k++) if (input[k] === '\n') n++;
    return n;
  };
  while (i < input.length) {
    const open = input.indexOf('{{', i);
    let textEnd = open < 0 ? input.length : open;
    const trimLeft = open >= 0 && input[open + 2] === '-' && isSpace(input[open + 3] ?? '');
    if (trimLeft) while (textEnd > i && isSpace(input[textEnd - 1]!)) textEnd--;
    if (textEnd > i) out.push({ kind: 'text', val: input.slice(i, textEnd), pos: i, line: lineAt(i) });
    if (open < 0) break;
    line = lineAt(open);
    out.push({ kind: 'open', val: '{{', pos: open, line });
    let p = open + 2 + (trimLeft ? 2 : 0);
    // Comment.
    let q = p;
    while (q < input.length && isSpace(input[q]!)) q++;
    if (input.startsWith('/*', q)) {
      const end = input.indexOf('*/', q + 2);
      if (end < 0) throw new LexError('unclosed comment', line);
      let r = end + 2;
      let trimRight = false;
      if (input.startsWith(' -}}', r)) {
        trimRight = true;
        r += 4;
      } else if (input.startsWith('}}', r)) r += 2;
      else throw new LexError('comment ends before closing delimiter', line);
      out.pop();
      i = r;
      if (trimRight) while (i < input.length && isSpace(input[i]!)) i++;
      continue;
    }
    for (;;) {
      if (p >= input.length) throw new LexError('unclosed action', line);
      const c = input[p]!;
      if (isSpace(c)) {
        if (input.startsWith('-}}', p + 1)) {
          out.push({ kind: 'close', val: '}}', pos: p, line: lineAt(p) });
          p += 4;
          while (p < input.length && isSpace(input[p]!)) p++;
          break;
        }
        p++;
        continue;
      }
      if (input.startsWith('}}', p)) {
        out.push({ kind: 'close', val: '}}', pos: p, line: lineAt(p) });
        p += 2;
        break;
      }
      const start = p;
      const push = (kind: TokKind, val: string): void => {
        out.push({ kind, val, pos: start, line: lineAt(start) });
      };
      if (c === '|') {
        push('pipe', '|');
        p++;
      } else if (c === '(') {
        push('lparen', '(');
        p++;
      } else if (c === ')') {
        push('rparen', ')');
        p++;
      } else if (c === ',') {
        push('comma', ',');
        p++;
      } else if (c === ':' && input[p + 1] === '=') {
        push('declare', ':=');
        p += 2;
      } else if (c === '=') {
        push('assign', '=');
        p++;
      } else if (c === '"') {
        let q2 = p + 1;
        while (q2 < input.length && input[q2] !== '"') {
          if (input[q2] === '\\') q2++;
          if (input[q2] === '\n') throw new LexError('unterminated quoted string', line);
          q2++;
        }
        if (q2 >= input.length) throw new LexError('unterminated quoted string', line);
        push('string', input.slice(p, q2 + 1));
        p = q2 + 1;
      } else if (c === '`') {
        const end = input.indexOf('`', p + 1);
        if (end < 0) throw new LexError('unterminated raw quoted string', line);
        push('string', input.slice(p, end + 1));
        p = end + 1;
      } else if (c === "'") {
        let q2 = p + 1;
        while (q2 < input.length && input[q2] !== "'") {
          if (input[q2] === '\\') q2++;
          q2++;
        }
        if (q2 >= input.length) throw new LexError('unterminated character constant', line);
        push('char', input.slice(p, q2 + 1));
        p = q2 + 1;
      } else if (c === '$') {
        let q2 = p + 1;
        while (q2 < input.length && isAlnum(input[q2]!)) q2++;
        push('var', input.slice(p, q2));
        p = q2;
      } else if (c === '.') {
        if (/[0-9]/.test(input[p + 1] ?? '')) {
          const m = /^\.[0-9][0-9_]*(?:[eE][+-]?[0-9]+)?/.exec(input.slice(p))!;
          push('number', m[0]);
          p += m[0].length;
        } else if (isAlnum(input[p + 1] ?? '') ) {
          let q2 = p + 1;
          while (q2 < input.length && isAlnum(input[q2]!)) q2++;
          push('field', input.slice(p, q2));
          p = q2;
        } else {
          push('dot', '.');
          p++;
        }
      } else if (/[0-9+-]/.test(c)) {
        const m = /^[+-]?(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)/.exec(input.slice(p));
        if (!m || m[0] === '+' || m[0] === '-') throw new LexError(`bad number syntax: "${input.slice(p, p + 2)}"`, line);
        if (isAlnum(input[p + m[0].length] ?? '')) throw new LexError(`bad number syntax: "${input.slice(p, p + m[0].length + 1)}"`, line);
        push('number', m[0]);
        p += m[0].length;
      } else if (isAlnum(c)) {
        let q2 = p;
        while (q2 < input.length && isAlnum(input[q2]!)) q2++;
        push('ident', input.slice(p, q2));
        p = q2;
      } else {
        throw new LexError(`unexpected ${JSON.stringify(c)} in command`, line);
      }
    }
    i = p;
  }
  out.push({ kind: 'eof', val: '', pos: input.length, line: lineAt(input.length) });
  return out;
}
