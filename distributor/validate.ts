/**
 * Distributor-side validation of series, samples and metadata, with Cortex's rules, order,
 * discard reasons and messages (pkg/util/validation in Cortex), read straight from the request
 * bytes of a WriteBatch. A valid series costs byte loops only: nothing is decoded into strings,
 * and text is built only to describe an error.
 *
 * Steps for series i, in Cortex's order (the first failure decides):
 *   1. no labels at all                      → missing_metric_name, `empty labels found` (Cortex
 *      fails the whole request here; Vigil refuses only this series, like every other rule)
 *   2. no `__name__` label                   → missing_metric_name
 *   3. metric name not [a-zA-Z_:][a-zA-Z0-9_:]* (an empty one included) → metric_name_invalid
 *   4. labels with an empty value are removed (see "Normalisation")
 *   5. labels are sorted by name when they are not (see "Normalisation")
 *   6. more than max_label_names_per_series labels → max_label_names_per_series
 *   7. for each label, in order: name not [a-zA-Z_][a-zA-Z0-9_]* → label_invalid; name longer
 *      than max_label_name_length → label_name_too_long; value longer than max_label_value_length
 *      (the metric name is a value too) → label_value_too_long; value not UTF-8 →
 *      label_value_invalid (Vigil's addition); same name as the previous label →
 *      duplicate_label_names
 *   8. labels' size above max_labels_size_bytes (when > 0) → labels_size_bytes_exceeded
 *   9. each sample: older than now − reject_old_samples_max_age (when reject_old_samples) →
 *      greater_than_max_sample_age; newer than now + creation_grace_period → too_far_in_future
 * Lengths and sizes are bytes, as Go's len() counts them. The labels' size is Cortex's: the
 * protobuf size of each Label message (name and value with their field tags and length varints).
 *
 * Normalisation (the WriteBatch is changed in place, and only when needed):
 *   - Empty label values. In Prometheus an empty value means the label is absent: `up{job=""}` is
 *     `up`. Like Cortex, the distributor removes such labels (after the metric-name check, so
 *     `__name__=""` is still an invalid metric name) by compacting the series' entries of
 *     `labelPos` and lowering `labelCount[i]`. Refusing them would drop series Prometheus itself
 *     stores; keeping them would split one series into two (hash and identity differ).
 *   - Label order. Prometheus sends sorted labels, but other senders do not always, and Cortex and
 *     Mimir sort before validating. The distributor does the same: one pass checks the order, and
 *     only an unsorted series is insertion-sorted in place (stable, so duplicates stay adjacent
 *     and are then refused). `labels_not_sorted` is therefore never reported.
 *   - Bad samples. A label error refuses the whole series (all its samples). A timestamp error
 *     refuses only the bad samples: the good ones are compacted to the front of the series'
 *     sample range (`ts`, `valueLo`, `valueHi`) and `sampleCount[i]` becomes their number. Cortex
 *     drops the whole series at the first bad timestamp; Vigil keeps the good samples, as Mimir
 *     does and as "a rejected sample never costs the others" asks.
 *   Whenever labels or samples of series i were changed, `seriesLen[i]` is set to 0: its original
 *   bytes in `buf` no longer describe it, so a forwarder must encode it from the columns.
 *   `sampleTotal` keeps the decoded count.
 */

import type { MetricMetadata, WriteBatch } from '../proto/write-batch.js';
import { compareStrings } from '../tsdb/labels.js';
import type { Limits } from '../util/limits.js';
import { DiscardReason } from './discard-reasons.js';
import { decodeEscaped, goQuote, isValidUtf8 } from './utf8.js';

export interface ValidationError {
  /** The `reason` label value of the discarded-samples counter. */
  readonly reason: DiscardReason;
  readonly message: string;
  readonly status: 400;
}

/** What validation decided for one series. Reusable: pass the same object to every call. */
export interface SeriesResult {
  /** The first problem met in the series, or null. With `kept > 0`, only some samples were refused. */
  error: ValidationError | null;
  /** Float samples that passed; they are now the first `kept` samples of the series. */
  kept: number;
  /** Float samples refused: all of them for a label error, the bad ones for a timestamp error. */
  discarded: number;
  /** False when the series' labels were refused (nothing of it, exemplars included, may be stored). */
  labelsValid: boolean;
}

