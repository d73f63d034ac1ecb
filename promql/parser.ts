/**
 * The PromQL parser: recursive descent with precedence climbing over the scanner's tokens,
 * accepting exactly Prometheus 2.42's grammar (promql/parser/generated_parser.y) and reporting
 * the errors Prometheus reports, at the same positions. Prometheus's generated LALR parser
 * recovers from a syntax error at the nearest enclosing rule with an `error` alternative; the
 * same choice is made here by naming the context at each failure point (label matching,
 * grouping options, offset, @, subquery brackets) or else the enclosing aggregation or the top.
 * Errors found by actions (bad numbers, durations, regexes, modifiers) are collected and parsing
 * goes on; the first syntax error stops it. Type checking (checker.ts) runs only on a tree
 * without errors, as in Prometheus.
 */

import type { Matcher } from '../tsdb/matchers.js';
import type {
  AggregateExpr,
  AggregateOp,
  AtPreprocessor,
  BinaryExpr,
  Call,
  Expr,
  PositionRange,
  VectorSelector,
} from './ast.js';
import { checkAST } from './checker.js';
import { parseDuration } from './duration.js';
import { ParseError, type ParseErrorDetail } from './errors.js';
import { getFunction, type FunctionDef } from './functions.js';
import { BINARY_OP, BINARY_PREC, CLOSING, EXPR_START, MATCH_OP, MAYBE_LABEL, METRIC_IDENTIFIER, POW_PREC } from './grammar.js';
import { describeToken, isAggregatorToken, isLabel, Lexer, type Token, type TokenType } from './lexer.js';
import { goFormatF, newMatcher, parseNumber } from './literals.js';
import { goQuote, unquote } from './quote.js';

/** Stops the parse after a syntax or scanner error. */
class Abort extends Error {}

interface Recovery {
  readonly context: string;
  readonly expected: string;
}
/** Vigil's own limit: nesting beyond what the JS stack holds (Prometheus has none). */
const TOO_DEEP = 'expression nested too deeply';
const TOP: Recovery = { context: '', expected: '' };
const AGGREGATION: Recovery = { context: 'aggregation', expected: '' };

function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && /call stack/i.test(e.message);
}

function range(start: number, end: number): PositionRange {
  return { start, end };
}

function tokenRange(t: Token): PositionRange {
  return range(t.pos, t.pos + t.val.length);
}

export class Parser {
  private readonly lexer: Lexer;
  private la: Token | null = null;
  /** End of the last closing token read (`)`, `]`, `}`, a number or a duration), as in Prometheus. */
  private lastClosing = 0;
  private readonly recovery: Recovery[] = [TOP];
  readonly errors: ParseErrorDetail[] = [];

  constructor(readonly input: string) {
    this.lexer = new Lexer(input);
  }

  // ---- tokens --------------------------------------------------------------------------------

  private peek(): Token {
    if (this.la) return this.la;
    let t = this.lexer.next();
    while (t.type === 'COMMENT') t = this.lexer.next();
    if (t.type === 'ERROR') {
      this.addError(range(t.pos, this.input.length), t.val);
      throw new Abort();
    }
    if (CLOSING.has(t.type)) this.lastClosing = t.pos + t.val.length;
    this.la = t;
    return t;
  }

  private consume(): Token {
    const t = this.peek();
    this.la = null;
    return t;
  }

  private addError(pos: PositionRange, msg: string): void {
    this.errors.push({ pos, msg });
  }

  /** Prometheus's `unexpected(context, expected)` for the current token, then stop. */
  private syntaxError(at?: Recovery): never {
    const r = at ?? this.recovery[this.recovery.length - 1] ?? TOP;
    const t = this.peek();
    this.addError(tokenRange(t), unexpectedMessage(t, r));
    throw new Abort();
  }

  private expect(type: TokenType, at?: Recovery): Token {
    if (this.peek().type !== type) this.syntaxError(at);
    return this.consume();
  }

  // ---- entry points --------------------------------------------------------------------------

  /** Parses a whole expression; returns null when errors were collected. */
  parseExpression(): Expr | null {
    let expr: Expr | null = null;
    try {
      if (this.peek().type === 'EOF') {
        this.addError(range(0, 0), 'no expression found in input');
        return null;
      }
      expr = this.parseBinary(1);
      if (this.peek().type !== 'EOF') this.syntaxError();
    } catch (e) {
      if (isStackOverflow(e)) this.addError(range(0, 0), TOO_DEEP);
      else if (!(e instanceof Abort)) throw e;
      return null;
    }
    if (this.errors.length > 0) return null;
    try {
      checkAST(expr, this.input, (pos, msg) => this.addError(pos, msg));
    } catch (e) {
      if (!isStackOverflow(e)) throw e;
      this.addError(range(0, 0), TOO_DEEP);
    }
    return this.errors.length > 0 ? null : expr;
  }

