/**
 * Label sets as the read path sees them: sorted by name, byte-wise UTF-8 order (Go string
 * order), no empty values. The write path keeps labels as byte ranges (proto/write-batch.ts)
 * and only builds these for new series and for query answers.
 */

export interface Label {
  readonly name: string;
  readonly value: string;
}

export type Labels = readonly Label[];

export const METRIC_NAME = '__name__';

/**
 * Byte-wise comparison of the UTF-8 encodings of a and b. JS `<` compares UTF-16 code units,
 * which disagrees with UTF-8 order for astral characters versus U+E000..U+FFFF; code point
 * order equals UTF-8 byte order, so compare code points where surrogates appear.
 */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    const sa = ca >= 0xd800 && ca <= 0xdfff;
    const sb = cb >= 0xd800 && cb <= 0xdfff;
    if (sa === sb) return ca < cb ? -1 : 1;
    // A surrogate (astral code point) sorts after every BMP code unit.
    return sa ? 1 : -1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Distinct strings in byte-wise UTF-8 order, at most `limit` of them (0: all). */
export function uniqueSorted(xs: Iterable<string>, limit = 0): string[] {
  const out = [...new Set(xs)].sort(compareStrings);
  return limit > 0 ? out.slice(0, limit) : out;
}

/** Prometheus's labels.Compare: pairwise names then values; a prefix sorts first. */
export function compareLabels(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const la = a[i]!;
    const lb = b[i]!;
    if (la.name !== lb.name) return compareStrings(la.name, lb.name);
    if (la.value !== lb.value) return compareStrings(la.value, lb.value);
  }
  return a.length - b.length;
}

export function getLabel(ls: Labels, name: string): string {
  for (const l of ls) if (l.name === name) return l.value;
  return '';
}

export function sortLabels(ls: Label[]): Label[] {
  return ls.sort((x, y) => compareStrings(x.name, y.name));
}

export function labelsFromRecord(r: Readonly<Record<string, string>>): Labels {
  return sortLabels(
    Object.entries(r)
      .filter(([, v]) => v !== '')
      .map(([name, value]) => ({ name, value })),
  );
}

export function labelsToRecord(ls: Labels): Record<string, string> {
  const r: Record<string, string> = {};
  for (const l of ls) r[l.name] = l.value;
  return r;
}

/** Go's strconv.Quote for the printable subset Prometheus label values use. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

/** `{__name__="up", job="x"}` as Prometheus's labels.String prints it. */
export function labelsToString(ls: Labels): string {
  return '{' + ls.map((l) => `${l.name}=${goQuote(l.value)}`).join(', ') + '}';
}