export function newSeriesResult(): SeriesResult {
  return { error: null, kept: 0, discarded: 0, labelsValid: true };
}

/** Cortex's `%.200q`: messages show at most 200 characters of a name, value or series. */
const MAX_QUOTED = 200;

function fail(reason: DiscardReason, message: string): ValidationError {
  return { reason, message, status: 400 };
}

// Character classes of the legacy name regexes, one bit each.
const LABEL_FIRST = 1;
const LABEL_REST = 2;
const METRIC_FIRST = 4;
const METRIC_REST = 8;
const CHAR_CLASS: Uint8Array = (() => {
  const t = new Uint8Array(256);
  const all = LABEL_FIRST | LABEL_REST | METRIC_FIRST | METRIC_REST;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = all; // A-Z
  for (let c = 0x61; c <= 0x7a; c++) t[c] = all; // a-z
  t[0x5f] = all; // _
  for (let c = 0x30; c <= 0x39; c++) t[c] = LABEL_REST | METRIC_REST; // 0-9
  t[0x3a] = METRIC_FIRST | METRIC_REST; // :
  return t;
})();

function isValidName(buf: Uint8Array, off: number, len: number, first: number, rest: number): boolean {
  if (len === 0 || (CHAR_CLASS[buf[off]!]! & first) === 0) return false;
  for (let k = off + 1, end = off + len; k < end; k++) {
    if ((CHAR_CLASS[buf[k]!]! & rest) === 0) return false;
  }
  return true;
}

/** `__name__` in bytes. */
const METRIC_NAME_BYTES = new Uint8Array([0x5f, 0x5f, 0x6e, 0x61, 0x6d, 0x65, 0x5f, 0x5f]);

function isMetricNameLabel(buf: Uint8Array, off: number, len: number): boolean {
  if (len !== 8) return false;
  for (let k = 0; k < 8; k++) if (buf[off + k] !== METRIC_NAME_BYTES[k]) return false;
  return true;
}

/** Byte-wise comparison (Go string order) of two ranges of buf. */
function compareBytes(buf: Uint8Array, aOff: number, aLen: number, bOff: number, bLen: number): number {
  const n = aLen < bLen ? aLen : bLen;
  for (let k = 0; k < n; k++) {
    const d = buf[aOff + k]! - buf[bOff + k]!;
    if (d !== 0) return d;
  }
  return aLen - bLen;
}

function varintSize(x: number): number {
  return x < 0x80 ? 1 : x < 0x4000 ? 2 : x < 0x200000 ? 3 : x < 0x10000000 ? 4 : 5;
}

/** Index (into labelPos quads) of series i's first `__name__` label, or -1. */
function metricNameIndex(batch: WriteBatch, i: number): number {
  const pos = batch.labelPos;
  const l0 = batch.labelStart[i]!;
  for (let j = l0, end = l0 + batch.labelCount[i]!; j < end; j++) {
    if (isMetricNameLabel(batch.buf, pos[4 * j]!, pos[4 * j + 1]!)) return j;
  }
  return -1;
}

/** Remove labels with an empty value from series i's range; true when some were removed. */
function dropEmptyValues(batch: WriteBatch, i: number): boolean {
  const pos = batch.labelPos;
  const l0 = batch.labelStart[i]!;
  const n = batch.labelCount[i]!;
  let w = l0;
  for (let j = l0, end = l0 + n; j < end; j++) {
    if (pos[4 * j + 3] === 0) continue;
    if (w !== j) {
      pos[4 * w] = pos[4 * j]!;
      pos[4 * w + 1] = pos[4 * j + 1]!;
      pos[4 * w + 2] = pos[4 * j + 2]!;
      pos[4 * w + 3] = pos[4 * j + 3]!;
    }
    w++;
  }
  if (w === l0 + n) return false;
  batch.labelCount[i] = w - l0;
  return true;
}

