/**
 * Hand-written decoders of remote write 1.0 (`prometheus.WriteRequest`) and 2.0
 * (`io.prometheus.write.v2.Request`) into a reusable WriteBatch. Nothing is allocated per
 * sample, exemplar or label: labels (series and exemplar) become byte ranges into the body,
 * values stay raw bits. Every length is checked before it is used; malformed input throws a
 * ProtoError and nothing else.
 * Proven equal to protobufjs's generic decode in write-decoder.test.ts.
 */

import { type MetricMetadata, type MetricTypeValue, type WriteBatch } from './write-batch.js';
import { ProtoError, Reader, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, utf8String } from './wire.js';

const r = new Reader();

function expectWire(wt: number, want: number, what: string): void {
  if (wt !== want) throw new ProtoError(`${what} has wire type ${wt}, expected ${want} (offset ${r.pos})`);
}

/** Sample { double value = 1; int64 timestamp = 2; (v2: int64 start_timestamp = 3) } */
function decodeSample(end: number, into: WriteBatch): void {
  const k = into.sampleTotal;
  into.ensureSample(k);
  let lo = 0;
  let hi = 0;
  let ts = 0;
  while (r.pos < end) {
    const key = r.uint32(end, 'Sample key');
    const f = key >>> 3;
    const wt = key & 7;
    if (f === 1 && wt === WIRE_FIXED64) {
      r.fixed64(end, 'Sample.value');
      lo = r.lo;
      hi = r.hi;
    } else if (f === 2 && wt === WIRE_VARINT) {
      ts = r.int64(end, 'Sample.timestamp');
    } else {
      if (f === 0) throw new ProtoError(`field number 0 in Sample at offset ${r.pos}`);
      r.skip(wt, end, 'Sample field');
    }
  }
  into.ts[k] = ts;
  into.valueLo[k] = lo;
  into.valueHi[k] = hi;
  into.sampleTotal = k + 1;
}

/** Label { string name = 1; string value = 2; } → entry j of `pos` (labelPos or exLabelPos). */
function readLabel(end: number, pos: Uint32Array, j: number): void {
  let nOff = r.pos;
  let nLen = 0;
  let vOff = r.pos;
  let vLen = 0;
  while (r.pos < end) {
    const key = r.uint32(end, 'Label key');
    const f = key >>> 3;
    const wt = key & 7;
    if ((f === 1 || f === 2) && wt === WIRE_LEN) {
      const n = r.len(end, f === 1 ? 'Label.name' : 'Label.value');
      if (f === 1) {
        nOff = r.pos;
        nLen = n;
      } else {
        vOff = r.pos;
        vLen = n;
      }
      r.pos += n;
    } else {
      if (f === 0) throw new ProtoError(`field number 0 in Label at offset ${r.pos}`);
      r.skip(wt, end, 'Label field');
    }
  }
  pos[4 * j] = nOff;
  pos[4 * j + 1] = nLen;
  pos[4 * j + 2] = vOff;
  pos[4 * j + 3] = vLen;
}

/** A series label (1.0) → one labelPos entry. */
function decodeLabelV1(end: number, into: WriteBatch): void {
  const j = into.labelTotal;
  into.ensureLabel(j);
  readLabel(end, into.labelPos, j);
  into.labelTotal = j + 1;
}

/** Exemplar { repeated Label labels = 1; double value = 2; int64 timestamp = 3; } (1.0) */
function decodeExemplarV1(end: number, into: WriteBatch): void {
  const x = into.exemplarTotal;
  into.ensureExemplar(x);
  const e0 = into.exLabelTotal;
  let lo = 0;
  let hi = 0;
  let ts = 0;
  while (r.pos < end) {
    const key = r.uint32(end, 'Exemplar key');
    const f = key >>> 3;
    const wt = key & 7;
    if (f === 1 && wt === WIRE_LEN) {
      const n = r.len(end, 'Exemplar.labels');
      const le = r.pos + n;
      const e = into.exLabelTotal;
      into.ensureExLabel(e);
      readLabel(le, into.exLabelPos, e);
      into.exLabelTotal = e + 1;
      r.pos = le;
    } else if (f === 2 && wt === WIRE_FIXED64) {
      r.fixed64(end, 'Exemplar.value');
      lo = r.lo;
      hi = r.hi;
    } else if (f === 3 && wt === WIRE_VARINT) {
      ts = r.int64(end, 'Exemplar.timestamp');
    } else {
      if (f === 0) throw new ProtoError(`field number 0 in Exemplar at offset ${r.pos}`);
      r.skip(wt, end, 'Exemplar field');
    }
  }
  into.exTs[x] = ts;
  into.exValueLo[x] = lo;
  into.exValueHi[x] = hi;
  into.exLabelStart[x] = e0;
  into.exLabelCount[x] = into.exLabelTotal - e0;
  into.exemplarTotal = x + 1;
}

