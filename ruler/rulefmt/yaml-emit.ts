/**
 * A YAML writer for rule groups with gopkg.in/yaml.v3's layout (what Cortex/Mimir's rules API and
 * Prometheus marshal with): block style, four-space indentation where a collection under a key
 * goes to the next multiple of four and a mapping in a sequence item starts after `- `; strings
 * plain when they read back as the same string, else single-quoted, else double-quoted;
 * multi-line strings as literal blocks; empty collections as `{}` and `[]`.
 */

import { resolve } from './yaml-tree.js';

export type EmitValue = string | number | EmitMap | readonly EmitValue[];
/** A mapping in key order. */
export interface EmitMap {
  readonly entries: readonly (readonly [string, EmitValue])[];
}

const BEST_INDENT = 4;

function isMap(v: EmitValue): v is EmitMap {
  return typeof v === 'object' && !Array.isArray(v) && 'entries' in v;
}

/** The indentation of a collection under a mapping key (yaml.v3's "align to the chosen indentation"). */
function nextIndent(indent: number): number {
  return BEST_INDENT * Math.floor((indent + BEST_INDENT) / BEST_INDENT);
}

const OLD_BOOLS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF']);
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
/** Would yaml.v3 read this plain text back as something other than a string? (`<<` it writes plain.) */
function resolvesToNonString(s: string): boolean {
  const tag = resolve('', s).tag;
  return tag !== '!!str' && tag !== '!!merge';
}

interface Analysis {
  readonly multiline: boolean;
  readonly blockPlain: boolean;
  readonly singleQuoted: boolean;
  readonly block: boolean;
}

const isBreak = (c: string): boolean => c === '\n' || c === '\r' || c === '\u0085' || c === '\u2028' || c === '\u2029';
const isSpace = (c: string): boolean => c === ' ';
const isBlankOrEnd = (c: string | undefined): boolean => c === undefined || c === ' ' || c === '\t' || isBreak(c);

/** libyaml's is_printable: it knows no characters beyond the BMP. */
function isPrintable(cp: number): boolean {
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff)
  );
}

/** libyaml's yaml_emitter_analyze_scalar, for block context. */
function analyze(s: string): Analysis {
  if (s === '') return { multiline: false, blockPlain: false, singleQuoted: true, block: false };
  const chars = Array.from(s);
  let blockIndicators = false;
  let lineBreaks = false;
  let special = false;
  let tabs = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let prevSpace = false;
  let prevBreak = false;
  if (s.startsWith('---') || s.startsWith('...')) blockIndicators = true;
  let precededByWhitespace = true;
  chars.forEach((c, i) => {
    const next = chars[i + 1];
    const followedByWhitespace = isBlankOrEnd(next);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) blockIndicators = true;
      if ((c === '?' || c === ':' || c === '-') && followedByWhitespace) blockIndicators = true;
    } else {
      if (c === ':' && followedByWhitespace) blockIndicators = true;
      if (c === '#' && precededByWhitespace) blockIndicators = true;
    }
    const cp = c.codePointAt(0)!;
    if (c === '\t') tabs = true;
    else if (!isPrintable(cp) || c === '\ufeff') special = true;
    if (isBreak(c)) lineBreaks = true;
    if (isSpace(c)) {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (prevBreak) breakSpace = true;
      prevSpace = true;
      prevBreak = false;
    } else if (isBreak(c)) {
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (prevSpace) spaceBreak = true;
      prevSpace = false;
      prevBreak = true;
    } else {
      prevSpace = false;
      prevBreak = false;
    }
    precededByWhitespace = c === ' ' || c === '\t' || isBreak(c);
  });
  let blockPlain = true;
  let singleQuoted = true;
  let block = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlain = false;
  if (trailingSpace) block = false;
  if (breakSpace) {
    blockPlain = false;
    singleQuoted = false;
  }
  if (spaceBreak || tabs || special) {
    blockPlain = false;
    singleQuoted = false;
  }
  if (spaceBreak || special) block = false;
  if (lineBreaks) blockPlain = false;
  if (blockIndicators) blockPlain = false;
  return { multiline: lineBreaks, blockPlain, singleQuoted, block };
}