/** Sort series i's labels by name (stable insertion sort) unless already sorted; true when it sorted. */
function sortLabelsIfNeeded(batch: WriteBatch, i: number): boolean {
  const buf = batch.buf;
  const pos = batch.labelPos;
  const l0 = batch.labelStart[i]!;
  const end = l0 + batch.labelCount[i]!;
  let sorted = true;
  for (let j = l0 + 1; j < end; j++) {
    if (compareBytes(buf, pos[4 * (j - 1)]!, pos[4 * (j - 1) + 1]!, pos[4 * j]!, pos[4 * j + 1]!) > 0) {
      sorted = false;
      break;
    }
  }
  if (sorted) return false;
  for (let a = l0 + 1; a < end; a++) {
    const nOff = pos[4 * a]!;
    const nLen = pos[4 * a + 1]!;
    const vOff = pos[4 * a + 2]!;
    const vLen = pos[4 * a + 3]!;
    let b = a - 1;
    while (b >= l0 && compareBytes(buf, pos[4 * b]!, pos[4 * b + 1]!, nOff, nLen) > 0) {
      pos[4 * (b + 1)] = pos[4 * b]!;
      pos[4 * (b + 1) + 1] = pos[4 * b + 1]!;
      pos[4 * (b + 1) + 2] = pos[4 * b + 2]!;
      pos[4 * (b + 1) + 3] = pos[4 * b + 3]!;
      b--;
    }
    pos[4 * (b + 1)] = nOff;
    pos[4 * (b + 1) + 1] = nLen;
    pos[4 * (b + 1) + 2] = vOff;
    pos[4 * (b + 1) + 3] = vLen;
  }
  return true;
}

/**
 * Validate (and normalise, see the file comment) the labels of series i. Null when they pass;
 * otherwise the whole series is refused.
 */
export function validateSeriesLabels(batch: WriteBatch, i: number, limits: Limits): ValidationError | null {
  const buf = batch.buf;
  const pos = batch.labelPos;
  if (batch.labelCount[i] === 0) return fail(DiscardReason.missingMetricName, 'empty labels found');

  const nameIdx = metricNameIndex(batch, i);
  if (nameIdx < 0) return fail(DiscardReason.missingMetricName, 'sample missing metric name');
  const mOff = pos[4 * nameIdx + 2]!;
  const mLen = pos[4 * nameIdx + 3]!;
  if (!isValidName(buf, mOff, mLen, METRIC_FIRST, METRIC_REST)) {
    return fail(DiscardReason.metricNameInvalid, `sample invalid metric name: ${goQuote(decodeEscaped(buf, mOff, mLen), MAX_QUOTED)}`);
  }

  const dropped = dropEmptyValues(batch, i);
  const sorted = sortLabelsIfNeeded(batch, i);
  if (dropped || sorted) batch.seriesLen[i] = 0;

  const l0 = batch.labelStart[i]!;
  const n = batch.labelCount[i]!;
  if (n > limits.max_label_names_per_series) {
    return fail(
      DiscardReason.maxLabelNamesPerSeries,
      `series has too many labels (actual: ${n}, limit: ${limits.max_label_names_per_series}) series: '${formatMetric(batch, i)}'`,
    );
  }

  const maxName = limits.max_label_name_length;
  const maxValue = limits.max_label_value_length;
  let size = 0;
  for (let j = l0, end = l0 + n; j < end; j++) {
    const nOff = pos[4 * j]!;
    const nLen = pos[4 * j + 1]!;
    const vOff = pos[4 * j + 2]!;
    const vLen = pos[4 * j + 3]!;
    if (!isValidName(buf, nOff, nLen, LABEL_FIRST, LABEL_REST)) {
      return fail(DiscardReason.labelInvalid, `sample invalid label: ${q(buf, nOff, nLen)} metric ${goQuote(formatLabelSet(batch, i), MAX_QUOTED)}`);
    }
    if (nLen > maxName) {
      return fail(
        DiscardReason.labelNameTooLong,
        `label name too long for metric (actual: ${nLen}, limit: ${maxName}) metric: ${goQuote(formatLabelSet(batch, i), MAX_QUOTED)} label name: ${q(buf, nOff, nLen)}`,
      );
    }
    if (vLen > maxValue) {
      return fail(
        DiscardReason.labelValueTooLong,
        `label value too long for metric (actual: ${vLen}, limit: ${maxValue}) metric: ${goQuote(formatLabelSet(batch, i), MAX_QUOTED)} label name: ${q(buf, nOff, nLen)} label value: ${q(buf, vOff, vLen)}`,
      );
    }
    if (!isValidUtf8(buf, vOff, vLen)) {
      return fail(
        DiscardReason.labelValueInvalid,
        `label value is not valid UTF-8 for metric: ${goQuote(formatLabelSet(batch, i), MAX_QUOTED)} label name: ${q(buf, nOff, nLen)} label value: ${q(buf, vOff, vLen)}`,
      );
    }
    if (j > l0 && compareBytes(buf, pos[4 * (j - 1)]!, pos[4 * (j - 1) + 1]!, nOff, nLen) === 0) {
      return fail(DiscardReason.duplicateLabelNames, `duplicate label name: ${q(buf, nOff, nLen)} metric ${goQuote(formatLabelSet(batch, i), MAX_QUOTED)}`);
    }
    size += 2 + nLen + vLen + varintSize(nLen) + varintSize(vLen);
  }
  const maxSize = limits.max_labels_size_bytes;
  if (maxSize > 0 && size > maxSize) {
    return fail(
      DiscardReason.labelsSizeBytesExceeded,
      `labels size bytes exceeded for metric (actual: ${size}, limit: ${maxSize}) metric: ${goQuote(formatLabelSet(batch, i), MAX_QUOTED)}`,
    );
  }
  return null;
}