/** Record series i's ranges once its fields are decoded (labels, samples and exemplars were appended). */
function finishSeries(into: WriteBatch, i: number, l0: number, s0: number, x0: number, hist: number, off: number, len: number): void {
  into.labelStart[i] = l0;
  into.labelCount[i] = into.labelTotal - l0;
  into.sampleStart[i] = s0;
  into.sampleCount[i] = into.sampleTotal - s0;
  into.histogramCount[i] = hist;
  into.exemplarStart[i] = x0;
  into.exemplarCount[i] = into.exemplarTotal - x0;
  into.seriesOff[i] = off;
  into.seriesLen[i] = len;
  into.histogramTotal += hist;
  into.seriesCount = i + 1;
}

function decodeTimeSeriesV1(start: number, end: number, into: WriteBatch): void {
  const i = into.seriesCount;
  into.ensureSeries(i);
  const l0 = into.labelTotal;
  const s0 = into.sampleTotal;
  const x0 = into.exemplarTotal;
  let hist = 0;
  while (r.pos < end) {
    const key = r.uint32(end, 'TimeSeries key');
    const f = key >>> 3;
    const wt = key & 7;
    if (f >= 1 && f <= 4) {
      expectWire(wt, WIRE_LEN, `TimeSeries field ${f}`);
      const n = r.len(end, 'TimeSeries field');
      const e = r.pos + n;
      if (f === 1) decodeLabelV1(e, into);
      else if (f === 2) decodeSample(e, into);
      else if (f === 3) decodeExemplarV1(e, into);
      else {
        r.checkMessage(e, 'Histogram');
        hist++;
      }
      r.pos = e;
    } else {
      if (f === 0) throw new ProtoError(`field number 0 in TimeSeries at offset ${r.pos}`);
      r.skip(wt, end, 'TimeSeries field');
    }
  }
  finishSeries(into, i, l0, s0, x0, hist, start, end - start);
}

function metricType(v: number): MetricTypeValue {
  return (v >= 0 && v <= 7 ? v : 0) as MetricTypeValue;
}

/** MetricMetadata { type = 1; metric_family_name = 2; help = 4; unit = 5; } */
function decodeMetadataV1(end: number): MetricMetadata {
  const buf = r.buf;
  let type = 0;
  let name = '';
  let help = '';
  let unit = '';
  while (r.pos < end) {
    const key = r.uint32(end, 'MetricMetadata key');
    const f = key >>> 3;
    const wt = key & 7;
    if (f === 1 && wt === WIRE_VARINT) type = r.uint32(end, 'MetricMetadata.type');
    else if ((f === 2 || f === 4 || f === 5) && wt === WIRE_LEN) {
      const n = r.len(end, 'MetricMetadata string');
      const s = utf8String(buf, r.pos, n, 'MetricMetadata');
      if (f === 2) name = s;
      else if (f === 4) help = s;
      else unit = s;
      r.pos += n;
    } else {
      if (f === 0) throw new ProtoError(`field number 0 in MetricMetadata at offset ${r.pos}`);
      r.skip(wt, end, 'MetricMetadata field');
    }
  }
  return { type: metricType(type), metricFamilyName: name, help, unit };
}

/** Decode a remote write 1.0 body (already decompressed) into `into`. */
export function decodeWriteRequestV1(buf: Uint8Array, into: WriteBatch): void {
  into.reset(buf, 1);
  r.reset(buf);
  const end = buf.length;
  while (r.pos < end) {
    const key = r.uint32(end, 'WriteRequest key');
    const f = key >>> 3;
    const wt = key & 7;
    if (f === 1 || f === 3) {
      expectWire(wt, WIRE_LEN, `WriteRequest field ${f}`);
      const n = r.len(end, f === 1 ? 'TimeSeries' : 'MetricMetadata');
      const start = r.pos;
      const e = start + n;
      if (f === 1) decodeTimeSeriesV1(start, e, into);
      else into.metadata.push(decodeMetadataV1(e));
      r.pos = e;
    } else {
      if (f === 0) throw new ProtoError(`field number 0 in WriteRequest at offset ${r.pos}`);
      r.skip(wt, end, 'WriteRequest field');
    }
  }
}

// ---- 2.0 ----

/** Symbol table of the request being decoded: offset and length of symbol s at 2s, 2s+1. */
let symbols = new Uint32Array(1024);
let symbolCount = 0;

function addSymbol(off: number, len: number): void {
  if (2 * symbolCount + 1 >= symbols.length) {
    const grown = new Uint32Array(symbols.length * 2);
    grown.set(symbols);
    symbols = grown;
  }
  symbols[2 * symbolCount] = off;
  symbols[2 * symbolCount + 1] = len;
  symbolCount++;
}

