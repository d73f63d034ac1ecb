/**
 * The parser of Go's text/template for rule templates: text, actions with pipelines (variable
 * declarations and assignments, commands joined by `|`, parenthesised pipelines with field
 * chains), if/else if/else, range (with `$i, $v :=`, else, break, continue), with/else. Errors
 * in Go's words (`template: NAME:LINE: …`); functions must exist when the template is parsed.
 */

import { LexError, type Tok, lex } from './lexer.js';

export type Arg =
  | { readonly k: 'field'; readonly chain: readonly string[] }
  | { readonly k: 'var'; readonly name: string; readonly chain: readonly string[] }
  | { readonly k: 'dot' }
  | { readonly k: 'ident'; readonly name: string }
  | { readonly k: 'string'; readonly v: string; readonly text: string }
  | { readonly k: 'number'; readonly v: number | bigint; readonly text: string }
  | { readonly k: 'bool'; readonly v: boolean }
  | { readonly k: 'nil' }
  | { readonly k: 'pipe'; readonly pipe: Pipe; readonly chain: readonly string[] };

export interface Command {
  readonly args: readonly Arg[];
  /** Offset of its first token in the template text (Go's node position, for error locations). */
  readonly pos: number;
}

export interface Pipe {
  readonly decl: readonly string[];
  readonly isAssign: boolean;
  readonly cmds: readonly Command[];
  readonly line: number;
}

export type Node =
  | { readonly k: 'text'; readonly text: string }
  | { readonly k: 'action'; readonly pipe: Pipe }
  | { readonly k: 'if' | 'with'; readonly pipe: Pipe; readonly list: readonly Node[]; readonly elseList: readonly Node[] | null }
  | { readonly k: 'range'; readonly pipe: Pipe; readonly list: readonly Node[]; readonly elseList: readonly Node[] | null }
  | { readonly k: 'break' | 'continue' };

export class TemplateError extends Error {}

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'break', 'continue', 'define', 'template', 'block', 'nil', 'true', 'false']);

