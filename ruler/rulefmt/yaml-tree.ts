/**
 * A YAML document as gopkg.in/yaml.v3 sees it, built from the `yaml` package's parse: nodes with
 * yaml.v3's kind, short tag, text value and 1-based line/column (columns count characters), so
 * the rule-file decoder can print the positions and messages Prometheus prints. Only the first
 * document of a stream is read, as yaml.v3's Decoder.Decode and Unmarshal do.
 */

import { Alias, isAlias, isMap, isPair, isScalar, isSeq, type Node, parseAllDocuments, Scalar } from 'yaml';

export type YKind = 'scalar' | 'mapping' | 'sequence' | 'alias';

export interface YNode {
  readonly kind: YKind;
  /** yaml.v3's Node.Tag, short form: the explicit tag, else `!!str` for quoted and block scalars, else the resolved tag. */
  readonly tag: string;
  /** Scalar text after unquoting/folding; the anchor name for an alias; '' for collections. */
  readonly value: string;
  /** Quoted or block scalar (yaml.v3's indicatedString without a tag). */
  readonly quoted: boolean;
  readonly line: number;
  readonly column: number;
  /** Mapping: key, value, key, value…; sequence: the items. */
  readonly content: readonly YNode[];
  /** The anchored node an alias stands for. */
  readonly target?: YNode;
}

/** A failure that stops yaml.v3 at once (syntax error, bad tag, unknown anchor). */
export class YamlFatalError extends Error {}

/** The position of an absent node: yaml.v3's zero Node. */
export const ZERO_NODE: YNode = { kind: 'scalar', tag: '', value: '', quoted: false, line: 0, column: 0, content: [] };

const LONG_TAG_PREFIX = 'tag:yaml.org,2002:';

export function shortTag(tag: string): string {
  return tag.startsWith(LONG_TAG_PREFIX) ? `!!${tag.slice(LONG_TAG_PREFIX.length)}` : tag;
}