function symbolRef(ref: number, what: string): number {
  if (ref >= symbolCount) throw new ProtoError(`${what} refers to symbol ${ref} but the table has ${symbolCount}`);
  return ref;
}

/** Write the label (name ref, value ref) as entry j of `pos` (labelPos or exLabelPos). */
function writeRefLabel(pos: Uint32Array, j: number, name: number, value: number): void {
  pos[4 * j] = symbols[2 * name]!;
  pos[4 * j + 1] = symbols[2 * name + 1]!;
  pos[4 * j + 2] = symbols[2 * value]!;
  pos[4 * j + 3] = symbols[2 * value + 1]!;
}

/**
 * Append the pair of refs as one series label. `pendingName` holds the name ref until its value
 * arrives (refs may be split over several labels_refs fields, so it lives across fields).
 */
let pendingName = -1;

function pushRef(ref: number, into: WriteBatch): void {
  symbolRef(ref, 'TimeSeries.labels_refs');
  if (pendingName < 0) {
    pendingName = ref;
    return;
  }
  const j = into.labelTotal;
  into.ensureLabel(j);
  writeRefLabel(into.labelPos, j, pendingName, ref);
  into.labelTotal = j + 1;
  pendingName = -1;
}

/** The same for an exemplar's labels; its own pending name, as exemplars sit inside a series. */
let exPendingName = -1;

function pushExRef(ref: number, into: WriteBatch): void {
  symbolRef(ref, 'Exemplar.labels_refs');
  if (exPendingName < 0) {
    exPendingName = ref;
    return;
  }
  const e = into.exLabelTotal;
  into.ensureExLabel(e);
  writeRefLabel(into.exLabelPos, e, exPendingName, ref);
  into.exLabelTotal = e + 1;
  exPendingName = -1;
}

/** Exemplar { repeated uint32 labels_refs = 1; double value = 2; int64 timestamp = 3; } (2.0) */
function decodeExemplarV2(end: number, into: WriteBatch): void {
  const x = into.exemplarTotal;
  into.ensureExemplar(x);
  const e0 = into.exLabelTotal;
  let lo = 0;
  let hi = 0;
  let ts = 0;
  exPendingName = -1;
  while (r.pos < end) {
    const key = r.uint32(end, 'Exemplar key');
    const f = key >>> 3;
    const wt = key & 7;
    if (f === 1 && wt === WIRE_LEN) {
      const n = r.len(end, 'Exemplar.labels_refs');
      const e = r.pos + n;
      while (r.pos < e) pushExRef(r.uint32(e, 'Exemplar.labels_refs'), into);
    } else if (f === 1 && wt === WIRE_VARINT) {
      pushExRef(r.uint32(end, 'Exemplar.labels_refs'), into);
    } else if (f === 2 && wt === WIRE_FIXED64) {
      r.fixed64(end, 'Exemplar.value');
      lo = r.lo;
      hi = r.hi;
    } else if (f === 3 && wt === WIRE_VARINT) {
      ts = r.int64(end, 'Exemplar.timestamp');
    } else {
      if (f === 0) throw new ProtoError(`field number 0 in Exemplar at offset ${r.pos}`);
      r.skip(wt, end, 'Exemplar field');
    }
  }
  if (exPendingName >= 0) throw new ProtoError(`Exemplar.labels_refs has an odd number of refs (exemplar ${x})`);
  into.exTs[x] = ts;
  into.exValueLo[x] = lo;
  into.exValueHi[x] = hi;
  into.exLabelStart[x] = e0;
  into.exLabelCount[x] = into.exLabelTotal - e0;
  into.exemplarTotal = x + 1;
}

const NAME_BYTES = [0x5f, 0x5f, 0x6e, 0x61, 0x6d, 0x65, 0x5f, 0x5f]; // "__name__"

function isNameLabel(buf: Uint8Array, off: number, len: number): boolean {
  if (len !== 8) return false;
  for (let k = 0; k < 8; k++) if (buf[off + k] !== NAME_BYTES[k]) return false;
  return true;
}

/** Metadata { type = 1; help_ref = 3; unit_ref = 4; } */
function decodeMetadataV2(end: number): { type: number; help: number; unit: number } {
  let type = 0;
  let help = 0;
  let unit = 0;
  while (r.pos < end) {
    const key = r.uint32(end, 'Metadata key');
    const f = key >>> 3;
    const wt = key & 7;
    if (f === 1 && wt === WIRE_VARINT) type = r.uint32(end, 'Metadata.type');
    else if (f === 3 && wt === WIRE_VARINT) help = symbolRef(r.uint32(end, 'Metadata.help_ref'), 'Metadata.help_ref');
    else if (f === 4 && wt === WIRE_VARINT) unit = symbolRef(r.uint32(end, 'Metadata.unit_ref'), 'Metadata.unit_ref');
    else {
      if (f === 0) throw new ProtoError(`field number 0 in Metadata at offset ${r.pos}`);
      r.skip(wt, end, 'Metadata field');
    }
  }
  return { type, help, unit };
}