  /** Parses a lone series selector, as for `match[]` (no type checks, like Prometheus). */
  parseSelector(): VectorSelector | null {
    try {
      const t = this.peek();
      let vs: VectorSelector;
      if (t.type === 'LEFT_BRACE') vs = this.parseVectorSelector(null);
      else if (METRIC_IDENTIFIER.has(t.type)) vs = this.parseVectorSelector(this.consume());
      else this.syntaxError();
      if (this.peek().type !== 'EOF') this.syntaxError();
      return this.errors.length > 0 ? null : vs;
    } catch (e) {
      if (!(e instanceof Abort)) throw e;
      return null;
    }
  }

  // ---- expressions ---------------------------------------------------------------------------

  private parseBinary(minPrec: number): Expr {
    let lhs = this.parseUnary();
    for (;;) {
      const opTok = this.peek();
      const prec = BINARY_PREC[opTok.type];
      if (prec === undefined || prec < minPrec) return lhs;
      this.consume();
      const node: BinaryExpr = {
        kind: 'BinaryExpr',
        op: BINARY_OP[opTok.type]!,
        lhs,
        rhs: lhs,
        returnBool: false,
        vectorMatching: { card: 'one-to-one', matchingLabels: [], on: false, include: [] },
        pos: range(0, 0),
      };
      this.parseBinModifiers(node);
      const rhs = this.parseBinary(opTok.type === 'POW' ? prec : prec + 1);
      node.rhs = rhs;
      node.pos = range(lhs.pos.start, rhs.pos.end);
      lhs = node;
    }
  }

  /** `bool`, `on (…)` / `ignoring (…)`, `group_left (…)` / `group_right (…)` after an operator. */
  private parseBinModifiers(node: BinaryExpr): void {
    const vm = node.vectorMatching!;
    if (this.peek().type === 'BOOL') {
      this.consume();
      node.returnBool = true;
    }
    const t = this.peek().type;
    if (t !== 'ON' && t !== 'IGNORING') return;
    this.consume();
    vm.on = t === 'ON';
    vm.matchingLabels = this.parseGroupingLabels();
    const g = this.peek().type;
    if (g !== 'GROUP_LEFT' && g !== 'GROUP_RIGHT') return;
    this.consume();
    vm.card = g === 'GROUP_LEFT' ? 'many-to-one' : 'one-to-many';
    const next = this.peek().type;
    if (next === 'LEFT_PAREN') vm.include = this.parseGroupingLabels();
    else if (!EXPR_START.has(next)) this.syntaxError(GROUPING_PAREN);
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (t.type !== 'ADD' && t.type !== 'SUB') return this.parsePostfix(this.parsePrimary());
    this.consume();
    const operand = this.parseBinary(POW_PREC);
    if (operand.kind === 'NumberLiteral') {
      if (t.type === 'SUB') operand.val *= -1;
      operand.pos = range(t.pos, operand.pos.end);
      return operand;
    }
    return { kind: 'UnaryExpr', op: t.type === 'ADD' ? '+' : '-', expr: operand, pos: range(t.pos, operand.pos.end) };
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    switch (t.type) {
      case 'NUMBER': {
        this.consume();
        return { kind: 'NumberLiteral', val: this.number(t), pos: tokenRange(t) };
      }
      case 'STRING': {
        this.consume();
        return { kind: 'StringLiteral', val: this.unquoteString(t), pos: tokenRange(t) };
      }
      case 'LEFT_PAREN': {
        this.consume();
        const expr = this.parseBinary(1);
        const close = this.expect('RIGHT_PAREN');
        return { kind: 'ParenExpr', expr, pos: range(t.pos, close.pos + 1) };
      }
      case 'LEFT_BRACE':
        return this.parseVectorSelector(null);
      case 'IDENTIFIER': {
        this.consume();
        if (this.peek().type === 'LEFT_PAREN') return this.parseCall(t);
        return this.parseVectorSelector(t);
      }
    }
    if (isAggregatorToken(t.type)) {
      this.consume();
      const n = this.peek().type;
      if (n === 'LEFT_PAREN' || n === 'BY' || n === 'WITHOUT') return this.parseAggregate(t);
      return this.parseVectorSelector(t);
    }
    if (METRIC_IDENTIFIER.has(t.type)) return this.parseVectorSelector(this.consume());
    return this.syntaxError();
  }

