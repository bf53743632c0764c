import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/**
 * The sandbox's one SQLite file (or ':memory:'); each wallet simulator creates
 * its own tables in it.
 */
export function openSandboxDatabase(dbPath: string): Database.Database {
  const inMemory = dbPath === ':memory:' || dbPath === '';
  if (!inMemory) mkdirSync(dirname(dbPath), { recursive: true });
  const db = new Database(dbPath);
  if (!inMemory) db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  return db;
}

/** A wallet simulator's tables in the sandbox database: created on open, changed atomically. */
export abstract class WalletTables {
  protected readonly db: Database.Database;

  constructor(db: Database.Database, schema: string) {
    this.db = db;
    this.db.exec(schema);
  }

  /** Runs `work` in one SQLite transaction. */
  atomically<T>(work: () => T): T {
    return this.db.transaction(work)();
  }
}