function unquote(t: Tok): string {
  if (t.val.startsWith('`')) return t.val.slice(1, -1);
  try {
    return JSON.parse(t.val.replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1').replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b').replace(/\\'/g, "'")) as string;
  } catch {
    throw new Error(`invalid syntax: ${t.val}`);
  }
}

function parseNumber(text: string): number | bigint {
  const clean = text.replace(/_/g, '');
  if (/^[+-]?(?:0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|[0-9]+)$/.test(clean)) {
    const neg = clean.startsWith('-');
    const body = clean.replace(/^[+-]/, '');
    const v = /^0[0-7]+$/.test(body) ? BigInt('0o' + body.slice(1)) : BigInt(body);
    return neg ? -v : v;
  }
  return Number(clean);
}

export class Parser {
  private i = 0;
  private readonly toks: Tok[];
  private vars: string[][] = [['$']];
  private loopDepth = 0;

  constructor(
    private readonly name: string,
    input: string,
    private readonly funcs: ReadonlySet<string>,
  ) {
    try {
      this.toks = lex(input);
    } catch (e) {
      if (e instanceof LexError) throw new TemplateError(`template: ${name}:${e.line}: ${e.message}`);
      throw e;
    }
  }

  private err(msg: string, t: Tok = this.toks[Math.min(this.i, this.toks.length - 1)]!): never {
    throw new TemplateError(`template: ${this.name}:${t.line}: ${msg}`);
  }
  private peek(): Tok {
    return this.toks[this.i]!;
  }
  private next(): Tok {
    return this.toks[this.i++]!;
  }

  parse(): Node[] {
    const { list, end } = this.list();
    if (end !== 'eof') this.err(`unexpected {{${end}}}`);
    return list;
  }

  /** Nodes up to {{end}}, {{else}} or EOF; says which ended it. */
  private list(): { list: Node[]; end: 'eof' | 'end' | 'else' } {
    const list: Node[] = [];
    for (;;) {
      const t = this.next();
      if (t.kind === 'eof') return { list, end: 'eof' };
      if (t.kind === 'text') {
        list.push({ k: 'text', text: t.val });
        continue;
      }
      // t is '{{'
      const kw = this.peek();
      if (kw.kind === 'ident' && KEYWORDS.has(kw.val) && kw.val !== 'nil' && kw.val !== 'true' && kw.val !== 'false') {
        this.i++;
        switch (kw.val) {
          case 'end':
            this.expectClose('end');
            return { list, end: 'end' };
          case 'else':
            return { list, end: 'else' };
          case 'if':
          case 'with':
          case 'range':
            list.push(this.control(kw.val));
            continue;
          case 'break':
          case 'continue':
            if (this.loopDepth === 0) this.err(`{{${kw.val}}} outside {{range}}`);
            this.expectClose(kw.val);
            list.push({ k: kw.val });
            continue;
          default:
            this.err(`{{${kw.val}}} is not supported in rule templates`, kw);
        }
      }
      list.push({ k: 'action', pipe: this.pipeline('command', true) });
    }
  }

  private expectClose(ctx: string): void {
    const t = this.next();
    if (t.kind !== 'close') this.err(`unexpected ${describe(t)} in ${ctx}`, t);
  }

  private control(kind: 'if' | 'with' | 'range'): Node {
    this.vars.push([]);
    const pipe = this.pipeline(kind, kind === 'range' || kind === 'with' || kind === 'if');
    if (kind === 'range') this.loopDepth++;
    const body = this.list();
    if (kind === 'range') this.loopDepth--;
    let elseList: Node[] | null = null;
    if (body.end === 'eof') this.err('unexpected EOF');
    if (body.end === 'else') {
      // {{else if …}} / {{else with …}} chain into a nested node.
      const t = this.peek();
      if ((kind === 'if' || kind === 'with') && t.kind === 'ident' && t.val === kind) {
        // {{else if x}}: a nested control whose own {{end}} closes this one too.
        this.i++;
        const nested = this.control(kind);
        elseList = [nested];
      } else {
        this.expectClose('else');
        const e = this.list();
        if (e.end !== 'end') this.err(e.end === 'eof' ? 'unexpected EOF' : 'expected end; found {{else}}');
        elseList = e.list;
      }
    }
    this.vars.pop();
    return { k: kind, pipe, list: body.list, elseList } as Node;
  }

  private pipeline(context: string, allowDecl: boolean): Pipe {
    const line = this.peek().line;
    const decl: string[] = [];
    let isAssign = false;
    // Declarations: $x := / $x = / $i, $v :=
    if (allowDecl && this.peek().kind === 'var') {
      const save = this.i;
      const v1 = this.next();
      if (this.peek().kind === 'declare' || this.peek().kind === 'assign') {
        isAssign = this.next().kind === 'assign';
        decl.push(v1.val);
      } else if (this.peek().kind === 'comma' && context === 'range') {
        this.i++;
        const v2 = this.next();
        if (v2.kind !== 'var') this.err(`range can only initialize variables`);
        const op = this.next();
        if (op.kind !== 'declare' && op.kind !== 'assign') this.err(`range can only initialize variables`);
        isAssign = op.kind === 'assign';
        decl.push(v1.val, v2.val);
      } else this.i = save;
      for (const d of decl) {
        if (isAssign) {
          if (!this.vars.some((scope) => scope.includes(d))) this.err(`undefined variable "${d}"`);
        } else this.vars[this.vars.length - 1]!.push(d);
      }
    }
    const cmds: Command[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'close') {
        this.i++;
        break;
      }
      if (t.kind === 'rparen' && context === 'parenthesized pipeline') break;
      if (t.kind === 'eof') this.err(`unclosed action`);
      cmds.push(this.command(context));
      const after = this.peek();
      if (after.kind === 'pipe') {
        this.i++;
        continue;
      }
    }
    if (cmds.length === 0) this.err(`missing value for ${context}`);
    return { decl, isAssign, cmds, line };
  }

  private command(context: string): Command {
    const pos = this.peek().pos;
    const args: Arg[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'close' || t.kind === 'pipe' || t.kind === 'eof' || (t.kind === 'rparen' && context === 'parenthesized pipeline')) break;
      args.push(this.operand());
    }
    if (args.length === 0) this.err(`missing value for command`);
    return { args, pos };
  }

  private chain(): string[] {
    const out: string[] = [];
    while (this.peek().kind === 'field') out.push(this.next().val.slice(1));
    return out;
  }

  private operand(): Arg {
    const t = this.next();
    switch (t.kind) {
      case 'field': {
        return { k: 'field', chain: [t.val.slice(1), ...this.chain()] };
      }
      case 'var': {
        if (!this.vars.some((scope) => scope.includes(t.val))) this.err(`undefined variable "${t.val}"`, t);
        return { k: 'var', name: t.val, chain: this.chain() };
      }
      case 'dot':
        if (this.peek().kind === 'field') this.err(`unexpected . after term "."`);
        return { k: 'dot' };
      case 'string':
        return { k: 'string', v: unquote(t), text: t.val };
      case 'char': {
        const s = unquote({ ...t, val: `"${t.val.slice(1, -1).replace(/"/g, '\\"')}"` });
        return { k: 'number', v: BigInt(s.codePointAt(0) ?? 0), text: t.val };
      }
      case 'number': {
        const v = parseNumber(t.val);
        return { k: 'number', v, text: t.val };
      }
      case 'lparen': {
        const pipe = this.pipeline('parenthesized pipeline', false);
        const close = this.next();
        if (close.kind !== 'rparen') this.err(`unclosed left paren`, close);
        return { k: 'pipe', pipe, chain: this.chain() };
      }
      case 'ident':
        if (t.val === 'true' || t.val === 'false') return { k: 'bool', v: t.val === 'true' };
        if (t.val === 'nil') return { k: 'nil' };
        if (!this.funcs.has(t.val)) this.err(`function "${t.val}" not defined`, t);
        return { k: 'ident', name: t.val };
      default:
        return this.err(`unexpected ${describe(t)} in operand`, t);
    }
  }
}

function describe(t: Tok): string {
  switch (t.kind) {
    case 'close':
      return '"}}"';
    case 'rparen':
      return '")"';
    case 'eof':
      return 'EOF';
    default:
      return `${JSON.stringify(t.val)}`;
  }
}

/** Go's String() of a node: how a command appears in an error's `at <…>`. */
export function argString(a: Arg): string {
  switch (a.k) {
    case 'field':
      return '.' + a.chain.join('.');
    case 'var':
      return a.name + a.chain.map((c) => '.' + c).join('');
    case 'dot':
      return '.';
    case 'ident':
      return a.name;
    case 'string':
    case 'number':
      return a.text;
    case 'bool':
      return String(a.v);
    case 'nil':
      return 'nil';
    case 'pipe':
      return '(' + pipeString(a.pipe) + ')' + a.chain.map((c) => '.' + c).join('');
  }
}

export function commandString(c: Command): string {
  return c.args.map(argString).join(' ');
}

export function pipeString(p: Pipe): string {
  const decl = p.decl.length > 0 ? p.decl.join(', ') + (p.isAssign ? ' = ' : ' := ') : '';
  return decl + p.cmds.map(commandString).join(' | ');
}

export function parseTemplate(name: string, text: string, funcs: ReadonlySet<string>): Node[] {
  return new Parser(name, text, funcs).parse();
}
