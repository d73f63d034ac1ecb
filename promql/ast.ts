/**
 * The PromQL abstract syntax tree, as Prometheus 2.42 builds it (promql/parser/ast.go).
 *
 * Every node has a `kind` and a position range `pos` holding start and end offsets into the
 * parsed input (UTF-16 code-unit offsets of the JS string; error messages convert them to
 * Prometheus's byte-based line:column). Durations and offsets are in milliseconds, `@`
 * timestamps in milliseconds since the epoch, as Prometheus stores them.
 */

import type { Matcher } from '../tsdb/matchers.js';
import type { FunctionDef } from './functions.js';

export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

/** Start and end offsets of a node in the input; `end` is exclusive. */
export interface PositionRange {
  readonly start: number;
  readonly end: number;
}

export type AggregateOp = 'sum' | 'avg' | 'count' | 'min' | 'max' | 'group' | 'stddev' | 'stdvar' | 'topk' | 'bottomk' | 'quantile' | 'count_values';

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^' | 'atan2';
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';
export type SetOp = 'and' | 'or' | 'unless';
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp;

/** How a binary operation between two instant vectors pairs their elements. */
export type Cardinality = 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';

export interface VectorMatching {
  card: Cardinality;
  /** The labels of `on (...)` (when `on` is true) or `ignoring (...)`. */
  matchingLabels: string[];
  on: boolean;
  /** The extra labels of `group_left (...)` / `group_right (...)`. */
  include: string[];
}

/** `@ start()` / `@ end()`. */
export type AtPreprocessor = 'start' | 'end';

export interface NumberLiteral {
  readonly kind: 'NumberLiteral';
  val: number;
  pos: PositionRange;
}

export interface StringLiteral {
  readonly kind: 'StringLiteral';
  val: string;
  pos: PositionRange;
}

export interface VectorSelector {
  readonly kind: 'VectorSelector';
  /** The metric name written before the braces, or "". */
  name: string;
  /** All matchers, the one for `name` (if any) last, as Prometheus orders them. */
  matchers: Matcher[];
  /** `offset` in ms (negative for `offset -5m`); 0 when absent. */
  offset: number;
  /** `@ <timestamp>` in ms, or null. */
  timestamp: number | null;
  startOrEnd: AtPreprocessor | null;
  pos: PositionRange;
}

export interface MatrixSelector {
  readonly kind: 'MatrixSelector';
  /** Always a VectorSelector in a valid tree (Prometheus reports anything else). */
  vectorSelector: Expr;
  /** The range in ms. */
  range: number;
  pos: PositionRange;
}

export interface SubqueryExpr {
  readonly kind: 'SubqueryExpr';
  expr: Expr;
  range: number;
  /** The step in ms; 0 when omitted (`[5m:]`). */
  step: number;
  offset: number;
  timestamp: number | null;
  startOrEnd: AtPreprocessor | null;
  pos: PositionRange;
}

export interface ParenExpr {
  readonly kind: 'ParenExpr';
  expr: Expr;
  pos: PositionRange;
}

export interface UnaryExpr {
  readonly kind: 'UnaryExpr';
  op: '+' | '-';
  expr: Expr;
  pos: PositionRange;
}

export interface BinaryExpr {
  readonly kind: 'BinaryExpr';
  op: BinaryOp;
  lhs: Expr;
  rhs: Expr;
  returnBool: boolean;
  /** Null unless both sides are instant vectors (Prometheus clears it otherwise). */
  vectorMatching: VectorMatching | null;
  pos: PositionRange;
}

export interface AggregateExpr {
  readonly kind: 'AggregateExpr';
  op: AggregateOp;
  expr: Expr;
  /** The parameter of topk, bottomk, quantile and count_values, else null. */
  param: Expr | null;
  grouping: string[];
  without: boolean;
  pos: PositionRange;
}

export interface Call {
  readonly kind: 'Call';
  func: FunctionDef;
  args: Expr[];
  pos: PositionRange;
}

export type Expr = NumberLiteral | StringLiteral | VectorSelector | MatrixSelector | SubqueryExpr | ParenExpr | UnaryExpr | BinaryExpr | AggregateExpr | Call;

export type ExprKind = Expr['kind'];

/** For `default:` branches of `switch (node.kind)`: a compile error when a kind is missed. */
export function assertNever(x: never): never {
  throw new Error(`unexpected node ${JSON.stringify(x)}`);
}

/** The type of value the expression evaluates to (Prometheus's `Expr.Type()`). */
export function typeOf(node: Expr): ValueType {
  switch (node.kind) {
    case 'NumberLiteral':
      return 'scalar';
    case 'StringLiteral':
      return 'string';
    case 'VectorSelector':
    case 'AggregateExpr':
      return 'vector';
    case 'MatrixSelector':
    case 'SubqueryExpr':
      return 'matrix';
    case 'ParenExpr':
    case 'UnaryExpr':
      return typeOf(node.expr);
    case 'BinaryExpr':
      return typeOf(node.lhs) === 'scalar' && typeOf(node.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'Call':
      return node.func.returnType;
    default:
      return assertNever(node);
  }
}

/** The user-facing name of a value type, as in Prometheus's error messages. */
export function documentedType(t: ValueType | 'none'): string {
  switch (t) {
    case 'vector':
      return 'instant vector';
    case 'matrix':
      return 'range vector';
    default:
      return t;
  }
}

/** The expression inside any number of parentheses. */
export function unwrapParens(e: Expr): Expr {
  while (e.kind === 'ParenExpr') e = e.expr;
  return e;
}

/** The direct children of a node, in source order. */
export function children(node: Expr): Expr[] {
  switch (node.kind) {
    case 'NumberLiteral':
    case 'StringLiteral':
    case 'VectorSelector':
      return [];
    case 'MatrixSelector':
      return [node.vectorSelector];
    case 'SubqueryExpr':
    case 'ParenExpr':
    case 'UnaryExpr':
      return [node.expr];
    case 'BinaryExpr':
      return [node.lhs, node.rhs];
    case 'AggregateExpr':
      return node.param ? [node.param, node.expr] : [node.expr];
    case 'Call':
      return node.args;
    default:
      return assertNever(node);
  }
}

export function isComparisonOp(op: BinaryOp): op is ComparisonOp {
  return op === '==' || op === '!=' || op === '>' || op === '<' || op === '>=' || op === '<=';
}

export function isSetOp(op: BinaryOp): op is SetOp {
  return op === 'and' || op === 'or' || op === 'unless';
}
