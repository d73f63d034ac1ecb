/**
 * Prometheus's labels.Builder as rules use it: start from a label set, set (an empty value
 * deletes) and delete, then read a sorted label set without empty values. Plus the key rules use
 * to recognise a label set between evaluations.
 */

import { type Label, type Labels, sortLabels } from '../../tsdb/labels.js';

export class LabelBuilder {
  private readonly m = new Map<string, string>();

  /** labels.NewBuilder: labels of the base with an empty value are left out. */
  constructor(base: Labels = []) {
    for (const l of base) if (l.value !== '') this.m.set(l.name, l.value);
  }

  set(name: string, value: string): this {
    if (value === '') this.m.delete(name);
    else this.m.set(name, value);
    return this;
  }

  del(name: string): this {
    this.m.delete(name);
    return this;
  }

  labels(): Labels {
    const out: Label[] = [];
    for (const [name, value] of this.m) out.push({ name, value });
    return sortLabels(out);
  }
}

/** A string that identifies a sorted label set (names and values cannot contain \xff). */
export function labelSetKey(ls: Labels): string {
  let s = '';
  for (const l of ls) s += l.name + '\xff' + l.value + '\xfe';
  return s;
}
