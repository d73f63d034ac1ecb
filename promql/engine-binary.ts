/**
 * Binary operators between scalars and instant vectors (Prometheus 2.42's scalarBinop,
 * VectorscalarBinop, VectorBinop, VectorAnd/Or/Unless and resultMetric), with its error texts.
 */

import { labelsToString, METRIC_NAME, type Labels } from '../tsdb/labels.js';
import { isComparisonOp, type BinaryOp, type SetOp, type VectorMatching } from './ast.js';
import { deleteLabels, dropMetricName, keepLabels, labelsKey, matchLabels, setLabel, signature } from './engine-labels.js';
import { execError, type Vec, type VecSample } from './engine-types.js';
import { getLabel } from '../tsdb/labels.js';

/** Go's math.Pow where it differs from JS's `**`. */
export function goPow(x: number, y: number): number {
  if (y === 0) return 1;
  if (x === 1) return 1;
  if ((x === -1) && (y === Infinity || y === -Infinity)) return 1;
  return x ** y;
}

/** Go's math.Mod (JS's `%` agrees for all inputs). */
function goMod(x: number, y: number): number {
  return x % y;
}

/** The value of `lhs op rhs` and whether a comparison keeps the element (vectorElemBinop). */
function elemBinop(op: BinaryOp, lhs: number, rhs: number): [number, boolean] {
  switch (op) {
    case '+':
      return [lhs + rhs, true];
    case '-':
      return [lhs - rhs, true];
    case '*':
      return [lhs * rhs, true];
    case '/':
      return [lhs / rhs, true];
    case '^':
      return [goPow(lhs, rhs), true];
    case '%':
      return [goMod(lhs, rhs), true];
    case 'atan2':
      return [Math.atan2(lhs, rhs), true];
    case '==':
      return [lhs, lhs === rhs];
    case '!=':
      return [lhs, lhs !== rhs];
    case '>':
      return [lhs, lhs > rhs];
    case '<':
      return [lhs, lhs < rhs];
    case '>=':
      return [lhs, lhs >= rhs];
    case '<=':
      return [lhs, lhs <= rhs];
    case 'and':
    case 'or':
    case 'unless':
      throw execError(`operator "${op}" not allowed for scalar operations`);
  }
}

/** Operators whose result loses the metric name (not atan2 in 2.42). */
function dropsName(op: BinaryOp): boolean {
  return op === '+' || op === '-' || op === '*' || op === '/' || op === '%' || op === '^';
}

export function scalarBinop(op: BinaryOp, lhs: number, rhs: number): number {
  const [v, keep] = elemBinop(op, lhs, rhs);
  return isComparisonOp(op) ? (keep ? 1 : 0) : v;
}

/** `vector op scalar`, or with `swap` `scalar op vector`. */
export function vectorScalarBinop(op: BinaryOp, vec: Vec, scalar: number, swap: boolean, returnBool: boolean): Vec {
  const out: Vec = [];
  for (const s of vec) {
    let lv = s.v;
    let rv = scalar;
    if (swap) [lv, rv] = [rv, lv];
    let [value, keep] = elemBinop(op, lv, rv);
    // A comparison keeps the vector element's value even when the vector is on the right.
    if (isComparisonOp(op) && swap) value = rv;
    if (returnBool) {
      value = keep ? 1 : 0;
      keep = true;
    }
    if (!keep) continue;
    out.push({ labels: dropsName(op) || returnBool ? dropMetricName(s.labels) : s.labels, v: value });
  }
  return out;
}

function resultMetric(lhs: Labels, rhs: Labels, op: BinaryOp, m: VectorMatching): Labels {
  let ls = lhs;
  if (dropsName(op)) ls = deleteLabels(ls, [METRIC_NAME]);
  if (m.card === 'one-to-one') ls = m.on ? keepLabels(ls, m.matchingLabels) : deleteLabels(ls, m.matchingLabels);
  for (const name of m.include) ls = setLabel(ls, name, getLabel(rhs, name));
  return ls;
}

/** Arithmetic and comparison between two instant vectors. */
export function vectorBinop(op: BinaryOp, lhsIn: Vec, rhsIn: Vec, m: VectorMatching, returnBool: boolean): Vec {
  if (lhsIn.length === 0 || rhsIn.length === 0) return [];
  let lhs = lhsIn;
  let rhs = rhsIn;
  // For one-to-many, swap sides and account for it when computing values.
  if (m.card === 'one-to-many') [lhs, rhs] = [rhs, lhs];
  const rightSigs = new Map<string, VecSample>();
  for (const rs of rhs) {
    const sig = signature(rs.labels, m.on, m.matchingLabels);
    const dupl = rightSigs.get(sig);
    if (dupl) {
      const oneSide = m.card === 'one-to-many' ? 'left' : 'right';
      const matched = matchLabels(rs.labels, m.on, m.matchingLabels);
      throw execError(
        `found duplicate series for the match group ${labelsToString(matched)} on the ${oneSide} hand-side of the operation: ` +
          `[${labelsToString(rs.labels)}, ${labelsToString(dupl.labels)}];many-to-many matching not allowed: matching labels must be unique on one side`,
      );
    }
    rightSigs.set(sig, rs);
  }
  const matchedSigs = new Map<string, Set<string> | null>();
  const out: Vec = [];
  for (const ls of lhs) {
    const sig = signature(ls.labels, m.on, m.matchingLabels);
    const rs = rightSigs.get(sig);
    if (!rs) continue;
    let vl = ls.v;
    let vr = rs.v;
    if (m.card === 'one-to-many') [vl, vr] = [vr, vl];
    let [value, keep] = elemBinop(op, vl, vr);
    if (returnBool) value = keep ? 1 : 0;
    else if (!keep) continue;
    let metric = resultMetric(ls.labels, rs.labels, op, m);
    if (returnBool) metric = dropMetricName(metric);
    const inserted = matchedSigs.get(sig);
    if (m.card === 'one-to-one') {
      if (inserted !== undefined) throw execError('multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)');
      matchedSigs.set(sig, null);
    } else {
      const insertSig = labelsKey(metric);
      if (inserted === undefined || inserted === null) matchedSigs.set(sig, new Set([insertSig]));
      else if (inserted.has(insertSig)) throw execError('multiple matches for labels: grouping labels must ensure unique matches');
      else inserted.add(insertSig);
    }
    out.push({ labels: metric, v: value });
  }
  return out;
}

/** and / or / unless (many-to-many). */
export function vectorSetOp(op: SetOp, lhs: Vec, rhs: Vec, m: VectorMatching): Vec {
  const sig = (s: VecSample): string => signature(s.labels, m.on, m.matchingLabels);
  switch (op) {
    case 'and': {
      if (lhs.length === 0 || rhs.length === 0) return [];
      const right = new Set(rhs.map(sig));
      return lhs.filter((s) => right.has(sig(s)));
    }
    case 'or': {
      if (lhs.length === 0) return [...rhs];
      if (rhs.length === 0) return [...lhs];
      const left = new Set(lhs.map(sig));
      return [...lhs, ...rhs.filter((s) => !left.has(sig(s)))];
    }
    case 'unless': {
      if (lhs.length === 0 || rhs.length === 0) return [...lhs];
      const right = new Set(rhs.map(sig));
      return lhs.filter((s) => !right.has(sig(s)));
    }
  }
}
