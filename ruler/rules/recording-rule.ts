/**
 * A recording rule (Prometheus rules/recording.go): the expression's instant result renamed to
 * the rule's name, with the rule's labels set (an empty value removes a label); two results
 * with one label set, or more series than the group's `limit`, fail the evaluation.
 */

import { METRIC_NAME } from '../../tsdb/labels.js';
import { LabelBuilder, labelSetKey } from './label-builder.js';
import { RuleBase } from './rule.js';
import type { GroupContext, RuleSample } from './types.js';

export class RecordingRule extends RuleBase {
  readonly kind = 'recording' as const;

  async eval(ts: number, ctx: GroupContext, limit: number, signal?: AbortSignal): Promise<RuleSample[]> {
    const res = await ctx.query(this.exprText, ts, signal);
    const out: RuleSample[] = [];
    const seen = new Set<string>();
    let dup = false;
    for (const s of res) {
      const lb = new LabelBuilder(s.labels).set(METRIC_NAME, this.name);
      for (const l of this.labels) lb.set(l.name, l.value);
      const labels = lb.labels();
      const key = labelSetKey(labels);
      if (seen.has(key)) dup = true;
      seen.add(key);
      out.push({ labels, t: s.t, v: s.v });
    }
    if (dup) throw new Error('vector contains metrics with the same labelset after applying rule labels');
    if (limit > 0 && out.length > limit) throw new Error(`exceeded limit of ${limit} with ${out.length} series`);
    return out;
  }
}