function decodeTimeSeriesV2(end: number, into: WriteBatch, seenFamilies: Set<number>): void {
  const i = into.seriesCount;
  into.ensureSeries(i);
  const l0 = into.labelTotal;
  const s0 = into.sampleTotal;
  const x0 = into.exemplarTotal;
  let hist = 0;
  let md: { type: number; help: number; unit: number } | null = null;
  pendingName = -1;
  while (r.pos < end) {
    const key = r.uint32(end, 'TimeSeries key');
    const f = key >>> 3;
    const wt = key & 7;
    if (f === 1 && wt === WIRE_LEN) {
      const n = r.len(end, 'TimeSeries.labels_refs');
      const e = r.pos + n;
      while (r.pos < e) pushRef(r.uint32(e, 'TimeSeries.labels_refs'), into);
    } else if (f === 1 && wt === WIRE_VARINT) {
      pushRef(r.uint32(end, 'TimeSeries.labels_refs'), into);
    } else if (f >= 2 && f <= 5) {
      expectWire(wt, WIRE_LEN, `TimeSeries field ${f}`);
      const n = r.len(end, 'TimeSeries field');
      const e = r.pos + n;
      if (f === 2) decodeSample(e, into);
      else if (f === 4) decodeExemplarV2(e, into);
      else if (f === 5) md = decodeMetadataV2(e);
      else {
        r.checkMessage(e, 'Histogram');
        hist++;
      }
      r.pos = e;
    } else {
      if (f === 0) throw new ProtoError(`field number 0 in TimeSeries at offset ${r.pos}`);
      r.skip(wt, end, 'TimeSeries field');
    }
  }
  if (pendingName >= 0) throw new ProtoError(`TimeSeries.labels_refs has an odd number of refs (series ${i})`);
  finishSeries(into, i, l0, s0, x0, hist, 0, 0);

  if (md && (md.type !== 0 || md.help !== 0 || md.unit !== 0)) {
    // One metadata entry per metric family per request, keyed by the name's value bytes.
    const buf = into.buf;
    const pos = into.labelPos;
    for (let j = l0; j < into.labelTotal; j++) {
      if (!isNameLabel(buf, pos[4 * j]!, pos[4 * j + 1]!)) continue;
      const vOff = pos[4 * j + 2]!;
      if (seenFamilies.has(vOff)) break;
      seenFamilies.add(vOff);
      into.metadata.push({
        type: metricType(md.type),
        metricFamilyName: utf8String(buf, vOff, pos[4 * j + 3]!, 'metric name'),
        help: utf8String(buf, symbols[2 * md.help]!, symbols[2 * md.help + 1]!, 'Metadata help'),
        unit: utf8String(buf, symbols[2 * md.unit]!, symbols[2 * md.unit + 1]!, 'Metadata unit'),
      });
      break;
    }
  }
}

/** Decode a remote write 2.0 body (already decompressed) into `into`. */
export function decodeWriteRequestV2(buf: Uint8Array, into: WriteBatch): void {
  into.reset(buf, 2);
  r.reset(buf);
  const end = buf.length;
  symbolCount = 0;
  // Pass 1: the symbol table, wherever it sits in the message.
  while (r.pos < end) {
    const key = r.uint32(end, 'Request key');
    const f = key >>> 3;
    const wt = key & 7;
    if (f === 4) {
      expectWire(wt, WIRE_LEN, 'Request.symbols');
      const n = r.len(end, 'Request.symbols');
      addSymbol(r.pos, n);
      r.pos += n;
    } else {
      if (f === 0) throw new ProtoError(`field number 0 in Request at offset ${r.pos}`);
      r.skip(wt, end, 'Request field');
    }
  }
  if (symbolCount > 0 && symbols[1] !== 0) throw new ProtoError('Request.symbols[0] must be the empty string');
  // Pass 2: the series.
  r.pos = 0;
  const seenFamilies = new Set<number>();
  while (r.pos < end) {
    const key = r.uint32(end, 'Request key');
    const f = key >>> 3;
    const wt = key & 7;
    if (f === 5 && wt === WIRE_LEN) {
      const n = r.len(end, 'TimeSeries');
      const e = r.pos + n;
      decodeTimeSeriesV2(e, into, seenFamilies);
      r.pos = e;
    } else {
      r.skip(wt, end, 'Request field');
    }
  }
}
