/**
 * The ruler's template expander: Prometheus's alert templates (ruler/template) with `query`
 * answered by the rule's own query function, so templates read the tenant's data at the
 * evaluation time.
 */

import { labelsToRecord } from '../tsdb/labels.js';
import type { ExpandFunc } from './rules/types.js';
import { expandAlertTemplate } from './template/index.js';

export const expandRuleTemplate: ExpandFunc = (alertName, text, data, tMs, query) =>
  expandAlertTemplate(alertName, text, data, {
    timeMs: tMs,
    externalURL: data.externalURL,
    query: async (expr, t) => (await query(expr, t)).map((s) => ({ labels: labelsToRecord(s.labels), value: s.v })),
  });
