import type SQLite from 'better-sqlite3';

/** A value better-sqlite3 binds to a `?` placeholder. */
export type SqlValue = string | number | null;

/**
 * The request path's few statements on SQLite, run as prepared better-sqlite3
 * statements without Kysely's query building, compiling and connection queue
 * (about 0.1 ms a statement, a cancel runs five; docs/performance.md).
 *
 * Only while no transaction is open on the connection: Kysely's transactions
 * (revoking a client, setting a store, recording a check) span several awaits,
 * and a statement run directly in between would join that transaction and share
 * its fate. While one is open, `statements` is null and callers take their
 * Kysely path, which waits for the connection like every other query.
 */
export class DirectSqlite {
  readonly #sqlite: SQLite.Database;
  readonly #prepare: (text: string) => SQLite.Statement;

  readonly #afterWrite: () => void;

  constructor(
    sqlite: SQLite.Database,
    prepare: (text: string) => SQLite.Statement,
    /** Told of every write (the background checkpointer counts them). */
    afterWrite: () => void = () => undefined,
  ) {
    this.#sqlite = sqlite;
    this.#prepare = prepare;
    this.#afterWrite = afterWrite;
  }

  /** The runner, or null while a transaction is open. */
  get statements(): DirectStatements | null {
    return this.#sqlite.inTransaction ? null : this.#runner;
  }

  readonly #runner: DirectStatements = {
    get: <Row>(text: string, params: readonly SqlValue[]): Row | undefined =>
      this.#prepare(text).get(...params) as Row | undefined,
    run: (text: string, params: readonly SqlValue[]): number => {
      const changes = this.#prepare(text).run(...params).changes;
      this.#afterWrite();
      return changes;
    },
  };
}

export interface DirectStatements {
  /** The first row, or undefined. */
  get<Row>(text: string, params: readonly SqlValue[]): Row | undefined;
  /** Runs a write; the number of rows it changed. */
  run(text: string, params: readonly SqlValue[]): number;
}
