/**
 * Aggregation operators over one step's instant vector (Prometheus 2.42's aggregation()):
 * groups in order of first appearance, topk/bottomk kept in Go's container/heap order so that
 * ties are broken the way Prometheus breaks them.
 */

import { METRIC_NAME, type Labels } from '../tsdb/labels.js';
import type { AggregateOp } from './ast.js';
import { deleteLabels, groupingKey, isValidLabelName, keepLabels, setLabel } from './engine-labels.js';
import { execError, type Vec, type VecSample } from './engine-types.js';
import { formatFloatF } from './functions-impl.js';
import { goFormatFloat } from './literals.js';
import { lessWithNaN, quantile } from './quantile.js';

interface Group {
  labels: Labels;
  value: number;
  mean: number;
  count: number;
  heap: VecSample[];
  values: number[];
}

/** A binary heap with Go's container/heap algorithms; `less(a, b)` puts a nearer the top. */
class GoHeap {
  constructor(
    readonly items: VecSample[],
    private readonly less: (a: VecSample, b: VecSample) => boolean,
  ) {}

  private up(j: number): void {
    const h = this.items;
    for (;;) {
      const i = Math.floor((j - 1) / 2);
      if (i === j || j <= 0 || !this.less(h[j]!, h[i]!)) break;
      [h[i], h[j]] = [h[j]!, h[i]!];
      j = i;
    }
  }

  private down(i0: number, n: number): void {
    const h = this.items;
    let i = i0;
    for (;;) {
      const j1 = 2 * i + 1;
      if (j1 >= n || j1 < 0) break;
      let j = j1;
      const j2 = j1 + 1;
      if (j2 < n && this.less(h[j2]!, h[j1]!)) j = j2;
      if (!this.less(h[j]!, h[i]!)) break;
      [h[i], h[j]] = [h[j]!, h[i]!];
      i = j;
    }
  }

  push(x: VecSample): void {
    this.items.push(x);
    this.up(this.items.length - 1);
  }

  pop(): void {
    const n = this.items.length - 1;
    [this.items[0], this.items[n]] = [this.items[n]!, this.items[0]!];
    this.down(0, n);
    this.items.pop();
  }
}

const byValue = (a: VecSample, b: VecSample): boolean => lessWithNaN(a.v, b.v);
const byReverseValue = (a: VecSample, b: VecSample): boolean => (Number.isNaN(a.v) ? true : a.v > b.v);

/** Whether topk (bottomk) keeps a sample of value v in a group's heap of at most k (the heap is not empty). */
function heapWants(heap: readonly VecSample[], v: number, k: number, bottom: boolean): boolean {
  const top = heap[0]!;
  return heap.length < k || (bottom ? top.v > v : top.v < v) || Number.isNaN(top.v);
}

/** Adds a sample heapWants accepted, as Prometheus's topk/bottomk do with container/heap. */
export function heapAdd(heap: VecSample[], s: VecSample, k: number, bottom: boolean): void {
  const h = new GoHeap(heap, bottom ? byReverseValue : byValue);
  if (heap.length === k) {
    if (k === 1) {
      heap[0] = s;
      return;
    }
    h.pop();
  }
  h.push(s);
}

/** A group's topk (bottomk) answer: the heap keeps the lowest (highest) value on top; the answer is by descending (ascending) value. */
export function heapResult(heap: readonly VecSample[], bottom: boolean): VecSample[] {
  const less = bottom ? byReverseValue : byValue;
  return [...heap].sort((a, b) => (less(b, a) ? -1 : less(a, b) ? 1 : 0));
}

/** Whether a topk/bottomk parameter fits an int64 (convertibleToInt64). */
export function convertibleToInt64(v: number): boolean {
  return v <= 9223372036854775807 && v >= -9223372036854775808;
}

/**
 * Grouping keys by label-set object: a series keeps its label set from step to step, so one
 * aggregation computes each series' key once rather than at every step.
 */
export function groupingKeyCache(grouping: readonly string[], without: boolean): (ls: Labels) => string {
  const keys = new Map<Labels, string>();
  return (ls) => {
    let k = keys.get(ls);
    if (k === undefined) {
      k = groupingKey(ls, grouping, without);
      keys.set(ls, k);
    }
    return k;
  };
}

