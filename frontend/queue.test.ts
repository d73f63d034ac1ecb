import { describe, expect, it } from 'vitest';
import { VigilError, httpStatusOf } from '../util/errors.js';
import { QueryFrontend } from './frontend.js';
import { TOO_MANY_OUTSTANDING, TenantQueues } from './queue.js';
import { fakeDownstream, until } from './testing.js';
import type { FrontendLimits, RangeRequest } from './types.js';

const HOUR = 3600_000;
const q = (tenant: string, i = 0): RangeRequest => ({ tenant, query: `up{i="${i}"}`, startMs: HOUR, endMs: 2 * HOUR, stepMs: 60_000 });

/** A task that runs until released, recording when it started. */
function gated(log: string[], name: string) {
  let open!: () => void;
  const gate = new Promise<void>((r) => {
    open = r;
  });
  return {
    fn: async () => {
      log.push(name);
      await gate;
      return name;
    },
    open: () => open(),
  };
}

describe('per-tenant queue through the frontend', () => {
  it('rejects the 101st outstanding request of a tenant with 429, while another tenant gets through', async () => {
    const fake = fakeDownstream();
    fake.hold();
    const limits = (): FrontendLimits => ({ maxQueryParallelism: 14, maxCacheFreshnessMs: 60_000, maxOutstandingPerTenant: 100 });
    const fe = new QueryFrontend({ downstream: fake.handler, cache: null, limits, splitIntervalMs: 24 * HOUR, alignWithStep: false, maxConcurrent: 16 });
    const accepted = Array.from({ length: 100 }, (_, i) => fe.rangeQuery(q('a', i)));
    await until(() => fake.inFlight() === 16);
    expect(fe.outstanding('a')).toBe(100);

    const err = await fe.rangeQuery(q('a', 100)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VigilError);
    expect((err as Error).message).toBe(TOO_MANY_OUTSTANDING);
    expect(httpStatusOf(err)).toBe(429);
    expect(fe.stats.queueRejected).toBe(1);

    const b = fe.rangeQuery(q('b'));
    expect(fe.outstanding('b')).toBe(1);
    fake.release();
    const got = await b;
    expect(got.result.length).toBeGreaterThan(0);
    await Promise.all(accepted);
    // Tenant b was served before most of a's queued requests: it did not wait for all 100.
    const bAt = fake.requests.findIndex((r) => r.tenant === 'b');
    expect(bAt).toBeGreaterThanOrEqual(16);
    expect(bAt).toBeLessThan(20);
    expect(fe.outstanding('a')).toBe(0);
    // The queue drained: a's 101st attempt now succeeds.
    await expect(fe.rangeQuery(q('a', 100))).resolves.toBeDefined();
  });
});

describe('TenantQueues', () => {
  it('serves tenants in turn when a slot frees', async () => {
    const log: string[] = [];
    const queues = new TenantQueues({ maxConcurrent: 1, maxOutstanding: () => 100 });
    const tasks = new Map<string, ReturnType<typeof gated>>();
    const results: Promise<string>[] = [];
    const submit = (tenant: string, name: string): void => {
      const t = gated(log, name);
      tasks.set(name, t);
      results.push(queues.run(tenant, t.fn));
    };
    for (let i = 1; i <= 5; i++) submit('a', `a${i}`);
    submit('b', 'b1');
    submit('b', 'b2');
    submit('c', 'c1');
    for (let done = 0; done < 8; done++) {
      await until(() => log.length === done + 1);
      tasks.get(log[done]!)!.open();
    }
    await Promise.all(results);
    expect(log).toEqual(['a1', 'a2', 'b1', 'c1', 'a3', 'b2', 'a4', 'a5']);
  });

  it('runs no more than maxConcurrent at once', async () => {
    const queues = new TenantQueues({ maxConcurrent: 3, maxOutstanding: () => 0 });
    let running = 0;
    let most = 0;
    const all = Array.from({ length: 20 }, (_, i) =>
      queues.run(`t${i % 4}`, async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 2));
        running--;
      }),
    );
    await Promise.all(all);
    expect(most).toBe(3);
  });

  it('counts running and queued requests against the tenant limit, per tenant', async () => {
    const log: string[] = [];
    const queues = new TenantQueues({ maxConcurrent: 1, maxOutstanding: (t) => (t === 'small' ? 2 : 100) });
    const t1 = gated(log, 's1');
    const t2 = gated(log, 's2');
    const p1 = queues.run('small', t1.fn);
    const p2 = queues.run('small', t2.fn);
    await expect(queues.run('small', async () => 'x')).rejects.toThrow(TOO_MANY_OUTSTANDING);
    const other = queues.run('big', async () => 'big');
    t1.open();
    t2.open();
    expect(await Promise.all([p1, p2, other])).toEqual(['s1', 's2', 'big']);
    expect(queues.outstanding('small')).toBe(0);
  });

  it('drops a queued request whose signal aborts, freeing its place', async () => {
    const log: string[] = [];
    const queues = new TenantQueues({ maxConcurrent: 1, maxOutstanding: () => 2 });
    const first = gated(log, 'first');
    const p1 = queues.run('t', first.fn);
    const ac = new AbortController();
    const p2 = queues.run('t', async () => 'never', ac.signal);
    expect(queues.outstanding('t')).toBe(2);
    ac.abort(new Error('client went away'));
    await expect(p2).rejects.toThrow('client went away');
    expect(queues.outstanding('t')).toBe(1);
    expect(queues.queued).toBe(0);
    first.open();
    expect(await p1).toBe('first');
    expect(log).toEqual(['first']);
  });

  it('passes a failure of the task through and frees the slot', async () => {
    const queues = new TenantQueues({ maxConcurrent: 1, maxOutstanding: () => 10 });
    const boom = new Error('downstream 503');
    await expect(queues.run('t', () => Promise.reject(boom))).rejects.toBe(boom);
    await expect(queues.run('t', async () => 1)).resolves.toBe(1);
    expect(queues.outstanding('t')).toBe(0);
  });
});
