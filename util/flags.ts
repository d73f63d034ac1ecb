/**
 * Go-style command-line flags: `-name=value`, `--name=value`, `-name value`, and a bare `-name`
 * for booleans. Unknown flags are refused by name, as Go's flag package does.
 */

import { type OptionDef, parseFlagValue } from './options.js';

export interface ParsedFlags {
  /** Flag name (without dash) → parsed value. */
  readonly values: ReadonlyMap<string, unknown>;
  /** Arguments after `--` or the first non-flag argument. */
  readonly rest: readonly string[];
  readonly help: boolean;
}

export class FlagError extends Error {}

export function parseFlags(argv: readonly string[], defs: ReadonlyMap<string, OptionDef>): ParsedFlags {
  const values = new Map<string, unknown>();
  let help = false;
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    if (name === 'help' || name === 'h' || name === 'help-all') {
      help = true;
      continue;
    }
    const def = defs.get(name);
    if (!def) throw new FlagError(`flag provided but not defined: -${name}`);
    let text: string;
    if (eq >= 0) text = body.slice(eq + 1);
    else if (def.kind === 'bool') text = 'true';
    else {
      const next = argv[i + 1];
      if (next === undefined) throw new FlagError(`flag needs an argument: -${name}`);
      text = next;
      i++;
    }
    try {
      values.set(name, parseFlagValue(def, text));
    } catch (e) {
      throw new FlagError((e as Error).message);
    }
  }
  return { values, rest: argv.slice(i), help };
}
