import { describe, expect, it } from 'vitest';
import { Service, ServiceManager } from './services.js';

describe('Service lifecycle', () => {
  it('goes New → Starting → Running → Stopping → Terminated', async () => {
    const seen: string[] = [];
    const s = new Service('x', { starting: async () => {}, stopping: async () => {} });
    s.onStateChange((st) => seen.push(st));
    expect(s.state()).toBe('New');
    await s.start();
    await s.stop();
    expect(seen).toEqual(['Starting', 'Running', 'Stopping', 'Terminated']);
  });

  it('fails when starting throws, and keeps the cause', async () => {
    const s = new Service('bad', {
      starting: async () => {
        throw new Error('bucket unreachable');
      },
    });
    await expect(s.start()).rejects.toThrow('bucket unreachable');
    expect(s.state()).toBe('Failed');
    expect(s.failureCase()?.message).toBe('bucket unreachable');
  });

  it('stops in reverse order and is ready only when all run', async () => {
    const order: string[] = [];
    const mk = (n: string): Service => new Service(n, { stopping: async () => void order.push(n) });
    const m = new ServiceManager([mk('a'), mk('b'), mk('c')]);
    expect(m.ready()).toBe(false);
    await m.startAll();
    expect(m.ready()).toBe(true);
    await m.stopAll();
    expect(order).toEqual(['c', 'b', 'a']);
    expect(m.ready()).toBe(false);
  });

  it('aborts the signal given to starting when stopped', async () => {
    let signal: AbortSignal | undefined;
    const s = new Service('x', {
      starting: async (sig) => {
        signal = sig;
      },
    });
    await s.start();
    await s.stop();
    expect(signal?.aborted).toBe(true);
  });
});
