import type {
  CompiledQuery,
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely';
import { DatabaseUnavailableError } from '../core/errors.js';

/**
 * PostgreSQL SQLSTATE classes and codes that mean the server cannot serve now
 * (not that the statement is wrong): 08 connection exception, 53 insufficient
 * resources (disk full, too many connections), 57P01-57P05 shutdown and
 * start-up, 58 system error (I/O).
 */
const PG_UNAVAILABLE = /^(08|53|58|57P0[1-5])/;
/** Socket errors of a database that went away or cannot be reached. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENOENT', // a Unix socket that is gone
]);
/** SQLite result codes of a file that cannot be written or read now (extended codes too). */
const SQLITE_UNAVAILABLE = /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN|BUSY|LOCKED|NOMEM)/;
/** node-postgres's own errors for a connection that died or never came up (they carry no code). */
const PG_CONNECTION_MESSAGES =
  /^(Connection terminated|Client has encountered a connection error|Client was closed|timeout exceeded when trying to connect|Connection terminated due to connection timeout)/;

/** True when `error` says the database cannot serve now, as opposed to a bug or a bad statement. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (SQLITE_UNAVAILABLE.test(code) || NETWORK_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code) && PG_UNAVAILABLE.test(code)) return true;
  }
  if (PG_CONNECTION_MESSAGES.test(error.message)) return true;
  // A pool that cannot connect reports every address it tried.
  if (error instanceof AggregateError) return error.errors.some(isDatabaseUnavailable);
  return false;
}

/**
 * What the process knows of its database: the last time a statement failed
 * because the database could not serve. Readiness uses it, because a full disk
 * still answers reads and even takes the writes that fit in the WAL's room.
 */
export class DatabaseHealth {
  #failedAt = 0;
  #listeners: ((available: boolean) => void)[] = [];
  #available = true;

  /** Told once when the database becomes unavailable and once when it serves again. */
  onChange(listener: (available: boolean) => void): void {
    this.#listeners.push(listener);
  }

  noteFailure(now = Date.now()): void {
    this.#failedAt = now;
    this.#set(false);
  }

  noteSuccess(wrote: boolean, now = Date.now()): void {
    // A read proves little of a database that refuses writes (a full disk).
    if (!this.#available && (wrote || now - this.#failedAt > UNWRITABLE_FOR_MS)) this.#set(true);
  }

  /** False while a statement failed for want of the database within the last few seconds. */
  serving(now = Date.now()): boolean {
    return now - this.#failedAt > UNWRITABLE_FOR_MS;
  }

  #set(available: boolean): void {
    if (available === this.#available) return;
    this.#available = available;
    for (const listener of this.#listeners) listener(available);
  }
}

/** How long a failure keeps the database counted as not serving (readiness, recovery). */
const UNWRITABLE_FOR_MS = 5_000;

/** Runs `fn`; a failure of the database itself becomes DatabaseUnavailableError. */
export function guarded<T>(health: DatabaseHealth, wrote: boolean, fn: () => T): T {
  let result: T;
  try {
    result = fn();
  } catch (error) {
    throw translate(health, error);
  }
  if (result instanceof Promise) {
    return result.then(
      (value: unknown) => {
        health.noteSuccess(wrote);
        return value;
      },
      (error: unknown) => {
        throw translate(health, error);
      },
    ) as T;
  }
  health.noteSuccess(wrote);
  return result;
}

function translate(health: DatabaseHealth, error: unknown): unknown {
  if (!isDatabaseUnavailable(error)) return error;
  health.noteFailure();
  return error instanceof DatabaseUnavailableError
    ? error
    : new DatabaseUnavailableError({ cause: error });
}

const isWrite = (text: string): boolean => !/^\s*(select|with|pragma)\b/i.test(text);

/**
 * A Kysely dialect whose every statement reports to `health` and whose database
 * failures come out as DatabaseUnavailableError; the rest is `inner`'s.
 */
export class GuardedDialect implements Dialect {
  constructor(
    private readonly inner: Dialect,
    private readonly health: DatabaseHealth,
    /** SQLite: whether a transaction is still open (SQLite rolls some back by itself). */
    private readonly inTransaction?: () => boolean,
  ) {}

  createAdapter(): DialectAdapter {
    return this.inner.createAdapter();
  }
  createDriver(): Driver {
    return new GuardedDriver(this.inner.createDriver(), this.health, this.inTransaction);
  }
  createQueryCompiler(): QueryCompiler {
    return this.inner.createQueryCompiler();
  }
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return this.inner.createIntrospector(db);
  }
}

class GuardedConnection implements DatabaseConnection {
  constructor(
    readonly inner: DatabaseConnection,
    private readonly health: DatabaseHealth,
  ) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return guarded(this.health, isWrite(query.sql), () => this.inner.executeQuery<R>(query));
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

const unwrap = (connection: DatabaseConnection): DatabaseConnection =>
  connection instanceof GuardedConnection ? connection.inner : connection;

class GuardedDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly health: DatabaseHealth,
    private readonly inTransaction?: () => boolean,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await guarded(this.health, false, () => this.inner.acquireConnection());
    return new GuardedConnection(connection, this.health);
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return guarded(this.health, false, () =>
      this.inner.beginTransaction(unwrap(connection), settings),
    );
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return guarded(this.health, true, () => this.inner.commitTransaction(unwrap(connection)));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    // SQLite rolls a transaction back by itself on some errors (SQLITE_FULL, SQLITE_IOERR):
    // a ROLLBACK then fails with "no transaction is active" and would hide the real error.
    if (this.inTransaction && !this.inTransaction()) return;
    await guarded(this.health, false, () => this.inner.rollbackTransaction(unwrap(connection)));
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(unwrap(connection));
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}