  /** `offset`, `@` and `[…]` after an expression; they bind tighter than any operator. */
  private parsePostfix(expr: Expr): Expr {
    for (;;) {
      const t = this.peek().type;
      if (t === 'OFFSET') {
        this.consume();
        let sign = 1;
        if (this.peek().type === 'SUB') {
          this.consume();
          sign = -1;
        }
        const d = this.duration(this.expect('DURATION', OFFSET_RECOVERY));
        this.addOffset(expr, sign * d);
      } else if (t === 'AT') {
        this.consume();
        this.parseAt(expr);
      } else if (t === 'LEFT_BRACKET') {
        expr = this.parseRange(expr, this.consume());
      } else {
        return expr;
      }
    }
  }

  private parseAt(expr: Expr): void {
    const t = this.peek();
    if (t.type === 'START' || t.type === 'END') {
      this.consume();
      this.expect('LEFT_PAREN', AT_RECOVERY);
      this.expect('RIGHT_PAREN', AT_RECOVERY);
      this.setAtPreprocessor(expr, t.type === 'START' ? 'start' : 'end');
      return;
    }
    let sign = 1;
    if (t.type === 'ADD' || t.type === 'SUB') {
      this.consume();
      if (t.type === 'SUB') sign = -1;
    }
    const n = this.expect('NUMBER', AT_RECOVERY);
    this.setTimestamp(expr, sign * this.number(n));
  }

  /** `[range]` (a matrix selector) or `[range:step]` / `[range:]` (a subquery). */
  private parseRange(expr: Expr, open: Token): Expr {
    const rng = this.duration(this.expect('DURATION', { context: 'subquery selector', expected: 'duration' }));
    const t = this.peek();
    if (t.type === 'RIGHT_BRACKET') {
      this.consume();
      let msg = '';
      if (expr.kind !== 'VectorSelector') msg = 'ranges only allowed for vector selectors';
      else if (expr.offset !== 0) msg = 'no offset modifiers allowed before range';
      else if (expr.timestamp !== null) msg = 'no @ modifiers allowed before range';
      if (msg) this.addError(range(open.pos, t.pos + 1), msg);
      return { kind: 'MatrixSelector', vectorSelector: expr, range: rng, pos: range(expr.pos.start, this.lastClosing) };
    }
    if (t.type !== 'COLON') this.syntaxError({ context: 'subquery or range', expected: '":" or "]"' });
    this.consume();
    let step = 0;
    if (this.peek().type === 'DURATION') {
      step = this.duration(this.consume());
      if (this.peek().type !== 'RIGHT_BRACKET') this.syntaxError({ context: 'subquery selector', expected: '"]"' });
    } else if (this.peek().type !== 'RIGHT_BRACKET') {
      this.syntaxError({ context: 'subquery selector', expected: 'duration or "]"' });
    }
    const close = this.consume();
    return { kind: 'SubqueryExpr', expr, range: rng, step, offset: 0, timestamp: null, startOrEnd: null, pos: range(expr.pos.start, close.pos + 1) };
  }

  // ---- aggregations and calls ----------------------------------------------------------------

  private parseAggregate(opTok: Token): AggregateExpr {
    this.recovery.push(AGGREGATION);
    let grouping: string[] = [];
    let without = false;
    let modifier = false;
    const first = this.peek().type;
    if (first === 'BY' || first === 'WITHOUT') {
      this.consume();
      grouping = this.parseGroupingLabels();
      without = first === 'WITHOUT';
      modifier = true;
    }
    if (this.peek().type !== 'LEFT_PAREN') this.syntaxError();
    const args = this.parseCallArgs();
    if (!modifier) {
      const after = this.peek().type;
      if (after === 'BY' || after === 'WITHOUT') {
        this.consume();
        grouping = this.parseGroupingLabels();
        without = after === 'WITHOUT';
      }
    }
    this.recovery.pop();
    const op = opTok.type.toLowerCase() as AggregateOp;
    const node: AggregateExpr = { kind: 'AggregateExpr', op, expr: args[0] ?? placeholder(opTok), param: null, grouping, without, pos: range(opTok.pos, this.lastClosing) };
    if (args.length === 0) {
      this.addError(node.pos, 'no arguments for aggregate expression provided');
      return node;
    }
    const withParam = op === 'topk' || op === 'bottomk' || op === 'quantile' || op === 'count_values';
    const want = withParam ? 2 : 1;
    if (withParam) node.param = args[0]!;
    if (args.length !== want) {
      this.addError(node.pos, `wrong number of arguments for aggregate expression provided, expected ${want}, got ${args.length}`);
      return node;
    }
    node.expr = args[want - 1]!;
    return node;
  }

