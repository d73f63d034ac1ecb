/**
 * Decoding a YAML tree into Go-shaped values the way gopkg.in/yaml.v3 does for Prometheus's
 * rulefmt types: type mismatches and (with knownFields) unknown fields are collected as
 * `line N: …` errors naming the Go types, duplicate mapping keys are reported, `<<` merges and
 * aliases are followed, null leaves a value unset, and an error from a field's own unmarshaler
 * (a bad model.Duration) stops decoding at once.
 */

import { goQuote } from '../../promql/quote.js';
import { parseDuration } from '../../promql/duration.js';
import { resolve, type YNode, YamlFatalError } from './yaml-tree.js';

/** The Go type a YAML node is decoded into; `goType` is how yaml.v3 names it in errors. */
export type GoShape =
  | { readonly kind: 'struct'; readonly goType: string; readonly fields: Readonly<Record<string, GoShape>> }
  | { readonly kind: 'slice'; readonly goType: string; readonly elem: GoShape }
  | { readonly kind: 'stringMap'; readonly goType: string }
  | { readonly kind: 'string' }
  | { readonly kind: 'int' }
  | { readonly kind: 'duration' }
  | { readonly kind: 'node' };

export type GoValue = string | number | YNode | GoStruct | DecodedDuration | GoValue[] | Map<string, string>;
export interface GoStruct {
  readonly kind: 'struct';
  readonly fields: Map<string, GoValue>;
  /** The mapping node the struct was decoded from. */
  readonly node: YNode;
}

/** A duration stays as written, with its value, so a rule store gives back what was stored. */
export interface DecodedDuration {
  readonly kind: 'duration';
  readonly text: string;
  readonly ms: number;
}

export interface DecodeResult {
  readonly value: GoValue | undefined;
  /** yaml.v3's TypeError lines; empty when the document fits. */
  readonly errors: readonly string[];
}

const MAX_INT64 = 2 ** 63;

/** The `line N: cannot unmarshal …` of yaml.v3's decoder.terror. */
function typeError(n: YNode, tag: string, goType: string): string {
  const t = n.tag !== '' ? n.tag : tag;
  let value = '';
  if (t !== '!!seq' && t !== '!!map') {
    const bytes = Buffer.from(n.value, 'utf8');
    value = bytes.length > 10 ? ` \`${bytes.subarray(0, 7).toString('utf8')}...\`` : ` \`${n.value}\``;
  }
  return `line ${n.line}: cannot unmarshal ${t}${value} into ${goType}`;
}

function goTypeOf(shape: GoShape): string {
  switch (shape.kind) {
    case 'struct':
    case 'slice':
    case 'stringMap':
      return shape.goType;
    case 'string':
      return 'string';
    case 'int':
      return 'int';
    case 'duration':
      return 'model.Duration';
    case 'node':
      return 'yaml.Node';
  }
}

/**
 * yaml.v3's guard against alias bombs: the share of decode steps spent inside aliases allowed
 * falls from 99% to 10% as a document's decode steps grow from 400k to 4M.
 */
function allowedAliasRatio(decodeCount: number): number {
  const low = 400_000;
  const high = 4_000_000;
  if (decodeCount <= low) return 0.99;
  if (decodeCount >= high) return 0.1;
  return 0.99 - 0.89 * ((decodeCount - low) / (high - low));
}

class Decoder {
  readonly errors: string[] = [];
  private readonly inAlias = new Set<YNode>();
  private decodeCount = 0;
  private aliasCount = 0;
  constructor(private readonly knownFields: boolean) {}

  /** Decodes `n` as `shape`; undefined when nothing is set (null, or a type error). */
  decode(n: YNode, shape: GoShape): GoValue | undefined {
    this.decodeCount++;
    if (this.inAlias.size > 0) this.aliasCount++;
    if (this.aliasCount > 100 && this.decodeCount > 1000 && this.aliasCount / this.decodeCount > allowedAliasRatio(this.decodeCount)) {
      throw new YamlFatalError('yaml: document contains excessive aliasing');
    }
    if (shape.kind === 'node') return n;
    if (n.kind === 'alias') {
      if (this.inAlias.has(n)) throw new YamlFatalError(`yaml: anchor '${n.value}' value contains itself`);
      this.inAlias.add(n);
      try {
        return this.decode(n.target!, shape);
      } finally {
        this.inAlias.delete(n);
      }
    }
    if (shape.kind === 'duration') return this.duration(n);
    switch (n.kind) {
      case 'scalar':
        return this.scalar(n, shape);
      case 'mapping':
        return this.mapping(n, shape);
      case 'sequence':
        return this.sequence(n, shape);
    }
  }

  /** model.Duration's UnmarshalYAML: a string, then ParseDuration, whose error is fatal. */
  private duration(n: YNode): GoValue | undefined {
    if (n.kind === 'scalar' && n.tag === '!!null') return undefined;
    const text = this.decode(n, { kind: 'string' });
    if (typeof text !== 'string') return undefined;
    try {
      return { kind: 'duration', text, ms: parseDuration(text) };
    } catch (e) {
      throw new YamlFatalError((e as Error).message);
    }
  }

