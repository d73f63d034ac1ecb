/**
 * Token classes of Prometheus 2.42's PromQL grammar (promql/parser/generated_parser.y) that the
 * parser's decisions rest on: operator precedence, the tokens that may name a metric or a
 * label, the tokens an expression can start with.
 */

import type { BinaryOp } from './ast.js';
import type { MatchType } from '../tsdb/matchers.js';
import type { TokenType } from './lexer.js';

/** Binary operator precedence, lowest first; `^` is right-associative. */
export const BINARY_PREC: Partial<Record<TokenType, number>> = {
  LOR: 1,
  LAND: 2,
  LUNLESS: 2,
  EQLC: 3,
  NEQ: 3,
  LTE: 3,
  LSS: 3,
  GTE: 3,
  GTR: 3,
  ADD: 4,
  SUB: 4,
  MUL: 5,
  DIV: 5,
  MOD: 5,
  ATAN2: 5,
  POW: 6,
};
export const POW_PREC = 6;

export const BINARY_OP: Partial<Record<TokenType, BinaryOp>> = {
  LOR: 'or', LAND: 'and', LUNLESS: 'unless', EQLC: '==', NEQ: '!=', LTE: '<=', LSS: '<', GTE: '>=', GTR: '>',
  ADD: '+', SUB: '-', MUL: '*', DIV: '/', MOD: '%', ATAN2: 'atan2', POW: '^',
};

export const MATCH_OP: Partial<Record<TokenType, MatchType>> = { EQL: '=', NEQ: '!=', EQL_REGEX: '=~', NEQ_REGEX: '!~' };

/** Tokens a metric name may be written as (keywords included, as in Prometheus). */
export const METRIC_IDENTIFIER = new Set<TokenType>([
  'AVG', 'BOTTOMK', 'BY', 'COUNT', 'COUNT_VALUES', 'GROUP', 'IDENTIFIER', 'LAND', 'LOR', 'LUNLESS', 'MAX',
  'METRIC_IDENTIFIER', 'MIN', 'OFFSET', 'QUANTILE', 'STDDEV', 'STDVAR', 'SUM', 'TOPK', 'WITHOUT', 'START', 'END',
]);

/** Tokens accepted as a label name in grouping options (checked to be a valid label afterwards). */
export const MAYBE_LABEL = new Set<TokenType>([
  'AVG', 'BOOL', 'BOTTOMK', 'BY', 'COUNT', 'COUNT_VALUES', 'GROUP', 'GROUP_LEFT', 'GROUP_RIGHT', 'IDENTIFIER', 'IGNORING',
  'LAND', 'LOR', 'LUNLESS', 'MAX', 'METRIC_IDENTIFIER', 'MIN', 'OFFSET', 'ON', 'QUANTILE', 'STDDEV', 'STDVAR', 'SUM', 'TOPK',
  'START', 'END', 'ATAN2',
]);

/** Tokens an expression can begin with. */
export const EXPR_START = new Set<TokenType>([...METRIC_IDENTIFIER, 'NUMBER', 'STRING', 'LEFT_PAREN', 'LEFT_BRACE', 'ADD', 'SUB']);

/** Tokens whose end Prometheus remembers as the end of the expression being reduced (lastClosing). */
export const CLOSING = new Set<TokenType>(['RIGHT_BRACE', 'RIGHT_PAREN', 'RIGHT_BRACKET', 'DURATION', 'NUMBER']);

