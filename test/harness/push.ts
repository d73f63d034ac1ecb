/** Remote-write 1.0 pushes from tests: encode, snappy-compress, POST, return the status and body. */

import { snappyEncode } from '../../proto/snappy.js';
import { type EncSeries, encodeWriteRequestV1 } from '../../proto/write-encoder.js';

export async function pushV1(baseUrl: string, series: readonly EncSeries[], tenant?: string): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/x-protobuf',
    'Content-Encoding': 'snappy',
    'X-Prometheus-Remote-Write-Version': '0.1.0',
  };
  if (tenant !== undefined) headers['X-Scope-OrgID'] = tenant;
  const r = await fetch(`${baseUrl}/api/v1/push`, { method: 'POST', body: snappyEncode(encodeWriteRequestV1({ timeseries: series })), headers });
  return { status: r.status, body: await r.text() };
}
