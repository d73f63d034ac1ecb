/** A GroupContext over an in-memory storage and the real engine, for the rules' own tests. */

import { Engine } from '../../promql/engine.js';
import { labelsFromRecord } from '../../tsdb/labels.js';
import { MemoryStorage } from '../unittest/storage.js';
import { instantVector } from './query.js';
import type { AlertToSend, GroupContext } from './types.js';

export interface TestContext {
  readonly ctx: GroupContext;
  readonly storage: MemoryStorage;
  readonly sent: AlertToSend[][];
}

export function testContext(over: Partial<GroupContext> = {}): TestContext {
  const storage = new MemoryStorage();
  const engine = new Engine({ lookbackDeltaMs: 300_000, maxSamples: 1e7, timeoutMs: 10_000 });
  const sent: AlertToSend[][] = [];
  const ctx: GroupContext = {
    query: (expr, t) => instantVector(engine, storage, expr, t),
    append: async (samples) => {
      for (const s of samples) storage.append(s.labels, s.t, s.v, s.stale === true);
    },
    notify: (_expr, alerts) => sent.push([...alerts]),
    expand: async (_name, text, data) => text.replace(/\{\{ *\$labels\.(\w+) *\}\}/g, (_m, n: string) => data.labels[n] ?? '').replace(/\{\{ *\$value *\}\}/g, String(data.value)),
    queryable: storage,
    externalLabels: labelsFromRecord({ cluster: 'c1' }),
    externalURL: 'http://vigil.example:9009/prometheus',
    resendDelayMs: 60_000,
    outageToleranceMs: 3_600_000,
    forGracePeriodMs: 0,
    ...over,
  };
  return { ctx, storage, sent };
}