  private parseCall(nameTok: Token): Call {
    const args = this.parseCallArgs();
    let func: FunctionDef | undefined = getFunction(nameTok.val);
    if (!func) {
      this.addError(tokenRange(nameTok), `unknown function with name ${goQuote(nameTok.val)}`);
      func = { name: nameTok.val, argTypes: [], variadic: 0, returnType: 'vector', experimental: false, nativeHistogram: false };
    }
    return { kind: 'Call', func, args, pos: range(nameTok.pos, this.lastClosing) };
  }

  /** `( expr, … )` of a call or an aggregation. */
  private parseCallArgs(): Expr[] {
    this.expect('LEFT_PAREN');
    const args: Expr[] = [];
    if (this.peek().type === 'RIGHT_PAREN') {
      this.consume();
      return args;
    }
    args.push(this.parseBinary(1));
    for (;;) {
      const t = this.peek();
      if (t.type === 'RIGHT_PAREN') {
        this.consume();
        return args;
      }
      if (t.type !== 'COMMA') this.syntaxError();
      this.consume();
      if (EXPR_START.has(this.peek().type)) args.push(this.parseBinary(1));
      else this.addError(tokenRange(t), 'trailing commas not allowed in function call args');
    }
  }

  /** `( label, … )` after by, without, on, ignoring, group_left and group_right. */
  private parseGroupingLabels(): string[] {
    this.expect('LEFT_PAREN', GROUPING_PAREN);
    const labels: string[] = [];
    if (this.peek().type === 'RIGHT_PAREN') {
      this.consume();
      return labels;
    }
    for (;;) {
      const t = this.peek();
      if (!MAYBE_LABEL.has(t.type)) this.syntaxError(GROUPING_LABEL);
      this.consume();
      if (!isLabel(t.val)) this.addError(tokenRange(t), unexpectedMessage(t, GROUPING_LABEL));
      labels.push(t.val);
      const n = this.peek().type;
      if (n === 'RIGHT_PAREN') break;
      if (n !== 'COMMA') this.syntaxError({ context: 'grouping opts', expected: '"," or ")"' });
      this.consume();
      if (this.peek().type === 'RIGHT_PAREN') break;
    }
    this.consume();
    return labels;
  }

  // ---- selectors -----------------------------------------------------------------------------

  private parseVectorSelector(nameTok: Token | null): VectorSelector {
    const vs: VectorSelector = {
      kind: 'VectorSelector',
      name: nameTok?.val ?? '',
      matchers: [],
      offset: 0,
      timestamp: null,
      startOrEnd: null,
      pos: nameTok ? tokenRange(nameTok) : range(this.peek().pos, 0),
    };
    if (!nameTok || this.peek().type === 'LEFT_BRACE') {
      const end = this.parseLabelMatchers(vs.matchers);
      vs.pos = range(vs.pos.start, end);
    }
    if (vs.name !== '') vs.matchers.push(newMatcher('=', '__name__', vs.name));
    return vs;
  }

  /** `{ l op "v", … }`; returns the end offset of the `}`. */
  private parseLabelMatchers(out: Matcher[]): number {
    this.expect('LEFT_BRACE');
    if (this.peek().type === 'RIGHT_BRACE') return this.consume().pos + 1;
    for (;;) {
      const label = this.peek();
      if (label.type !== 'IDENTIFIER') this.syntaxError(MATCHER_START);
      this.consume();
      const opTok = this.peek();
      const op = MATCH_OP[opTok.type];
      if (!op) this.syntaxError({ context: 'label matching', expected: 'label matching operator' });
      this.consume();
      const value = this.expect('STRING', { context: 'label matching', expected: 'string' });
      const v = this.unquoteString(value);
      try {
        out.push(newMatcher(op, label.val, v));
      } catch (e) {
        this.addError(range(label.pos, value.pos + value.val.length), (e as Error).message);
      }
      const n = this.peek().type;
      if (n === 'RIGHT_BRACE') return this.consume().pos + 1;
      if (n !== 'COMMA') this.syntaxError({ context: 'label matching', expected: '"," or "}"' });
      this.consume();
      if (this.peek().type === 'RIGHT_BRACE') return this.consume().pos + 1;
    }
  }

  // ---- modifiers -----------------------------------------------------------------------------

