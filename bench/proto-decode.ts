/**
 * Micro-benchmark of the push decode path: snappy (native vs JS) and the hand-written
 * remote-write 1.0 decoder vs protobufjs, on node_exporter-like requests of 500 and 5,000
 * samples. Run: npm run build && node dist/bench/proto-decode.js
 */

import { snappyCodecs } from '../proto/snappy.js';
import { WriteRequestV1 } from '../proto/testing.js';
import { WriteBatch } from '../proto/write-batch.js';
import { decodeWriteRequestV1 } from '../proto/write-decoder.js';
import { type EncSeries, encodeWriteRequestV1 } from '../proto/write-encoder.js';

function request(n: number): Uint8Array {
  const modes = ['idle', 'user', 'system', 'iowait', 'irq', 'softirq', 'steal', 'nice'];
  const ts: EncSeries[] = [];
  for (let i = 0; i < n; i++) {
    ts.push({
      labels: [
        { name: '__name__', value: 'node_cpu_seconds_total' },
        { name: 'cpu', value: String(i % 64) },
        { name: 'instance', value: `host-${Math.floor(i / 512)}:9100` },
        { name: 'job', value: 'node' },
        { name: 'mode', value: modes[i % 8]! },
      ],
      samples: [{ timestamp: 1_700_000_000_000 + i, value: i * 1.25 }],
    });
  }
  return encodeWriteRequestV1({ timeseries: ts });
}

function rate(label: string, samples: number, fn: () => void): number {
  const deadline = performance.now() + 1500;
  let n = 0;
  const t0 = performance.now();
  while (performance.now() < deadline) {
    fn();
    n++;
  }
  const perSec = (n * samples) / ((performance.now() - t0) / 1000);
  console.log(`${label.padEnd(44)} ${(perSec / 1e6).toFixed(2)} M samples/s`);
  return perSec;
}

for (const n of [500, 2000, 5000]) {
  const raw = request(n);
  const native = snappyCodecs.native!;
  const js = snappyCodecs.js;
  const compressed = native.compress(raw);
  console.log(`\n${n} samples per request: ${raw.length} bytes raw, ${compressed.length} compressed`);
  const b = new WriteBatch();
  rate('snappy native uncompress', n, () => native.uncompress(compressed));
  rate('snappy js uncompress', n, () => js.uncompress(compressed));
  rate('Vigil decodeWriteRequestV1', n, () => decodeWriteRequestV1(raw, b));
  rate('protobufjs WriteRequest.decode', n, () => WriteRequestV1.decode(raw));
  rate('native uncompress + Vigil decode', n, () => decodeWriteRequestV1(native.uncompress(compressed), b));
}
