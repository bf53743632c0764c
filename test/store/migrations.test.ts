import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateDatabase } from '../../src/store/index.js';

const indexes = (file: string): string[] => {
  const db = new SQLite(file, { readonly: true });
  try {
    return (
      db
        .prepare(
          "select name from sqlite_master where type = 'index' and tbl_name = 'transactions' and sql is not null order by name",
        )
        .all() as { name: string }[]
    ).map((r) => r.name);
  } finally {
    db.close();
  }
};

describe('SQLite migrations', () => {
  const dir = mkdtempSync(join(tmpdir(), 'omnigate-migrate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('0003 completes after a process was killed half-way through it', async () => {
    const file = join(dir, 'half.sqlite');
    await migrateDatabase(file);
    expect(indexes(file)).toEqual([
      'transactions_pending',
      'transactions_trade_no',
      'transactions_unknown_due',
    ]);
    // The state a kill after 0003's first statement leaves: one old index dropped, the
    // other still there, no new index, the migration not recorded (SQLite runs DDL unwrapped).
    const db = new SQLite(file);
    db.exec(`drop index transactions_pending; drop index transactions_unknown_due;
      create index transactions_due on transactions (state, next_check_at);
      delete from kysely_migration where name = '0003_ledger_indexes';`);
    db.close();
    expect(await migrateDatabase(file)).toEqual(['0003_ledger_indexes']);
    expect(indexes(file)).toEqual([
      'transactions_pending',
      'transactions_trade_no',
      'transactions_unknown_due',
    ]);
    expect(await migrateDatabase(file)).toEqual([]);
  });
});
