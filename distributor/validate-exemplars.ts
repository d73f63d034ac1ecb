/**
 * Distributor-side validation of a series' exemplars, with Cortex's rules, reasons and messages
 * (pkg/util/validation ValidateExemplar), in its order: no labels → exemplar_labels_missing; a
 * zero timestamp → exemplar_timestamp_invalid; label names and values longer than 128 UTF-8
 * characters together (OpenMetrics's limit) → exemplar_labels_too_long. Cortex refuses the
 * series' samples with a bad exemplar; Vigil refuses only that exemplar (a rejected item never
 * costs the others): the good ones are compacted to the front of the series' exemplar range and
 * `exemplarCount[i]` becomes their number.
 */

import type { WriteBatch } from '../proto/write-batch.js';
import { DiscardReason } from './discard-reasons.js';
import { decodeEscaped, goQuote } from './utf8.js';
import type { ValidationError } from './validate.js';

/** OpenMetrics: "The combined length of the label names and values of an Exemplar's LabelSet MUST NOT exceed 128 UTF-8 characters." */
export const EXEMPLAR_MAX_LABEL_SET_LENGTH = 128;

export interface ExemplarsResult {
  error: ValidationError | null;
  kept: number;
  /** Refused exemplars by reason. */
  readonly discarded: Map<string, number>;
}

/** UTF-8 characters in buf[off, off+len): every byte but continuation bytes starts one. */
function runes(buf: Uint8Array, off: number, len: number): number {
  let n = 0;
  for (let i = off, end = off + len; i < end; i++) if ((buf[i]! & 0xc0) !== 0x80) n++;
  return n;
}

/** Prometheus's labels.String(): `{a="b", c="d"}`. */
function labelsText(buf: Uint8Array, pos: Uint32Array, from: number, count: number): string {
  const parts: string[] = [];
  for (let j = from; j < from + count; j++) parts.push(`${decodeEscaped(buf, pos[4 * j]!, pos[4 * j + 1]!)}=${goQuote(decodeEscaped(buf, pos[4 * j + 2]!, pos[4 * j + 3]!))}`);
  return `{${parts.join(', ')}}`;
}

/** Validate and compact series i's exemplars; `out.kept` is how many remain. */
export function validateExemplars(batch: WriteBatch, i: number, out: ExemplarsResult): ExemplarsResult {
  out.error = null;
  out.kept = 0;
  const n = batch.exemplarCount[i]!;
  if (n === 0) return out;
  const { buf, exLabelPos: pos, exLabelStart, exLabelCount, exTs, exValueHi, exValueLo } = batch;
  const x0 = batch.exemplarStart[i]!;
  let w = x0;
  for (let x = x0; x < x0 + n; x++) {
    const l0 = exLabelStart[x]!;
    const ln = exLabelCount[x]!;
    let reason: DiscardReason | null = null;
    let what = '';
    if (ln === 0) {
      reason = DiscardReason.exemplarLabelsMissing;
      what = 'exemplar missing labels';
    } else if (exTs[x] === 0) {
      reason = DiscardReason.exemplarTimestampInvalid;
      what = 'exemplar missing timestamp';
    } else {
      let len = 0;
      for (let e = l0; e < l0 + ln; e++) len += runes(buf, pos[4 * e]!, pos[4 * e + 1]!) + runes(buf, pos[4 * e + 2]!, pos[4 * e + 3]!);
      if (len > EXEMPLAR_MAX_LABEL_SET_LENGTH) {
        reason = DiscardReason.exemplarLabelsTooLong;
        what = `exemplar combined labelset exceeds ${EXEMPLAR_MAX_LABEL_SET_LENGTH} characters`;
      }
    }
    if (reason !== null) {
      out.discarded.set(reason, (out.discarded.get(reason) ?? 0) + 1);
      out.error ??= {
        reason,
        status: 400,
        message: `${what}, timestamp: ${exTs[x]} series: ${labelsText(buf, batch.labelPos, batch.labelStart[i]!, batch.labelCount[i]!)} labels: ${labelsText(buf, pos, l0, ln)}`,
      };
      continue;
    }
    if (w !== x) {
      exTs[w] = exTs[x]!;
      exValueHi[w] = exValueHi[x]!;
      exValueLo[w] = exValueLo[x]!;
      exLabelStart[w] = l0;
      exLabelCount[w] = ln;
    }
    w++;
  }
  out.kept = w - x0;
  if (out.kept !== n) {
    batch.exemplarCount[i] = out.kept;
    batch.seriesLen[i] = 0;
  }
  return out;
}
