/**
 * The local PostgreSQL (127.0.0.1:5432, trust auth, database `test`) for suites that test the
 * PostgreSQL rule store for real: under CI=true an unreachable server fails the suite; otherwise
 * it is skipped with the reason printed. Each suite works in a private schema it drops after.
 */

import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const POSTGRES_URL = process.env.VIGIL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** True when PostgreSQL answers; `what` names the tests that need it. */
export async function requirePostgres(what: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch (e) {
    const why = `no PostgreSQL at ${POSTGRES_URL}: ${(e as Error).message}`;
    if (process.env.CI === 'true') throw new Error(`PostgreSQL is required under CI=true (${what}); ${why}`);
    console.warn(`SKIPPING ${what}: ${why}`);
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Creates a fresh schema `vigil_test_<random>`; returns its name and a function dropping it. */
export async function tempSchema(): Promise<{ schema: string; drop: () => Promise<void> }> {
  const schema = `vigil_test_${randomBytes(6).toString('hex')}`;
  const c = new pg.Client({ connectionString: POSTGRES_URL });
  await c.connect();
  try {
    await c.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await c.end();
  }
  return {
    schema,
    drop: async () => {
      const d = new pg.Client({ connectionString: POSTGRES_URL });
      await d.connect();
      try {
        await d.query(`DROP SCHEMA ${schema} CASCADE`);
      } finally {
        await d.end();
      }
    },
  };
}
