/**
 * Type checking of a parsed tree, as Prometheus's checkAST does it (promql/parser/parse.go):
 * argument counts and types of calls, operand types of aggregations, binary and unary
 * expressions, vector matching rules, selectors that could match everything. It runs only on a
 * tree without syntax errors and reports the same messages at the same positions, in the same
 * order. It also normalises the tree like Prometheus: set operators get many-to-many matching,
 * operations involving a scalar lose their vector matching.
 */

import { assertNever, documentedType, type Expr, isComparisonOp, isSetOp, type PositionRange, typeOf, type ValueType } from './ast.js';
import { isSpace } from './lexer.js';
import { goQuote } from './quote.js';

type Report = (pos: PositionRange, msg: string) => void;

export function checkAST(node: Expr, input: string, report: Report): ValueType {
  const check = (n: Expr): ValueType => checkAST(n, input, report);
  const expectType = (n: Expr, want: ValueType, context: string): void => {
    const t = check(n);
    if (t !== want) report(n.pos, `expected type ${documentedType(want)} in ${context}, got ${documentedType(t)}`);
  };
  const typ = typeOf(node);
  switch (node.kind) {
    case 'AggregateExpr':
      expectType(node.expr, 'vector', 'aggregation expression');
      if (node.op === 'topk' || node.op === 'bottomk' || node.op === 'quantile') expectType(node.param!, 'scalar', 'aggregation parameter');
      if (node.op === 'count_values') expectType(node.param!, 'string', 'aggregation parameter');
      break;
    case 'BinaryExpr': {
      const lt = check(node.lhs);
      const rt = check(node.rhs);
      const opRange = (): PositionRange => {
        let start = node.lhs.pos.end;
        while (start < input.length && isSpace(input.charCodeAt(start))) start++;
        let end = node.rhs.pos.start - 1;
        while (end > 0 && isSpace(input.charCodeAt(end))) end--;
        return { start, end };
      };
      const vm = node.vectorMatching;
      if (node.returnBool && !isComparisonOp(node.op)) report(opRange(), 'bool modifier can only be used on comparison operators');
      if (isComparisonOp(node.op) && !node.returnBool && typeOf(node.rhs) === 'scalar' && typeOf(node.lhs) === 'scalar') {
        report(opRange(), 'comparisons between scalars must use BOOL modifier');
      }
      if (vm && isSetOp(node.op) && vm.card === 'one-to-one') vm.card = 'many-to-many';
      if (vm?.on) {
        for (const l1 of vm.matchingLabels) {
          for (const l2 of vm.include) {
            if (l1 === l2) report(opRange(), `label ${goQuote(l1)} must not occur in ON and GROUP clause at once`);
          }
        }
      }
      if (lt !== 'scalar' && lt !== 'vector') report(node.lhs.pos, 'binary expression must contain only scalar and instant vector types');
      if (rt !== 'scalar' && rt !== 'vector') report(node.rhs.pos, 'binary expression must contain only scalar and instant vector types');
      if ((lt !== 'vector' || rt !== 'vector') && vm) {
        if (vm.matchingLabels.length > 0) report(node.pos, 'vector matching only allowed between instant vectors');
        node.vectorMatching = null;
      } else if (vm && isSetOp(node.op)) {
        if (vm.card === 'one-to-many' || vm.card === 'many-to-one') report(node.pos, `no grouping allowed for ${goQuote(node.op)} operation`);
        if (vm.card !== 'many-to-many') report(node.pos, 'set operations must always be many-to-many');
      }
      if ((lt === 'scalar' || rt === 'scalar') && isSetOp(node.op)) report(node.pos, `set operator ${goQuote(node.op)} not allowed in binary scalar expression`);
      break;
    }
    case 'Call': {
      const f = node.func;
      const nargs = f.argTypes.length;
      if (f.variadic === 0) {
        if (nargs !== node.args.length) report(node.pos, `expected ${nargs} argument(s) in call to ${goQuote(f.name)}, got ${node.args.length}`);
      } else {
        const na = nargs - 1;
        if (na > node.args.length) report(node.pos, `expected at least ${na} argument(s) in call to ${goQuote(f.name)}, got ${node.args.length}`);
        else if (f.variadic > 0 && na + f.variadic < node.args.length) {
          report(node.pos, `expected at most ${na + f.variadic} argument(s) in call to ${goQuote(f.name)}, got ${node.args.length}`);
        }
      }
      for (let i = 0; i < node.args.length; i++) {
        let j = i;
        if (i >= nargs) {
          if (f.variadic === 0) break;
          j = nargs - 1;
        }
        expectType(node.args[i]!, f.argTypes[j]!, `call to function ${goQuote(f.name)}`);
      }
      break;
    }
    case 'ParenExpr':
      check(node.expr);
      break;
    case 'UnaryExpr': {
      const t = check(node.expr);
      if (t !== 'scalar' && t !== 'vector') report(node.pos, `unary expression only allowed on expressions of type scalar or instant vector, got ${goQuote(documentedType(t))}`);
      break;
    }
    case 'SubqueryExpr': {
      const t = check(node.expr);
      if (t !== 'vector') report(node.pos, `subquery is only allowed on instant vector, got ${t} instead`);
      break;
    }
    case 'MatrixSelector':
      check(node.vectorSelector);
      break;
    case 'VectorSelector': {
      if (node.name !== '') {
        for (const m of node.matchers.slice(0, -1)) {
          if (m.name === '__name__') report(node.pos, `metric name must not be set twice: ${goQuote(node.name)} or ${goQuote(m.value)}`);
        }
        break;
      }
      if (!node.matchers.some((m) => !m.matchesEmpty())) report(node.pos, 'vector selector must contain at least one non-empty matcher');
      break;
    }
    case 'NumberLiteral':
    case 'StringLiteral':
      break;
    default:
      assertNever(node);
  }
  return typ;
}
