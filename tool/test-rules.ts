/**
 * `vigil-tool test rules FILE…`: promtool's rule unit tests run on Vigil's rule evaluation,
 * rule-file checks and template engine (ruler/unittest/runner.ts), reported as promtool does.
 */

import { readFileSync } from 'node:fs';
import { parseRuleFile } from '../ruler/rulefmt/parse.js';
import type { ExpandFunc } from '../ruler/rules/types.js';
import { checkTemplate, expandAlertTemplate } from '../ruler/template/index.js';
import { labelsToRecord } from '../tsdb/labels.js';
import { runRuleTests } from '../ruler/unittest/runner.js';

/**
 * Templates as promtool's unit tests expand them: `$externalURL` is the test group's
 * `external_url`, while the externalURL and pathPrefix functions have no URL (promtool sets
 * none) and fail as they do there.
 */
const expandForUnitTests: ExpandFunc = (alertName, text, data, tMs, query) =>
  expandAlertTemplate(alertName, text, data, {
    timeMs: tMs,
    externalURL: null,
    query: async (expr, t) => (await query(expr, t)).map((s) => ({ labels: labelsToRecord(s.labels), value: s.v })),
  });

export interface TestRulesOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Runs each unit-test file; resolves to the exit code (0 when every test passed). */
export function testRules(files: readonly string[], io: TestRulesOutput): Promise<number> {
  return runRuleTests(files, {
    loadRuleFile: (path) => {
      let content: Buffer;
      try {
        content = readFileSync(path);
      } catch (e) {
        return { groups: [], errors: [(e as Error).message] };
      }
      const r = parseRuleFile(content, path, { checkTemplate });
      return { groups: r.groups?.groups ?? [], errors: r.errors };
    },
    expand: expandForUnitTests,
    stdout: (t) => io.stdout(t),
    stderr: (t) => io.stderr(t),
  });
}
