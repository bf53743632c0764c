import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { createRequire } from 'node:module';
import type PgModule from 'pg';
import { DatabaseHealth, GuardedDialect, guarded } from './availability.js';
import { BackgroundCheckpointer } from './checkpointer.js';
import { WalBarrier } from './durability.js';
import { RequestStatements } from './statements.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  dialect: 'sqlite' | 'postgres';
  /** The request path's statements, run without Kysely's builder (src/store/statements.ts). */
  statements: RequestStatements;
  /** Failures of the database itself, as they happen (readiness, one warning per outage). */
  health: DatabaseHealth;
  /** SQLite files: the WAL barrier that makes the ledger's opening commit survive a power cut. */
  durability?: WalBarrier | undefined;
  close(): Promise<void>;
}

/** How long a call waits for a new PostgreSQL connection before it is answered 503. */
const CONNECT_TIMEOUT_MS = 1_000;

export interface DatabaseOptions {
  poolSize?: number;
  /** SQLite files: checkpoint the WAL in a worker thread, off the event loop (the gateway). */
  backgroundCheckpoints?: boolean;
  /** Told when the checkpoint worker fails. */
  onBackgroundError?: (error: Error) => void;
}

/**
 * `postgres://…` selects PostgreSQL; anything else is a SQLite file path
 * (`:memory:` for a throw-away database).
 */
export function openDatabase(url: string, options: DatabaseOptions = {}): DatabaseHandle {
  if (/^postgres(ql)?:\/\//.test(url)) {
    // bigint columns hold epoch milliseconds: well inside 2^53.
    // Loaded only for PostgreSQL, so SQLite-only commands start without it.
    const pg = createRequire(import.meta.url)('pg') as typeof PgModule;
    pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      // A server that accepts no connection (restarting, unreachable) fails the call
      // quickly with 503 rather than holding it.
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      // The ledger's `pending` row must be flushed before a call goes upstream: COMMIT
      // waits for the WAL flush whatever the server's default (docs/reliability.md).
      options: '-c synchronous_commit=on',
    });
    // A connection that dies (PostgreSQL restart, failover, DROP … WITH FORCE) emits 'error';
    // without a listener that crashes the process. An idle one is dropped by the pool; a
    // checked-out one (between two statements of a transaction) gets its own listener here,
    // fails its next statement, and is discarded when released.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => {
      client.on('error', () => undefined);
    });
    const health = new DatabaseHealth();
    const db = new Kysely<Database>({
      dialect: new GuardedDialect(new PostgresDialect({ pool }), health),
    });
    return {
      db,
      dialect: 'postgres',
      statements: new RequestStatements(db),
      health,
      close: () => db.destroy(),
    };
  }
  if (url !== ':memory:') mkdirSync(dirname(url), { recursive: true });
  const sqlite = new SQLite(url);
  // WAL with synchronous=NORMAL: a committed row survives a killed process (it is in
  // the WAL, written before COMMIT returns). The ledger's opening commit also waits for
  // the WAL barrier (an fsync shared by concurrent commits), so it survives a power cut
  // too; see docs/reliability.md.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const prepared = preparingOnce(sqlite);
  const health = new DatabaseHealth();
  const db = new Kysely<Database>({
    dialect: new GuardedDialect(
      new SqliteDialect({ database: prepared }),
      health,
      () => sqlite.inTransaction,
    ),
  });
  const checkpointer =
    options.backgroundCheckpoints && url !== ':memory:'
      ? new BackgroundCheckpointer(sqlite, url, {
          ...(options.onBackgroundError ? { onError: options.onBackgroundError } : {}),
        })
      : undefined;
  const barrier = url === ':memory:' ? undefined : new WalBarrier(`${url}-wal`);
  const statements = new RequestStatements(db, {
    ...(barrier ? { barrier } : {}),
    connection: sqlite,
    prepare: (text) => prepared.prepare(text),
    guard: (wrote, fn) => guarded(health, wrote, fn),
    afterWrite: checkpointer ? () => checkpointer.noteCommit() : () => undefined,
  });
  return {
    db,
    dialect: 'sqlite',
    statements,
    health,
    durability: barrier,
    close: async () => {
      await barrier?.close();
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

/**
 * Kysely's SQLite driver prepares every query anew; a call runs the same few
 * statements every time, so each distinct SQL text is prepared once and reused
 * (docs/performance.md). Bounded, oldest first out, for statements built with
 * variable shapes. Safe because better-sqlite3 runs one statement at a time on
 * one connection and nothing here streams (a streamed statement stays busy).
 */
function preparingOnce(
  sqlite: SQLite.Database,
  max = 256,
): { close(): void; prepare(text: string): SQLite.Statement } {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string): SQLite.Statement {
      let statement = statements.get(text);
      if (statement === undefined) {
        statement = sqlite.prepare(text);
        if (statements.size >= max) statements.delete(statements.keys().next().value!);
        statements.set(text, statement);
      }
      return statement;
    },
  };
}

/** True when the database answers a trivial query. */
export async function isReachable(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