/** Parses `src`; null when the stream holds no document (yaml.v3's io.EOF). */
export function parseYamlTree(src: string): YNode | null {
  const docs = parseAllDocuments(src, { uniqueKeys: false, merge: false, version: '1.2', strict: false, logLevel: 'silent', prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [];
  const doc = list[0];
  if (!doc) return null;
  const lines = new LineIndex(src);
  const err = doc.errors[0];
  if (err) throw new YamlFatalError(syntaxMessage(src, lines, err.code, err.message, err.pos[0]));
  const anchors = new Map<string, YNode>();
  const build = (n: Node | null | undefined, fallbackOffset: number): YNode => {
    if (n === null || n === undefined) {
      const p = lines.position(fallbackOffset);
      return { kind: 'scalar', tag: '!!null', value: '', quoted: false, line: p.line, column: p.column, content: [] };
    }
    const start = n.range?.[0] ?? fallbackOffset;
    const hasProps = Boolean((n as { anchor?: string }).anchor) || Boolean(n.tag);
    const pos = lines.position(hasProps ? propsStart(src, start) : start);
    let out: YNode;
    if (isAlias(n)) {
      const a = n as Alias;
      const target = anchors.get(a.source);
      if (!target) throw new YamlFatalError(`yaml: unknown anchor '${a.source}' referenced`);
      out = { kind: 'alias', tag: '', value: a.source, quoted: false, ...pos, content: [], target };
      return out;
    }
    const explicit = n.tag ? shortTag(n.tag) : '';
    if (isScalar(n)) {
      const s = n as Scalar;
      const text = typeof s.source === 'string' ? s.source : String(s.value ?? '');
      const quoted = s.type !== undefined && s.type !== Scalar.PLAIN;
      const tag = explicit !== '' && explicit !== '!' ? explicit : quoted ? '!!str' : resolve('', text).tag;
      out = { kind: 'scalar', tag, value: text, quoted, ...pos, content: [] };
    } else if (isMap(n)) {
      const content: YNode[] = [];
      for (const item of n.items) {
        if (!isPair(item)) continue;
        const key = build(item.key as Node | null, start);
        const keyEnd = (item.key as Node | null)?.range?.[1] ?? start;
        content.push(key, build(item.value as Node | null, keyEnd + 1));
      }
      out = { kind: 'mapping', tag: explicit || '!!map', value: '', quoted: false, ...pos, content };
    } else if (isSeq(n)) {
      const content = n.items.map((item) => build(item as Node | null, start));
      out = { kind: 'sequence', tag: explicit || '!!seq', value: '', quoted: false, ...pos, content };
    } else {
      throw new YamlFatalError('yaml: unknown problem parsing YAML content');
    }
    const anchor = (n as { anchor?: string }).anchor;
    if (anchor) anchors.set(anchor, out);
    return out;
  };
  return build(doc.contents as Node | null, 0);
}

/**
 * Where a node's properties (`&anchor`, `!tag`) begin: yaml.v3 places a node there, the `yaml`
 * package after them.
 */
function propsStart(src: string, start: number): number {
  let at = start;
  for (;;) {
    let i = at;
    while (i > 0 && /\s/.test(src[i - 1]!)) i--;
    let j = i;
    while (j > 0 && !/[\s[{,]/.test(src[j - 1]!)) j--;
    if (j === i || (src[j] !== '&' && src[j] !== '!')) return at;
    at = j;
  }
}

/**
 * yaml.v3's `yaml: line N: msg` from libyaml's marks (0-based lines): the context mark's line
 * if not 0, else the problem mark's; a scanner error adds 1, a parser error does not; no line
 * at all when both are 0.
 */
function libyamlError(contextLine0: number, problemLine0: number, scanner: boolean, msg: string): string {
  const line = contextLine0 !== 0 ? contextLine0 : problemLine0;
  if (line === 0) return `yaml: ${msg}`;
  return `yaml: line ${scanner ? line + 1 : line}: ${msg}`;
}

/**
 * libyaml's wording and line for the syntax errors rule files commonly have; others keep the
 * `yaml` package's message.
 */
function syntaxMessage(src: string, lines: LineIndex, code: string, message: string, offset: number): string {
  const line = lines.position(offset).line;
  /** The 0-based line where the input ends, and where libyaml's STREAM-END token is (on a line of its own). */
  const endLine0 = lines.position(src.length).line - 1;
  const eofLine0 = endLine0 + (src.length > 0 && !src.endsWith('\n') ? 1 : 0);
  if (code === 'BLOCK_AS_IMPLICIT_KEY') {
    const colon = /:(?=[ \t\r\n]|$)/g;
    colon.lastIndex = offset;
    const m = colon.exec(src);
    return `yaml: line ${m ? lines.position(m.index).line : line}: mapping values are not allowed in this context`;
  }
  if (code === 'TAB_AS_INDENT') return `yaml: line ${Math.max(1, line - 1)}: found a tab character that violates indentation`;
  if (code === 'MISSING_CHAR' && /quote/.test(message)) {
    const q = message.includes("'") ? "'" : '"';
    let i = Math.min(offset, src.length) - 1;
    while (i >= 0 && !(src[i] === q && (q === "'" || src[i - 1] !== '\\'))) i--;
    return libyamlError(lines.position(Math.max(0, i)).line - 1, endLine0, true, 'found unexpected end of stream');
  }
  if (code === 'BAD_INDENT' && /^Flow (map|sequence) in block collection/.test(message)) {
    const open = innermostOpenBracket(src);
    if (open) {
      const last = src.trimEnd().slice(-1);
      // A missing item is reported at the end of input; a missing `,` or closing bracket in the
      // context of the open bracket.
      if (last === '[' || last === '{' || last === ',') return libyamlError(eofLine0, eofLine0, false, 'did not find expected node content');
      return libyamlError(lines.position(open.offset).line - 1, eofLine0, false, `did not find expected ',' or '${open.char === '[' ? ']' : '}'}'`);
    }
  }
  if (/^(All (mapping|sequence) items must start at the same column|Sequence item without - indicator)/.test(message)) {
    const start = enclosingMappingLine(src, offset);
    if (start !== undefined) return `yaml: line ${start !== 1 ? start - 1 : line - 1}: did not find expected key`;
  }
  return `yaml: line ${line}: ${message.replace(/ at line \d+, column \d+[\s\S]*$/, '')}`;
}

/**
 * The 1-based line where the block mapping that a mis-indented item at `offset` falls back into
 * begins: the nearest key left of the item's column, then back over its sibling keys.
 */
function enclosingMappingLine(src: string, offset: number): number | undefined {
  const all = src.slice(0, offset).split('\n');
  const rest = src.slice(offset - all[all.length - 1]!.length);
  const errCol = rest.length - rest.replace(/^[ \t]*/, '').length;
  const keyCol = (l: string): { col: number; dashed: boolean } | undefined => {
    const m = /^(\s*(?:-\s+)*)([^\s#-][^:#]*:(?:\s|$))/.exec(l);
    return m ? { col: m[1]!.length, dashed: m[1]!.includes('-') } : undefined;
  };
  let i = all.length - 2;
  let col = -1;
  for (; i >= 0; i--) {
    const k = keyCol(all[i]!);
    if (k && k.col < errCol) {
      col = k.col;
      break;
    }
  }
  if (col < 0) return undefined;
  for (; i >= 0; i--) {
    const line = all[i]!;
    const k = keyCol(line);
    if (k && k.col === col && k.dashed) return i + 1;
    const indent = line.length - line.trimStart().length;
    if (line.trim() !== '' && !line.trimStart().startsWith('#') && indent < col && !(k && k.col === col)) return i + 2;
    if (i === 0) return 1;
  }
  return 1;
}

/** The innermost `[` or `{` left open at the end of `src` (quotes and comments skipped). */
function innermostOpenBracket(src: string): { char: string; offset: number } | undefined {
  const stack: { char: string; offset: number }[] = [];
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '#' && (i === 0 || /\s/.test(src[i - 1]!))) {
      while (i < src.length && src[i] !== '\n') i++;
    } else if ((c === '"' || c === "'") && stack.length > 0) {
      for (i++; i < src.length; i++) {
        if (c === '"' && src[i] === '\\') i++;
        else if (src[i] === c) {
          if (c === "'" && src[i + 1] === "'") i++;
          else break;
        }
      }
    } else if (c === '[' || c === '{') {
      stack.push({ char: c, offset: i });
    } else if ((c === ']' || c === '}') && stack.length > 0) {
      stack.pop();
    }
  }
  return stack[stack.length - 1];
}

class LineIndex {
  private readonly starts: number[] = [0];
  constructor(private readonly src: string) {
    for (let i = 0; i < src.length; i++) if (src.charCodeAt(i) === 0x0a) this.starts.push(i + 1);
  }
  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    const lineStart = this.starts[lo]!;
    const column = Array.from(this.src.slice(lineStart, Math.max(lineStart, offset))).length + 1;
    return { line: lo + 1, column };
  }
}

/** A scalar resolved as yaml.v3 resolves it (resolve.go): its tag and, for numbers, the value. */
export interface Resolved {
  readonly tag: string;
  readonly num?: number;
  /** An integer above int64's range (Go resolves it as uint64). */
  readonly overInt64?: boolean;
}

const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const BOOLS = new Set(['true', 'True', 'TRUE', 'false', 'False', 'FALSE']);
const SPECIAL_FLOATS = new Set(['.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF']);
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const GO_INT = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const TIMESTAMP = /^\d{4}-\d{1,2}-\d{1,2}(?:[Tt ]\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d+)?(?:Z|[-+]\d\d:\d\d)?)?$/;
const RESOLVABLE = new Set(['', '!!str', '!!bool', '!!int', '!!float', '!!null', '!!timestamp']);

function goParseInt(s: string): bigint | undefined {
  if (!GO_INT.test(s)) return undefined;
  const neg = s.startsWith('-');
  const body = s.replace(/^[-+]/, '');
  let v: bigint;
  if (/^0[xXoObB]/.test(body)) v = BigInt(body.toLowerCase());
  else if (body.length > 1 && body.startsWith('0')) v = BigInt(`0o${body.slice(1)}`);
  else v = BigInt(body);
  if (neg) v = -v;
  if (v > 2n ** 64n - 1n || v < -(2n ** 63n)) return undefined;
  return v;
}

function plainResolve(text: string): Resolved {
  if (NULLS.has(text)) return { tag: '!!null' };
  if (text === '<<') return { tag: '!!merge' };
  if (BOOLS.has(text)) return { tag: '!!bool' };
  if (SPECIAL_FLOATS.has(text)) return { tag: '!!float', num: text.includes('nan') || text.includes('NaN') || text.includes('NAN') ? NaN : text.startsWith('-') ? -Infinity : Infinity };
  const c = text[0] ?? '';
  if (c === '.') {
    const f = Number(text);
    if (YAML_FLOAT.test(text) && !Number.isNaN(f)) return { tag: '!!float', num: f };
    return { tag: '!!str' };
  }
  if (!/[-+0-9]/.test(c)) return { tag: '!!str' };
  if (TIMESTAMP.test(text)) return { tag: '!!timestamp' };
  const plain = text.replaceAll('_', '');
  const i = goParseInt(plain);
  if (i !== undefined) return { tag: '!!int', num: Number(i), ...(i > 2n ** 63n - 1n ? { overInt64: true } : {}) };
  if (YAML_FLOAT.test(plain)) return { tag: '!!float', num: Number(plain) };
  return { tag: '!!str' };
}

/** yaml.v3's resolve(tag, value): throws YamlFatalError when an explicit tag does not fit. */
export function resolve(tag: string, text: string): Resolved {
  if (!RESOLVABLE.has(tag)) return { tag };
  if (tag === '!!str') return { tag };
  const r = plainResolve(text);
  if (tag === '' || tag === r.tag) return r;
  if (tag === '!!float' && r.tag === '!!int') return { tag: '!!float', num: r.num ?? 0 };
  throw new YamlFatalError(`yaml: cannot decode ${r.tag} \`${text}\` as a ${tag}`);
}
