/**
 * Prints a tree back as PromQL in Prometheus 2.42's canonical form: `print` is the one-line
 * form of the nodes' String() methods (promql/parser/printer.go), `prettify` the indented form
 * that `/api/v1/format_query` returns (promql/parser/prettier.go: a node longer than 100 bytes
 * is split over lines, two spaces per level).
 */

import { assertNever, type Expr, type VectorMatching, type VectorSelector } from './ast.js';
import { formatDuration } from './duration.js';
import { goFormatFloat } from './literals.js';
import { goQuote } from './quote.js';

function offsetString(offset: number): string {
  if (offset > 0) return ` offset ${formatDuration(offset)}`;
  if (offset < 0) return ` offset -${formatDuration(-offset)}`;
  return '';
}

function atString(n: { timestamp: number | null; startOrEnd: 'start' | 'end' | null }): string {
  if (n.timestamp !== null) return ` @ ${(n.timestamp / 1000).toFixed(3)}`;
  if (n.startOrEnd === 'start') return ' @ start()';
  if (n.startOrEnd === 'end') return ' @ end()';
  return '';
}

function goSortStrings(a: string[]): string[] {
  const enc = (s: string): Buffer => Buffer.from(s, 'utf8');
  return a.sort((x, y) => Buffer.compare(enc(x), enc(y)));
}

function selectorString(n: VectorSelector, withModifiers: boolean): string {
  const labels = goSortStrings(
    n.matchers.filter((m) => !(m.name === '__name__' && m.type === '=' && m.value === n.name)).map((m) => `${m.name}${m.type}${goQuote(m.value)}`),
  );
  const suffix = withModifiers ? atString(n) + offsetString(n.offset) : '';
  if (labels.length === 0) return `${n.name}${suffix}`;
  return `${n.name}{${labels.join(',')}}${suffix}`;
}

function aggregateOpString(op: string, grouping: readonly string[], without: boolean): string {
  if (without) return `${op} without (${grouping.join(', ')}) `;
  if (grouping.length > 0) return `${op} by (${grouping.join(', ')}) `;
  return op;
}

function matchingString(vm: VectorMatching | null): string {
  if (!vm || (vm.matchingLabels.length === 0 && !vm.on)) return '';
  let s = ` ${vm.on ? 'on' : 'ignoring'} (${vm.matchingLabels.join(', ')})`;
  if (vm.card === 'many-to-one' || vm.card === 'one-to-many') {
    s += ` group_${vm.card === 'many-to-one' ? 'left' : 'right'} (${vm.include.join(', ')})`;
  }
  return s;
}

function subquerySuffix(n: Extract<Expr, { kind: 'SubqueryExpr' }>): string {
  const step = n.step !== 0 ? formatDuration(n.step) : '';
  return `[${formatDuration(n.range)}:${step}]${atString(n)}${offsetString(n.offset)}`;
}

/** The canonical one-line form of an expression. */
export function print(node: Expr): string {
  switch (node.kind) {
    case 'NumberLiteral':
      return goFormatFloat(node.val);
    case 'StringLiteral':
      return goQuote(node.val);
    case 'VectorSelector':
      return selectorString(node, true);
    case 'MatrixSelector': {
      const vs = node.vectorSelector;
      if (vs.kind !== 'VectorSelector') return `${print(vs)}[${formatDuration(node.range)}]`;
      return `${selectorString(vs, false)}[${formatDuration(node.range)}]${atString(vs)}${offsetString(vs.offset)}`;
    }
    case 'SubqueryExpr':
      return print(node.expr) + subquerySuffix(node);
    case 'ParenExpr':
      return `(${print(node.expr)})`;
    case 'UnaryExpr':
      return node.op + print(node.expr);
    case 'BinaryExpr':
      return `${print(node.lhs)} ${node.op}${node.returnBool ? ' bool' : ''}${matchingString(node.vectorMatching)} ${print(node.rhs)}`;
    case 'AggregateExpr': {
      const param = node.param ? `${print(node.param)}, ` : '';
      return `${aggregateOpString(node.op, node.grouping, node.without)}(${param}${print(node.expr)})`;
    }
    case 'Call':
      return `${node.func.name}(${node.args.map(print).join(', ')})`;
    default:
      return assertNever(node);
  }
}

const MAX_CHARACTERS_PER_LINE = 100;

function needsSplit(node: Expr): boolean {
  return Buffer.byteLength(print(node), 'utf8') > MAX_CHARACTERS_PER_LINE;
}

function indent(level: number): string {
  return '  '.repeat(level);
}

/** The form `/api/v1/format_query` returns: nodes longer than 100 bytes split over lines. */
export function prettify(node: Expr, level = 0): string {
  switch (node.kind) {
    case 'NumberLiteral':
    case 'StringLiteral':
    case 'VectorSelector':
    case 'MatrixSelector':
      return indent(level) + print(node);
    case 'SubqueryExpr':
      if (!needsSplit(node)) return print(node);
      return prettify(node.expr, level) + subquerySuffix(node);
    case 'ParenExpr':
      if (!needsSplit(node)) return indent(level) + print(node);
      return `${indent(level)}(\n${prettify(node.expr, level + 1)}\n${indent(level)})`;
    case 'UnaryExpr':
      return indent(level) + node.op + prettify(node.expr, level).trim();
    case 'BinaryExpr': {
      if (!needsSplit(node)) return indent(level) + print(node);
      const op = `${node.op}${node.returnBool ? ' bool' : ''}${matchingString(node.vectorMatching)}`;
      return `${prettify(node.lhs, level + 1)}\n${indent(level)}${op}\n${prettify(node.rhs, level + 1)}`;
    }
    case 'AggregateExpr': {
      if (!needsSplit(node)) return indent(level) + print(node);
      let s = `${indent(level)}${aggregateOpString(node.op, node.grouping, node.without)}(\n`;
      if (node.param) s += `${prettify(node.param, level + 1)},\n`;
      return `${s}${prettify(node.expr, level + 1)}\n${indent(level)})`;
    }
    case 'Call': {
      if (!needsSplit(node)) return indent(level) + print(node);
      const args = node.args.map((a) => prettify(a, level + 1)).join(',\n');
      return `${indent(level)}${node.func.name}(\n${args}\n${indent(level)})`;
    }
    default:
      return assertNever(node);
  }
}