  private scalar(n: YNode, shape: GoShape): GoValue | undefined {
    const r = n.quoted && (n.tag === '!!str' || n.tag === '') ? { tag: '!!str' } : resolve(n.tag, n.value);
    if (r.tag === '!!null') return undefined;
    switch (shape.kind) {
      case 'string':
        return n.value;
      case 'int':
        if (r.tag === '!!int' && r.num !== undefined && !r.overInt64) return r.num;
        if (r.tag === '!!float' && r.num !== undefined && r.num <= MAX_INT64) return Math.trunc(r.num);
        break;
      default:
        break;
    }
    this.errors.push(typeError(n, r.tag, goTypeOf(shape)));
    return undefined;
  }

  private sequence(n: YNode, shape: GoShape): GoValue | undefined {
    if (shape.kind !== 'slice') {
      this.errors.push(typeError(n, '!!seq', goTypeOf(shape)));
      return undefined;
    }
    const out: GoValue[] = [];
    for (const item of n.content) {
      const v = this.decode(item, shape.elem);
      if (v !== undefined) out.push(v);
    }
    return out;
  }

  /** Reports keys that occur twice (same kind and text); true when there were some. */
  private duplicateKeys(n: YNode): boolean {
    const before = this.errors.length;
    for (let i = 0; i < n.content.length; i += 2) {
      const ki = n.content[i]!;
      for (let j = i + 2; j < n.content.length; j += 2) {
        const kj = n.content[j]!;
        if (ki.kind === kj.kind && ki.value === kj.value) this.errors.push(`line ${kj.line}: mapping key ${goQuote(kj.value)} already defined at line ${ki.line}`);
      }
    }
    return this.errors.length > before;
  }

  private mapping(n: YNode, shape: GoShape, into?: GoStruct | Map<string, string>, merged?: Set<string>): GoValue | undefined {
    if (this.duplicateKeys(n)) return undefined;
    if (shape.kind === 'struct') return this.struct(n, shape, into instanceof Map ? undefined : into, merged);
    if (shape.kind !== 'stringMap') {
      this.errors.push(typeError(n, '!!map', goTypeOf(shape)));
      return undefined;
    }
    const out = into instanceof Map ? into : new Map<string, string>();
    let mergeNode: YNode | undefined;
    for (let i = 0; i < n.content.length; i += 2) {
      const k = n.content[i]!;
      const v = n.content[i + 1]!;
      if (isMerge(k)) {
        mergeNode = v;
        continue;
      }
      const key = this.decode(k, { kind: 'string' });
      if (typeof key !== 'string') continue;
      if (merged) {
        if (merged.has(key)) continue;
        merged.add(key);
      }
      const val = this.decode(v, { kind: 'string' });
      if (typeof val === 'string') out.set(key, val);
      else if (v.tag === '!!null' && !out.has(key)) out.set(key, '');
    }
    if (mergeNode) this.merge(mergeNode, shape, out, merged ?? this.ownKeys(n, new Set()));
    return out;
  }

  private struct(n: YNode, shape: Extract<GoShape, { kind: 'struct' }>, into?: GoStruct, merged?: Set<string>): GoStruct {
    const out: GoStruct = into ?? { kind: 'struct', fields: new Map(), node: n };
    let mergeNode: YNode | undefined;
    for (let i = 0; i < n.content.length; i += 2) {
      const k = n.content[i]!;
      const v = n.content[i + 1]!;
      if (isMerge(k)) {
        mergeNode = v;
        continue;
      }
      const name = this.decode(k, { kind: 'string' });
      if (typeof name !== 'string') continue;
      if (merged) {
        if (merged.has(name)) continue;
        merged.add(name);
      }
      const field = shape.fields[name];
      if (field) {
        const val = this.decode(v, field);
        if (val !== undefined) out.fields.set(name, val);
      } else if (this.knownFields) {
        this.errors.push(`line ${k.line}: field ${name} not found in type ${shape.goType}`);
      }
    }
    if (mergeNode) this.merge(mergeNode, shape, out, merged ?? this.ownKeys(n, new Set()));
    return out;
  }

  private ownKeys(n: YNode, set: Set<string>): Set<string> {
    for (let i = 0; i < n.content.length; i += 2) {
      const k = n.content[i]!;
      if (k.kind === 'scalar' && !isMerge(k)) set.add(k.value);
    }
    return set;
  }

  /** A `<<` key: the merged mapping(s) fill in only the keys not already set. */
  private merge(m: YNode, shape: GoShape, out: GoStruct | Map<string, string>, merged: Set<string>): void {
    const wantMap = (): never => {
      throw new YamlFatalError('yaml: map merge requires map or sequence of maps as the value');
    };
    const one = (x: YNode): void => {
      const target = x.kind === 'alias' ? x.target! : x;
      if (target.kind !== 'mapping') wantMap();
      this.mapping(target, shape, out, merged);
    };
    if (m.kind === 'mapping' || m.kind === 'alias') one(m);
    else if (m.kind === 'sequence') m.content.forEach(one);
    else wantMap();
  }
}

function isMerge(k: YNode): boolean {
  return k.kind === 'scalar' && k.value === '<<' && (k.tag === '' || k.tag === '!' || k.tag === '!!merge');
}

/** Decodes a document (null when the stream was empty) as `shape`. Throws YamlFatalError. */
export function decodeYaml(doc: YNode | null, shape: GoShape, knownFields: boolean): DecodeResult {
  if (doc === null) return { value: undefined, errors: [] };
  const d = new Decoder(knownFields);
  const value = d.decode(doc, shape);
  return { value, errors: d.errors };
}
