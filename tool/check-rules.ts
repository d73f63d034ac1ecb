/**
 * `vigil-tool check rules FILE…`: Prometheus rule files checked as `promtool check rules`
 * (Prometheus 2.42) checks them, with the same output: `Checking FILE`, then `  SUCCESS: N rules
 * found` on stdout, or `  FAILED:` and one error per line on stderr, and a blank line after each
 * file. Exit code 1 when any file has errors. The duplicate-rules lint (promtool's default) is
 * reported as a failure but changes the exit code only with lintFatal (then 3).
 */

import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { duplicateRulesMessage } from '../ruler/rulefmt/lint.js';
import { parseRuleFile } from '../ruler/rulefmt/parse.js';

export interface CheckRulesOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface CheckRulesOptions {
  /** promtool's `--lint=duplicate-rules` (its default); false is `--lint=none`. */
  readonly lintDuplicates?: boolean;
  /** promtool's `--lint-fatal`: lint findings alone exit with 3. */
  readonly lintFatal?: boolean;
  /** Parses an alert's label or annotation template; returns its error or null. */
  readonly checkTemplate?: (name: string, text: string) => string | null;
}

/** Checks each file; resolves to the exit code (0 valid, 1 invalid or unreadable). */
export async function checkRules(files: readonly string[], out: CheckRulesOutput, opts: CheckRulesOptions = {}): Promise<number> {
  for (const f of files) {
    const st = await stat(f).catch(() => null);
    if (!st) {
      out.stderr(`vigil-tool: error: path '${f}' does not exist\n`);
      return 1;
    }
    if (st.isDirectory()) {
      out.stderr(`vigil-tool: error: '${basename(f)}' is a directory\n`);
      return 1;
    }
  }
  let failed = false;
  let linted = false;
  for (const f of files) {
    out.stdout(`Checking ${f}\n`);
    let errors: string[];
    let n = 0;
    try {
      const r = parseRuleFile(await readFile(f), f, opts.checkTemplate ? { checkTemplate: opts.checkTemplate } : {});
      errors = r.errors;
      if (errors.length === 0 && r.groups) {
        n = r.groups.groups.reduce((sum, g) => sum + g.rules.length, 0);
        const lint = opts.lintDuplicates === false ? null : duplicateRulesMessage(r.groups.groups);
        if (lint !== null) {
          linted = true;
          out.stderr(`  FAILED:\n${lint}\n`);
          out.stdout('\n');
          continue;
        }
      }
    } catch (e) {
      errors = [`${f}: ${readError(f, e)}`];
    }
    if (errors.length > 0) {
      failed = true;
      out.stderr(`  FAILED:\n${errors.map((e) => `${e}\n`).join('')}`);
    } else {
      out.stdout(`  SUCCESS: ${n} rules found\n`);
    }
    out.stdout('\n');
  }
  if (failed) return 1;
  return linted && opts.lintFatal ? 3 : 0;
}

/** Go's os.ReadFile error text for the common failures. */
function readError(file: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EACCES') return `open ${file}: permission denied`;
  if (code === 'ENOENT') return `open ${file}: no such file or directory`;
  return e instanceof Error ? e.message : String(e);
}
