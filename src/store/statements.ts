import type SQLite from 'better-sqlite3';
import { CompiledQuery } from 'kysely';
import type { Db } from './database.js';
import type { WalBarrier } from './durability.js';

/** A value bound to a `?` placeholder. */
export type SqlValue = string | number | null;

/**
 * The request path's few statements (token lookup, store pay config, key set,
 * ledger insert and update), written once as SQL with `?` placeholders and run
 * without Kysely's query building and compiling (about 0.1 ms a statement, a
 * cancel runs five; docs/performance.md).
 *
 * On SQLite they run as prepared better-sqlite3 statements, synchronously,
 * but only while no transaction is open on the connection: Kysely's
 * transactions (revoking a client, setting a store, recording a check) span
 * several awaits, and a statement run directly in between would join that
 * transaction and share its fate. Then, and on PostgreSQL, the same SQL goes
 * through Kysely's executor, which waits for a connection like every other query.
 */
export class RequestStatements {
  readonly #db: Db;
  readonly #sqlite: SqliteAccess | undefined;
  /** PostgreSQL: each SQL text with `$1, $2, …` for its `?`. */
  readonly #numbered: Map<string, string> | undefined;

  constructor(db: Db, sqlite?: SqliteAccess) {
    this.#db = db;
    this.#sqlite = sqlite;
    this.#numbered = sqlite ? undefined : new Map();
  }

  /** PostgreSQL (the statements go through Kysely's executor, with `$n` placeholders). */
  get onPostgres(): boolean {
    return this.#sqlite === undefined;
  }

  /** True when the next statement runs directly on the SQLite connection. */
  get runsDirectly(): boolean {
    return this.#sqlite !== undefined && !this.#sqlite.connection.inTransaction;
  }

  /** The first row, or undefined. */
  get<Row>(text: string, params: readonly SqlValue[]): Row | undefined | Promise<Row | undefined> {
    if (this.runsDirectly) {
      const sqlite = this.#sqlite!;
      return sqlite.guard(false, () => sqlite.prepare(text).get(...params) as Row | undefined);
    }
    return this.#db.executeQuery<Row>(this.#compiled(text, params)).then((r) => r.rows[0]);
  }

  /** Runs a write. */
  run(text: string, params: readonly SqlValue[]): void | Promise<void> {
    if (this.runsDirectly) {
      const sqlite = this.#sqlite!;
      sqlite.guard(true, () => sqlite.prepare(text).run(...params));
      sqlite.afterWrite();
      return;
    }
    return this.#db.executeQuery(this.#compiled(text, params)).then(() => undefined);
  }

  /**
   * Runs a write that must survive a power cut before this resolves: on SQLite
   * the WAL barrier (group commit) follows the commit; on PostgreSQL the session
   * runs synchronous_commit=on, so COMMIT itself waits for the flush.
   */
  runDurably(text: string, params: readonly SqlValue[]): void | Promise<void> {
    const barrier = this.#sqlite?.barrier;
    const done = this.run(text, params);
    if (!barrier) return done;
    return done ? done.then(() => barrier.sync()) : barrier.sync();
  }

  /**
   * Runs writes as one transaction. On SQLite directly: BEGIN, the statements and
   * COMMIT run synchronously, so nothing else joins them; otherwise through
   * Kysely's transaction.
   */
  runAll(steps: readonly Statement[]): void | Promise<void> {
    if (this.runsDirectly) {
      const sqlite = this.#sqlite!;
      sqlite.guard(true, () =>
        sqlite.connection.transaction(() => {
          for (const step of steps) sqlite.prepare(step.text).run(...step.params);
        })(),
      );
      sqlite.afterWrite();
      return;
    }
    return this.#db.transaction().execute(async (trx) => {
      for (const step of steps) await trx.executeQuery(this.compiled(step.text, step.params));
    });
  }

  /** The SQL text with this dialect's placeholders: to run inside a Kysely transaction. */
  compiled(text: string, params: readonly SqlValue[]): CompiledQuery {
    return this.#compiled(text, params);
  }

  #compiled(text: string, params: readonly SqlValue[]): CompiledQuery {
    let dialectText = text;
    if (this.#numbered) {
      dialectText = this.#numbered.get(text) ?? numberPlaceholders(text);
      this.#numbered.set(text, dialectText);
    }
    return CompiledQuery.raw(dialectText, [...params]);
  }
}

/** One statement of `runAll`. */
export interface Statement {
  text: string;
  params: readonly SqlValue[];
}

/** What the statements need of a SQLite database. */
export interface SqliteAccess {
  connection: SQLite.Database;
  /** The connection's prepared statement for a SQL text, prepared once. */
  prepare(text: string): SQLite.Statement;
  /** Runs a direct statement: a failure of the database itself becomes DatabaseUnavailableError. */
  guard<T>(wrote: boolean, fn: () => T): T;
  /** The power-cut barrier after durable writes (absent for `:memory:`). */
  barrier?: WalBarrier;
  /** Told of every direct write (the background checkpointer counts them). */
  afterWrite(): void;
}

/** `?` placeholders as PostgreSQL's `$1, $2, …` (the statements hold no `?` in literals). */
function numberPlaceholders(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${(n += 1)}`);
}