function doubleQuoted(s: string): string {
  // libyaml's is_bom looks at the start of the string, not at the character: after a leading
  // BOM every character is escaped.
  const escapeAll = s.startsWith('\ufeff');
  let out = '"';
  for (const c of s) {
    const cp = c.codePointAt(0)!;
    if (c === '"') out += '\\"';
    else if (c === '\\') out += '\\\\';
    else if (!escapeAll && isPrintable(cp) && c !== '\n' && c !== '\ufeff') out += c;
    else if (c === '\0') out += '\\0';
    else if (c === '\x07') out += '\\a';
    else if (c === '\b') out += '\\b';
    else if (c === '\t') out += '\\t';
    else if (c === '\n') out += '\\n';
    else if (c === '\v') out += '\\v';
    else if (c === '\f') out += '\\f';
    else if (c === '\r') out += '\\r';
    else if (c === '\x1b') out += '\\e';
    else if (c === '\u0085') out += '\\N';
    else if (c === '\u00a0') out += '\\_';
    else if (c === '\u2028') out += '\\L';
    else if (c === '\u2029') out += '\\P';
    else if (cp <= 0xff) out += `\\x${cp.toString(16).toUpperCase().padStart(2, '0')}`;
    else if (cp <= 0xffff) out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).toUpperCase().padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** A literal block scalar (`|`, `|-`, `|+`, with an indentation hint when needed) at `indent`. */
function literal(s: string, indent: number): string {
  let hints = '';
  if (s[0] === ' ' || (s[0] !== undefined && isBreak(s[0]))) hints += String(BEST_INDENT);
  const last = s[s.length - 1];
  if (last === undefined || !isBreak(last)) hints += '-';
  else if (s.length === 1 || isBreak(s[s.length - 2]!)) hints += '+';
  // The header's line break stands for a leading break; the last line's break for a trailing one.
  let content = s[0] !== undefined && isBreak(s[0]) ? s.slice(1) : s;
  const end = content[content.length - 1];
  if (end !== undefined && isBreak(end)) content = content.slice(0, -1);
  if (content === '' && s.length <= 1) return `|${hints}`;
  const pad = ' '.repeat(indent);
  const body = content
    .split('\n')
    .map((line) => (line === '' ? '' : pad + line))
    .join('\n');
  return `|${hints}\n${body}`;
}

/** A string scalar; `key` is yaml.v3's simple-key context; `blockIndent` is where a literal's lines go. */
function scalar(s: string, key: boolean, blockIndent: number): string {
  const a = analyze(s);
  const canUsePlain = !resolvesToNonString(s) && !OLD_BOOLS.has(s) && !BASE60_FLOAT.test(s);
  let style: 'plain' | 'single' | 'double' | 'literal' = s.includes('\n') ? 'literal' : canUsePlain ? 'plain' : 'double';
  if (style === 'plain') {
    if (!a.blockPlain || (s === '' && key)) style = 'single';
  }
  if (style === 'single' && !a.singleQuoted) style = 'double';
  if (style === 'literal' && (!a.block || key)) style = 'double';
  if (key && a.multiline && style !== 'double') style = 'double';
  switch (style) {
    case 'plain':
      return s;
    case 'single':
      // A line or paragraph separator breaks the line; the text goes on at the block indentation.
      return `'${s.replaceAll("'", "''").replace(/([\u2028\u2029]+)(?=[^\u2028\u2029])/g, `$1${' '.repeat(blockIndent)}`)}'`;
    case 'double':
      return doubleQuoted(s);
    case 'literal':
      return literal(s, blockIndent);
  }
}

function value(v: string | number, blockIndent: number): string {
  return typeof v === 'number' ? String(v) : scalar(v, false, blockIndent);
}

/** libyaml writes a key longer than 128 bytes, or of several lines, as an explicit `? key` / `: value` pair. */
const MAX_SIMPLE_KEY_BYTES = 128;

function emitMap(m: EmitMap, indent: number, firstInline: boolean, out: string[]): void {
  m.entries.forEach(([k, v], i) => {
    const prefix = i === 0 && firstInline ? '' : ' '.repeat(indent);
    if (Buffer.byteLength(k, 'utf8') > MAX_SIMPLE_KEY_BYTES || analyze(k).multiline) {
      out.push(`${prefix}? ${scalar(k, false, nextIndent(indent))}`);
      emitValue(`${' '.repeat(indent)}:`, v, indent, out);
      return;
    }
    emitValue(`${prefix}${scalar(k, true, 0)}:`, v, indent, out);
  });
}

/** Writes `head` (a key with its colon, or a `- ` item prefix) followed by the value. */
function emitValue(head: string, v: EmitValue, indent: number, out: string[]): void {
  if (typeof v === 'string' || typeof v === 'number') {
    out.push(`${head} ${value(v, nextIndent(indent))}`);
  } else if (isMap(v)) {
    if (v.entries.length === 0) out.push(`${head} {}`);
    else {
      out.push(head);
      emitMap(v, nextIndent(indent), false, out);
    }
  } else if (v.length === 0) {
    out.push(`${head} []`);
  } else {
    out.push(head);
    emitSeq(v, nextIndent(indent), out);
  }
}

function emitSeq(items: readonly EmitValue[], indent: number, out: string[]): void {
  const dash = `${' '.repeat(indent)}- `;
  for (const item of items) {
    if (isMap(item) && item.entries.length > 0) {
      const lines: string[] = [];
      emitMap(item, indent + 2, true, lines);
      lines[0] = dash + lines[0]!;
      out.push(...lines);
    } else if (typeof item === 'string' || typeof item === 'number') {
      out.push(dash + value(item, indent + 2));
    } else if (isMap(item)) {
      out.push(`${dash}{}`);
    } else {
      out.push(item.length === 0 ? `${dash}[]` : `${dash.trimEnd()}`);
      if (item.length > 0) emitSeq(item, indent + 2, out);
    }
  }
}

/** The YAML document for a top-level mapping, newline-terminated. */
export function emitYaml(doc: EmitMap): string {
  const out: string[] = [];
  if (doc.entries.length === 0) return '{}\n';
  emitMap(doc, 0, false, out);
  return `${out.join('\n')}\n`;
}

const LETTER = /^\p{L}$/u;
const DIGIT = /^\p{Nd}$/u;

/** yaml.v3's order of string map keys (sorter.go): letters after other characters, digit runs by value. */
export function goMapKeyLess(a: string, b: string): boolean {
  const ar = Array.from(a);
  const br = Array.from(b);
  let digits = false;
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ca = ar[i]!;
    const cb = br[i]!;
    if (ca === cb) {
      digits = DIGIT.test(ca);
      continue;
    }
    const al = LETTER.test(ca);
    const bl = LETTER.test(cb);
    if (al && bl) return ca.codePointAt(0)! < cb.codePointAt(0)!;
    if (al || bl) return digits ? al : bl;
    let an = 0n;
    let bn = 0n;
    if (ca === '0' || cb === '0') {
      for (let j = i - 1; j >= 0 && DIGIT.test(ar[j]!); j--) {
        if (ar[j] !== '0') {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && DIGIT.test(ar[ai]!); ai++) an = an * 10n + BigInt(ar[ai]!.codePointAt(0)! - 48);
    for (; bi < br.length && DIGIT.test(br[bi]!); bi++) bn = bn * 10n + BigInt(br[bi]!.codePointAt(0)! - 48);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ca.codePointAt(0)! < cb.codePointAt(0)!;
  }
  return ar.length < br.length;
}
