/** The template check rule validation uses (promtool check rules): parse with Prometheus's functions. */

import { checkTemplate } from './template/index.js';

export const checkAlertTemplate = checkTemplate;
