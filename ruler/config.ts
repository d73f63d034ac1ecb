/** Options of the ruler's evaluation (Cortex's `-ruler.*` names). */

import { opt } from '../util/options.js';

export const rulerBlock = {
  evaluation_interval: opt('duration', 'ruler.evaluation-interval', 60_000, 'How often a rule group without its own `interval` is evaluated.'),
  poll_interval: opt('duration', 'ruler.poll-interval', 60_000, 'How often every tenant\'s rule groups are re-read from the rule store (stores that announce changes are also followed at once).'),
  resend_delay: opt('duration', 'ruler.resend-delay', 60_000, 'Least time between two sends of the same firing alert to Alertmanager.'),
  for_outage_tolerance: opt('duration', 'ruler.for-outage-tolerance', 3_600_000, 'Longest ruler outage after which the pending time of `for` is still restored from ALERTS_FOR_STATE.'),
  for_grace_period: opt('duration', 'ruler.for-grace-period', 600_000, 'Least time an alert with `for` at least this long waits after a restart before it fires, even if restored state says it would fire sooner.'),
  external_url: opt('string', 'ruler.external.url', '', 'Vigil\'s URL as users reach it, for alerts\' generatorURL and templates\' $externalURL; empty: http://<host>:<port><prometheus prefix>.'),
  enable_api: opt('bool', 'ruler.enable-api', true, 'Serve the rules configuration API (/api/v1/rules and <prometheus prefix>/config/v1/rules) when the rule store is writable.'),
} as const;
