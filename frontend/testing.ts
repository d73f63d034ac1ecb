/**
 * A fake querier for the frontend's tests: answers any [start, end, step] with a deterministic
 * matrix and records what it was asked. Series `job="a"` has the value t/1000 at every step;
 * series `job="b"` exists only in even hours, with the value 2·t/1000.
 */

import type { MatrixSeries, RangeHandler, RangeRequest, RangeResponse } from './types.js';

export interface FakeDownstream {
  readonly handler: RangeHandler;
  readonly requests: RangeRequest[];
  /** Requests running right now, and the most ever at once. */
  readonly inFlight: () => number;
  readonly maxInFlight: () => number;
  /** While held, answers wait until release(). */
  hold(): void;
  release(): void;
  /** Answers for which this returns true carry a warning. */
  warnWhen: (req: RangeRequest) => boolean;
}

export function expectedMatrix(startMs: number, endMs: number, stepMs: number): RangeResponse {
  const a: [number, string][] = [];
  const b: [number, string][] = [];
  for (let t = startMs; t <= endMs; t += stepMs) {
    a.push([t / 1000, String(t / 1000)]);
    if (Math.floor(t / 3600_000) % 2 === 0) b.push([t / 1000, String((2 * t) / 1000)]);
  }
  const result: MatrixSeries[] = [];
  if (a.length > 0) result.push({ metric: { __name__: 'x', job: 'a' }, values: a });
  if (b.length > 0) result.push({ metric: { __name__: 'x', job: 'b' }, values: b });
  return { resultType: 'matrix', result };
}

export function fakeDownstream(): FakeDownstream {
  const requests: RangeRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let gate: Promise<void> | null = null;
  let open: (() => void) | null = null;
  const fake: FakeDownstream = {
    requests,
    inFlight: () => inFlight,
    maxInFlight: () => maxInFlight,
    hold() {
      if (gate !== null) return;
      gate = new Promise<void>((resolve) => {
        open = resolve;
      });
    },
    release() {
      open?.();
      gate = null;
      open = null;
    },
    warnWhen: () => false,
    handler: async (req) => {
      requests.push(req);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        await new Promise((r) => setImmediate(r));
        while (gate !== null) await gate;
        const m = expectedMatrix(req.startMs, req.endMs, req.stepMs);
        return fake.warnWhen(req) ? { ...m, warnings: ['fake warning'] } : m;
      } finally {
        inFlight--;
      }
    },
  };
  return fake;
}

/** Every step timestamp the requests evaluate, in the order asked. */
export function evaluatedSteps(reqs: readonly RangeRequest[]): number[] {
  const out: number[] = [];
  for (const r of reqs) for (let t = r.startMs; t <= r.endMs; t += r.stepMs) out.push(t);
  return out;
}

/** Wait until cond holds, yielding to the event loop; fails after many turns. */
export async function until(cond: () => boolean, turns = 10_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (cond()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error('condition not met');
}
