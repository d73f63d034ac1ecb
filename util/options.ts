/**
 * Option definitions: every config block lists its options once — YAML key, flag name (Cortex's
 * where one exists), kind, default and help — and flags, YAML, `-help` and `/config` are all
 * derived from that one list. Values are validated with zod when a block is built.
 */

import { z } from 'zod';
import { formatDuration, parseDuration } from './duration.js';

export type OptionKind = 'int' | 'float' | 'bool' | 'string' | 'duration' | 'strings';

interface KindValue {
  int: number;
  float: number;
  bool: boolean;
  string: string;
  duration: number;
  strings: string[];
}

export interface OptionDef<K extends OptionKind = OptionKind> {
  readonly kind: K;
  /** Flag name without the leading dash, e.g. `server.http-listen-port`; null when YAML-only. */
  readonly flag: string | null;
  readonly help: string;
  readonly default: KindValue[K];
  /** Masked in /config. */
  readonly secret?: boolean;
  /** Allowed values for a string option. */
  readonly oneOf?: readonly string[];
}

export type BlockDef = Readonly<Record<string, OptionDef>>;

export type BlockValue<B extends BlockDef> = {
  readonly [P in keyof B]: B[P] extends OptionDef<infer K> ? KindValue[K] : never;
};

export function opt<K extends OptionKind>(
  kind: K,
  flag: string | null,
  def: KindValue[K],
  help: string,
  extra: { secret?: boolean; oneOf?: readonly string[] } = {},
): OptionDef<K> {
  return { kind, flag, help, default: def, ...extra };
}

const durationSchema = z.union([z.number(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return v * 1000; // bare YAML numbers are seconds
  try {
    return parseDuration(v);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
});

function schemaFor(d: OptionDef): z.ZodType {
  switch (d.kind) {
    case 'int':
      return z.number().int();
    case 'float':
      return z.number();
    case 'bool':
      return z.boolean();
    case 'string':
      return d.oneOf ? z.enum(d.oneOf as [string, ...string[]]) : z.string();
    case 'duration':
      return durationSchema;
    case 'strings':
      return z.union([z.array(z.string()), z.string().transform((s) => (s === '' ? [] : s.split(',')))]);
  }
}

/** Parse a flag's text into the option's kind; throws with the flag named. */
export function parseFlagValue(d: OptionDef, text: string): unknown {
  const name = `-${d.flag ?? '?'}`;
  switch (d.kind) {
    case 'int': {
      if (!/^[-+]?\d+$/.test(text)) throw new Error(`invalid value ${JSON.stringify(text)} for flag ${name}: not an integer`);
      return Number(text);
    }
    case 'float': {
      const n = Number(text);
      if (text.trim() === '' || Number.isNaN(n)) throw new Error(`invalid value ${JSON.stringify(text)} for flag ${name}: not a number`);
      return n;
    }
    case 'bool':
      if (['true', '1', 't', 'TRUE', 'True'].includes(text)) return true;
      if (['false', '0', 'f', 'FALSE', 'False'].includes(text)) return false;
      throw new Error(`invalid value ${JSON.stringify(text)} for flag ${name}: parse error`);
    case 'string':
      if (d.oneOf && !d.oneOf.includes(text)) {
        throw new Error(`invalid value ${JSON.stringify(text)} for flag ${name}: must be one of ${d.oneOf.join(', ')}`);
      }
      return text;
    case 'duration':
      try {
        return parseDuration(text);
      } catch (e) {
        throw new Error(`invalid value ${JSON.stringify(text)} for flag ${name}: ${(e as Error).message}`);
      }
    case 'strings':
      return text === '' ? [] : text.split(',');
  }
}

/** Validate a YAML object (unknown keys refused) merged over defaults; flag values already parsed win. */
export function buildBlock<B extends BlockDef>(
  where: string,
  def: B,
  yaml: unknown,
  flagValues: ReadonlyMap<string, unknown> = new Map(),
): BlockValue<B> {
  const shape: Record<string, z.ZodType> = {};
  for (const [k, d] of Object.entries(def)) shape[k] = schemaFor(d).optional();
  const parsed = z.strictObject(shape).safeParse(yaml ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      const key = JSON.stringify(issue.keys[0] ?? '');
      throw new Error(`invalid configuration: unknown field ${key} ${where === '' ? 'at the top level' : `in ${where}`}`);
    }
    const path = [where, ...issue.path.map(String)].filter((p) => p !== '').join('.');
    throw new Error(`invalid configuration at ${path}: ${issue.message}`);
  }
  const out: Record<string, unknown> = {};
  for (const [k, d] of Object.entries(def)) {
    const fromFlag = d.flag !== null ? flagValues.get(d.flag) : undefined;
    const fromYaml = (parsed.data as Record<string, unknown>)[k];
    out[k] = fromFlag !== undefined ? fromFlag : fromYaml !== undefined ? fromYaml : d.default;
  }
  return Object.freeze(out) as BlockValue<B>;
}

/** The value as it is written in YAML (durations back to text, secrets masked). */
export function displayValue(d: OptionDef, v: unknown): unknown {
  if (d.secret && v !== '' && v !== undefined) return '********';
  if (d.kind === 'duration') return formatDuration(v as number);
  return v;
}

export function defaultText(d: OptionDef): string {
  const v = displayValue({ ...d, secret: false }, d.default);
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}
