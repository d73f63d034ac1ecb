/**
 * Prometheus's rule templates (template/template.go, rules/alerting.go of 2.42): Go's
 * text/template with `missingkey=zero` and Prometheus's functions, for alert labels and
 * annotations. Parse errors and execution errors are Go's words.
 */

import { ALERT_TEMPLATE_DEFS } from '../rulefmt/validate.js';
import { Executor } from './exec.js';
import { type FuncContext, FUNC_NAMES, templateFuncs } from './funcs.js';
import { TemplateError, parseTemplate } from './parse.js';
import { GoStruct, type Value, stringMap } from './values.js';

export { TemplateError } from './parse.js';
export type { QuerySample, TemplateQuery } from './funcs.js';
export { goFormatG, humanize, humanize1024, humanizeDuration, humanizePercentage } from './humanize.js';

export { ALERT_TEMPLATE_DEFS };

export interface AlertTemplateData {
  readonly labels: Readonly<Record<string, string>>;
  readonly externalLabels: Readonly<Record<string, string>>;
  readonly externalURL: string;
  readonly value: number;
}

export interface ExpandOptions extends Omit<FuncContext, 'query'> {
  readonly query: FuncContext['query'];
}

/** Parses a complete template text (definitions included); returns Go's error or null (promtool's check). */
export function checkTemplate(name: string, text: string): string | null {
  try {
    parseTemplate(name, text, FUNC_NAMES);
    return null;
  } catch (e) {
    if (e instanceof TemplateError) return e.message;
    throw e;
  }
}

/** Expands a template over data; throws TemplateError. */
export async function expandTemplate(name: string, text: string, data: GoStruct, opts: ExpandOptions): Promise<string> {
  let nodes;
  try {
    nodes = parseTemplate(name, text, FUNC_NAMES);
  } catch (e) {
    if (e instanceof TemplateError) throw new TemplateError(`error parsing template ${name}: ${e.message}`);
    throw e;
  }
  try {
    return await new Executor(name, text, templateFuncs(opts)).run(nodes, data);
  } catch (e) {
    if (e instanceof TemplateError) throw new TemplateError(`error executing template ${name}: ${e.message}`);
    throw e;
  }
}

/**
 * One alert label or annotation value as Prometheus expands it: the definitions prepended, the
 * template named `__alert_<alert name>`; a failure gives `<error expanding template: …>`.
 */
export async function expandAlertTemplate(alertName: string, text: string, data: AlertTemplateData, opts: ExpandOptions): Promise<string> {
  const name = `__alert_${alertName}`;
  const root = new GoStruct(
    new Map<string, Value>([
      ['Labels', stringMap(data.labels)],
      ['ExternalLabels', stringMap(data.externalLabels)],
      ['ExternalURL', data.externalURL],
      ['Value', data.value],
    ]),
    'struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value interface {} }',
  );
  try {
    return await expandTemplate(name, ALERT_TEMPLATE_DEFS + text, root, opts);
  } catch (e) {
    if (e instanceof TemplateError) return `<error expanding template: ${e.message}>`;
    throw e;
  }
}