/**
 * Check the timestamps of series i's samples, keep the good ones (compacted in place) and report
 * the first bad one. Assumes the labels passed `validateSeriesLabels`.
 */
export function validateSampleTimestamps(
  batch: WriteBatch,
  i: number,
  limits: Limits,
  nowMs: number,
  out: SeriesResult = newSeriesResult(),
): SeriesResult {
  const s0 = batch.sampleStart[i]!;
  const n = batch.sampleCount[i]!;
  const ts = batch.ts;
  const lo = batch.valueLo;
  const hi = batch.valueHi;
  const newest = nowMs + limits.creation_grace_period;
  const oldest = limits.reject_old_samples ? nowMs - limits.reject_old_samples_max_age : -Infinity;
  let error: ValidationError | null = null;
  let w = s0;
  for (let k = s0, end = s0 + n; k < end; k++) {
    const t = ts[k]!;
    if (t < oldest) {
      error ??= fail(DiscardReason.greaterThanMaxSampleAge, `timestamp too old: ${t} metric: ${goQuote(metricNameText(batch, i), MAX_QUOTED)}`);
      continue;
    }
    if (t > newest) {
      error ??= fail(DiscardReason.tooFarInFuture, `timestamp too new: ${t} metric: ${goQuote(metricNameText(batch, i), MAX_QUOTED)}`);
      continue;
    }
    if (w !== k) {
      ts[w] = t;
      lo[w] = lo[k]!;
      hi[w] = hi[k]!;
    }
    w++;
  }
  const kept = w - s0;
  if (kept !== n) {
    batch.sampleCount[i] = kept;
    batch.seriesLen[i] = 0;
  }
  out.error = error;
  out.kept = kept;
  out.discarded = n - kept;
  return out;
}

/**
 * Validate series i of the batch: its labels (a failure refuses the whole series) and then its
 * samples' timestamps (a failure refuses only those samples). Pass a reused `out` on the hot path.
 */
export function validateSeries(
  batch: WriteBatch,
  i: number,
  limits: Limits,
  nowMs: number,
  out: SeriesResult = newSeriesResult(),
): SeriesResult {
  const err = validateSeriesLabels(batch, i, limits);
  if (err !== null) {
    out.error = err;
    out.kept = 0;
    out.discarded = batch.sampleCount[i]!;
    out.labelsValid = false;
    return out;
  }
  out.labelsValid = true;
  return validateSampleTimestamps(batch, i, limits, nowMs, out);
}

