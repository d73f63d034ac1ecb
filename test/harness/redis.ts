/**
 * The local Redis (127.0.0.1:6379) for suites that test a Redis implementation for real: under
 * CI=true a missing Redis fails the suite; otherwise it is skipped with the reason printed.
 */

import { Socket } from 'node:net';

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    s.setTimeout(500);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
    s.connect(port, '127.0.0.1');
  });
}

/** True when Redis answers; `what` names the tests that need it. */
export async function requireRedis(what: string): Promise<boolean> {
  if (await reachable(6379)) return true;
  if (process.env.CI === 'true') throw new Error(`Redis is required on 127.0.0.1:6379 under CI=true (${what})`);
  console.warn(`SKIPPING ${what}: no Redis on 127.0.0.1:6379`);
  return false;
}
