import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

/**
 * The database a test gateway runs on. The suite runs once on SQLite files and,
 * when PostgreSQL is reachable, once more on PostgreSQL (vitest project
 * `postgres`, env OMNIGATE_TEST_BACKEND=postgres), each gateway in a fresh database.
 */
export const TEST_BACKEND: 'sqlite' | 'postgres' =
  process.env.OMNIGATE_TEST_BACKEND === 'postgres' ? 'postgres' : 'sqlite';

export const POSTGRES_ADMIN_URL =
  process.env.OMNIGATE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  /** OMNIGATE_DATABASE_URL for the gateway; undefined: the SQLite file under the data dir. */
  url: string | undefined;
  /** Every byte the database holds on disk (SQLite files) or a pg_dump of it. */
  dump(): Buffer;
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(dataDir: string): Promise<TestDatabase> {
  if (TEST_BACKEND === 'sqlite') {
    return {
      url: undefined,
      dump: () =>
        Buffer.concat(
          readdirSync(dataDir)
            .filter((f) => f.startsWith('omnigate.sqlite'))
            .map((f) => readFileSync(join(dataDir, f))),
        ),
      drop: async () => undefined,
    };
  }
  const name = `og_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  return {
    url,
    dump: () => execFileSync('pg_dump', ['--data-only', url], { maxBuffer: 256 * 1024 * 1024 }),
    drop: () =>
      admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