export function aggregate(
  op: AggregateOp,
  groupingIn: readonly string[],
  without: boolean,
  param: number | string | null,
  vec: Vec,
  keyOf: (ls: Labels) => string = (ls) => groupingKey(ls, groupingIn, without),
): Vec {
  let grouping = groupingIn;
  let k = 0;
  if (op === 'topk' || op === 'bottomk') {
    const f = typeof param === 'number' ? param : NaN;
    if (!convertibleToInt64(f)) throw execError(`Scalar value ${goFormatFloat(f)} overflows int64`);
    k = Math.trunc(f);
    if (k < 1) return [];
  }
  const q = op === 'quantile' && typeof param === 'number' ? param : NaN;
  let valueLabel = '';
  if (op === 'count_values') {
    valueLabel = typeof param === 'string' ? param : '';
    if (!isValidLabelName(valueLabel)) throw execError(`invalid label name ${JSON.stringify(valueLabel)}`);
    if (!without) grouping = [...grouping, valueLabel].sort();
  }
  const groups = new Map<string, Group>();
  const ordered: Group[] = [];
  for (const s0 of vec) {
    let s = s0;
    if (op === 'count_values') s = { labels: setLabel(s.labels, valueLabel, formatFloatF(s.v)), v: s.v };
    const key = op === 'count_values' ? groupingKey(s.labels, grouping, without) : keyOf(s.labels);
    const group = groups.get(key);
    if (!group) {
      let labels: Labels = [];
      if (without) labels = deleteLabels(s.labels, [...grouping, METRIC_NAME]);
      else if (grouping.length > 0) labels = keepLabels(s.labels, grouping);
      const g: Group = { labels, value: s.v, mean: s.v, count: 1, heap: [], values: [] };
      if (op === 'stddev' || op === 'stdvar') g.value = 0;
      else if (op === 'topk' || op === 'bottomk') g.heap = [s];
      else if (op === 'quantile') g.values = [s.v];
      else if (op === 'group') g.value = 1;
      groups.set(key, g);
      ordered.push(g);
      continue;
    }
    switch (op) {
      case 'sum':
        group.value += s.v;
        break;
      case 'avg': {
        group.count++;
        if (Number.isFinite(group.mean) || Number.isNaN(group.mean)) {
          group.mean += s.v / group.count - group.mean / group.count;
          break;
        }
        // The mean is infinite: keep it unless the new value is NaN or an infinity of the other sign.
        if (!Number.isFinite(s.v) && !Number.isNaN(s.v) && group.mean > 0 === s.v > 0) break;
        if (Number.isFinite(s.v)) break;
        group.mean += s.v / group.count - group.mean / group.count;
        break;
      }
      case 'group':
        break;
      case 'max':
        if (group.value < s.v || Number.isNaN(group.value)) group.value = s.v;
        break;
      case 'min':
        if (group.value > s.v || Number.isNaN(group.value)) group.value = s.v;
        break;
      case 'count':
      case 'count_values':
        group.count++;
        break;
      case 'stddev':
      case 'stdvar': {
        group.count++;
        const delta = s.v - group.mean;
        group.mean += delta / group.count;
        group.value += delta * (s.v - group.mean);
        break;
      }
      case 'topk':
      case 'bottomk':
        if (heapWants(group.heap, s.v, k, op === 'bottomk')) heapAdd(group.heap, s, k, op === 'bottomk');
        break;
      case 'quantile':
        group.values.push(s.v);
        break;
    }
  }
  const out: Vec = [];
  for (const g of ordered) {
    switch (op) {
      case 'avg':
        out.push({ labels: g.labels, v: g.mean });
        break;
      case 'count':
      case 'count_values':
        out.push({ labels: g.labels, v: g.count });
        break;
      case 'stdvar':
        out.push({ labels: g.labels, v: g.value / g.count });
        break;
      case 'stddev':
        out.push({ labels: g.labels, v: Math.sqrt(g.value / g.count) });
        break;
      case 'topk':
      case 'bottomk':
        out.push(...heapResult(g.heap, op === 'bottomk'));
        break;
      case 'quantile':
        out.push({ labels: g.labels, v: quantile(q, g.values) });
        break;
      case 'sum':
      case 'min':
      case 'max':
      case 'group':
        out.push({ labels: g.labels, v: g.value });
        break;
    }
  }
  return out;
}