/** Byte length of a JS string in UTF-8 is above `max`? Exact only when it might be. */
function utf8LongerThan(s: string, max: number): boolean {
  if (s.length > max) return true; // every UTF-16 unit is at least one byte
  if (s.length * 3 <= max) return false; // and at most three
  return Buffer.byteLength(s, 'utf8') > max;
}

/** Validate one metadata entry: a family name is required, and no field may exceed max_metadata_length bytes. */
export function validateMetadata(md: MetricMetadata, limits: Limits): ValidationError | null {
  const name = md.metricFamilyName;
  if (name === '') return fail(DiscardReason.missingMetricName, 'metadata missing metric name');
  const max = limits.max_metadata_length;
  let field: string;
  let reason: DiscardReason;
  let cause: string;
  if (utf8LongerThan(name, max)) {
    field = 'METRIC_NAME';
    reason = DiscardReason.metadataMetricNameTooLong;
    cause = name;
  } else if (utf8LongerThan(md.help, max)) {
    field = 'HELP';
    reason = DiscardReason.helpTooLong;
    cause = md.help;
  } else if (utf8LongerThan(md.unit, max)) {
    field = 'UNIT';
    reason = DiscardReason.unitTooLong;
    cause = md.unit;
  } else {
    return null;
  }
  return fail(reason, `metadata '${field}' value too long: ${goQuote(cause, MAX_QUOTED)} metric ${goQuote(name, MAX_QUOTED)}`);
}

// ---- Text for error messages only. ----

function q(buf: Uint8Array, off: number, len: number): string {
  return goQuote(decodeEscaped(buf, off, len), MAX_QUOTED);
}

/** The value of series i's first `__name__` label ('' when absent). */
function metricNameText(batch: WriteBatch, i: number): string {
  const j = metricNameIndex(batch, i);
  if (j < 0) return '';
  return decodeEscaped(batch.buf, batch.labelPos[4 * j + 2]!, batch.labelPos[4 * j + 3]!);
}

/**
 * Cortex's label-set text for messages: `name{a="b", c="d"}` in the series' own order, duplicates
 * kept; the first non-empty `__name__` becomes the name in front, any other one stays a label.
 */
export function formatLabelSet(batch: WriteBatch, i: number): string {
  const buf = batch.buf;
  const pos = batch.labelPos;
  const l0 = batch.labelStart[i]!;
  let metric = '';
  let hasMetric = false;
  const parts: string[] = [];
  for (let j = l0, end = l0 + batch.labelCount[i]!; j < end; j++) {
    const name = decodeEscaped(buf, pos[4 * j]!, pos[4 * j + 1]!);
    const value = decodeEscaped(buf, pos[4 * j + 2]!, pos[4 * j + 3]!);
    if (!hasMetric && name === '__name__' && value !== '') {
      metric = value;
      hasMetric = true;
    } else {
      parts.push(`${name}=${goQuote(value)}`);
    }
  }
  if (parts.length === 0) return hasMetric ? metric : '{}';
  return `${metric}{${parts.join(', ')}}`;
}

/** Prometheus's model.Metric text (used by the too-many-labels message): one value per name, labels sorted. */
function formatMetric(batch: WriteBatch, i: number): string {
  const buf = batch.buf;
  const pos = batch.labelPos;
  const l0 = batch.labelStart[i]!;
  const m = new Map<string, string>();
  for (let j = l0, end = l0 + batch.labelCount[i]!; j < end; j++) {
    m.set(decodeEscaped(buf, pos[4 * j]!, pos[4 * j + 1]!), decodeEscaped(buf, pos[4 * j + 2]!, pos[4 * j + 3]!));
  }
  const metric = m.get('__name__');
  const parts: string[] = [];
  for (const [name, value] of m) if (name !== '__name__') parts.push(`${name}=${goQuote(value)}`);
  if (parts.length === 0) return metric ?? '{}';
  parts.sort(compareStrings);
  return `${metric ?? ''}{${parts.join(', ')}}`;
}