  private addOffset(e: Expr, offset: number): void {
    let target: VectorSelector | Extract<Expr, { kind: 'SubqueryExpr' }>;
    if (e.kind === 'VectorSelector' || e.kind === 'SubqueryExpr') target = e;
    else if (e.kind === 'MatrixSelector') {
      if (e.vectorSelector.kind !== 'VectorSelector') {
        this.addError(e.pos, 'ranges only allowed for vector selectors');
        return;
      }
      target = e.vectorSelector;
    } else {
      this.addError(e.pos, 'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery');
      return;
    }
    if (target.offset !== 0) this.addError(e.pos, 'offset may not be set multiple times');
    else target.offset = offset;
    e.pos = range(e.pos.start, this.lastClosing);
  }

  private atTarget(e: Expr): VectorSelector | Extract<Expr, { kind: 'SubqueryExpr' }> | null {
    let target: VectorSelector | Extract<Expr, { kind: 'SubqueryExpr' }>;
    if (e.kind === 'VectorSelector' || e.kind === 'SubqueryExpr') target = e;
    else if (e.kind === 'MatrixSelector') {
      if (e.vectorSelector.kind !== 'VectorSelector') {
        this.addError(e.pos, 'ranges only allowed for vector selectors');
        return null;
      }
      target = e.vectorSelector;
    } else {
      this.addError(e.pos, '@ modifier must be preceded by an instant vector selector or range vector selector or a subquery');
      return null;
    }
    if (target.timestamp !== null || target.startOrEnd !== null) {
      this.addError(e.pos, '@ <timestamp> may not be set multiple times');
      return null;
    }
    return target;
  }

  private setTimestamp(e: Expr, ts: number): void {
    if (!Number.isFinite(ts) || ts >= 9223372036854775807 || ts <= -9223372036854775808) {
      this.addError(e.pos, `timestamp out of bounds for @ modifier: ${goFormatF(ts)}`);
    }
    const target = this.atTarget(e);
    if (!target) return;
    const ms = ts * 1000;
    target.timestamp = Number.isFinite(ms) ? Math.sign(ms) * Math.round(Math.abs(ms)) + 0 : 0;
    e.pos = range(e.pos.start, this.lastClosing);
  }

  private setAtPreprocessor(e: Expr, p: AtPreprocessor): void {
    const target = this.atTarget(e);
    if (!target) return;
    target.startOrEnd = p;
    e.pos = range(e.pos.start, this.lastClosing);
  }

  // ---- literals ------------------------------------------------------------------------------

  private number(t: Token): number {
    try {
      return parseNumber(t.val);
    } catch (e) {
      this.addError(tokenRange(t), `error parsing number: ${(e as Error).message}`);
      return 0;
    }
  }

  private duration(t: Token): number {
    try {
      const d = parseDuration(t.val);
      if (d === 0) throw new Error('duration must be greater than 0');
      return d;
    } catch (e) {
      this.addError(tokenRange(t), (e as Error).message);
      return 0;
    }
  }

  private unquoteString(t: Token): string {
    try {
      return unquote(t.val);
    } catch (e) {
      this.addError(tokenRange(t), `error unquoting string ${goQuote(t.val)}: ${(e as Error).message}`);
      return '';
    }
  }
}

const GROUPING_PAREN: Recovery = { context: 'grouping opts', expected: '"("' };
const GROUPING_LABEL: Recovery = { context: 'grouping opts', expected: 'label' };
const MATCHER_START: Recovery = { context: 'label matching', expected: 'identifier or "}"' };
const OFFSET_RECOVERY: Recovery = { context: 'offset', expected: 'duration' };
const AT_RECOVERY: Recovery = { context: '@', expected: 'timestamp' };

function unexpectedMessage(t: Token, r: Recovery): string {
  let msg = `unexpected ${describeToken(t)}`;
  if (r.context) msg += ` in ${r.context}`;
  if (r.expected) msg += `, expected ${r.expected}`;
  return msg;
}

function placeholder(t: Token): Expr {
  return { kind: 'NumberLiteral', val: 0, pos: tokenRange(t) };
}

/** Parses a PromQL expression; throws ParseError with Prometheus's message on any error. */
export function parseExpr(input: string): Expr {
  const p = new Parser(input);
  const expr = p.parseExpression();
  if (!expr) throw new ParseError(input, p.errors);
  return expr;
}

/** Parses a series selector (`match[]`) into its matchers, like Prometheus's ParseMetricSelector. */
export function parseMetricSelector(input: string): Matcher[] {
  const p = new Parser(input);
  const vs = p.parseSelector();
  if (!vs) throw new ParseError(input, p.errors);
  return vs.matchers;
}
