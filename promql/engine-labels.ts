/** Label-set helpers of the engine: hashing keys, dropping the name, keeping and deleting labels. */

import { compareStrings, METRIC_NAME, type Label, type Labels } from '../tsdb/labels.js';

const keys = new WeakMap<Labels, string>();
const withoutName = new WeakMap<Labels, Labels>();

/** A string that identifies a label set (Prometheus's labels.Hash, without collisions); cached per label set. */
export function labelsKey(ls: Labels): string {
  let s = keys.get(ls);
  if (s === undefined) {
    s = '';
    for (const l of ls) s += l.name + '\xff' + l.value + '\xfe';
    keys.set(ls, s);
  }
  return s;
}

/** The label set without `__name__`; the same object for the same input, so later steps reuse it. */
export function dropMetricName(ls: Labels): Labels {
  let out = withoutName.get(ls);
  if (out === undefined) {
    out = ls;
    for (let i = 0; i < ls.length; i++) if (ls[i]!.name === METRIC_NAME) out = [...ls.slice(0, i), ...ls.slice(i + 1)];
    withoutName.set(ls, out);
  }
  return out;
}

/** The labels whose name is in `names` (`on`) or, without `on`, not in `names` and not `__name__`. */
export function matchLabels(ls: Labels, on: boolean, names: readonly string[]): Labels {
  if (on) return ls.filter((l) => names.includes(l.name));
  return ls.filter((l) => l.name !== METRIC_NAME && !names.includes(l.name));
}

/** The matching signature of a sample for vector matching (signatureFunc). */
export function signature(ls: Labels, on: boolean, names: readonly string[]): string {
  let s = '';
  for (const l of ls) {
    const listed = names.includes(l.name);
    if (on ? !listed : listed || l.name === METRIC_NAME) continue;
    s += l.name + '\xff' + l.value + '\xfe';
  }
  return s;
}

export function keepLabels(ls: Labels, names: readonly string[]): Labels {
  return ls.filter((l) => names.includes(l.name));
}

export function deleteLabels(ls: Labels, names: readonly string[]): Labels {
  return ls.filter((l) => !names.includes(l.name));
}

/** Sets (or, for an empty value, deletes) one label, keeping the set sorted. */
export function setLabel(ls: Labels, name: string, value: string): Labels {
  const out: Label[] = [];
  let done = false;
  for (const l of ls) {
    if (l.name === name) {
      if (value !== '') out.push({ name, value });
      done = true;
      continue;
    }
    if (!done && compareStrings(l.name, name) > 0) {
      if (value !== '') out.push({ name, value });
      done = true;
    }
    out.push(l);
  }
  if (!done && value !== '') out.push({ name, value });
  return out;
}

/** The grouping key of an aggregation: labels in `grouping` (by) or not in it and not the name (without). */
export function groupingKey(ls: Labels, grouping: readonly string[], without: boolean): string {
  let s = '';
  for (const l of ls) {
    const listed = grouping.includes(l.name);
    if (without ? listed || l.name === METRIC_NAME : !listed) continue;
    s += l.name + '\xff' + l.value + '\xfe';
  }
  return s;
}

/** Prometheus's model.LabelName.IsValid. */
export function isValidLabelName(s: string): boolean {
  return /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(s);
}
