/**
 * The ruler's alerts (label sets as sorted Label arrays, rules/types.ts AlertToSend) in the
 * Notifier's form (label maps), so the ruler's `notify` can hand them straight over.
 */

import { labelsToRecord } from '../../tsdb/labels.js';
import type { AlertToSend } from '../rules/types.js';
import type { NotifierAlert } from './payload.js';

export function notifierAlerts(alerts: readonly AlertToSend[]): NotifierAlert[] {
  return alerts.map((a) => ({
    labels: labelsToRecord(a.labels),
    annotations: labelsToRecord(a.annotations),
    startsAt: a.startsAt,
    endsAt: a.endsAt,
    generatorURL: a.generatorURL,
  }));
}
