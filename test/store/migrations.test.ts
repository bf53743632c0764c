import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openDatabase } from '../../src/store/database.js';
import { migrateDatabase } from '../../src/store/index.js';
import { type TestDatabase, createTestDatabase } from '../support/backend.js';

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
    const upTo3 = '0003_ledger_indexes';
    await migrateDatabase(file, upTo3);
    const after3 = ['transactions_pending', 'transactions_trade_no', 'transactions_unknown_due'];
    expect(indexes(file)).toEqual(after3);
    // The state a kill after 0003's first statement leaves: one old index dropped, the
    // other still there, no new index, the migration not recorded (SQLite runs DDL unwrapped).
    const db = new SQLite(file);
    db.exec(`drop index transactions_pending; drop index transactions_unknown_due;
      create index transactions_due on transactions (state, next_check_at);
      delete from kysely_migration where name = '0003_ledger_indexes';`);
    db.close();
    expect(await migrateDatabase(file, upTo3)).toEqual([upTo3]);
    expect(indexes(file)).toEqual(after3);
    expect(await migrateDatabase(file)).toEqual([
      '0004_amounts',
      '0005_neutral_credentials',
      '0006_webhooks',
      '0007_operators',
      '0008_ledger_list_indexes',
    ]);
    expect(indexes(file)).toEqual([
      'transactions_company_newest',
      'transactions_company_state',
      'transactions_company_store',
      'transactions_legacy_ids',
      'transactions_original',
      ...after3,
    ]);
    expect(await migrateDatabase(file)).toEqual([]);
  });
});

/**
 * 0004 (amounts for refunds) on a ledger written before it: old rows keep null
 * amounts, currency, original and upstream id (nothing is guessed), new rows
 * record them. On SQLite, and on PostgreSQL in the postgres project.
 */
describe('0004_amounts on an existing ledger', () => {
  let dir: string;
  let database: TestDatabase;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'omnigate-migrate-4-'));
    database = await createTestDatabase(dir);
    url = database.url ?? join(dir, 'omnigate.sqlite');
  });
  afterAll(async () => {
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps old rows as they were, leaves their new columns null, and moves key sets and store configurations into the neutral form without opening a secret', async () => {
    expect(await migrateDatabase(url, '0003_ledger_indexes')).toEqual([
      '0001_initial',
      '0002_reliability',
      '0003_ledger_indexes',
    ]);
    const before = openDatabase(url);
    await sql`insert into transactions (request_id, company_id, client_id, operation, type, env,
      scenario, store_id, platform_id, merchant_id, merchant_trade_no, state, rtn_code, rtn_msg,
      http_status, created_at, updated_at)
      values ('00000000-0000-4000-8000-000000000001', 'c1', 'k1', 'pay', 'I_CASH_QRCODE_PAY',
      'test', 'store', 'S1', '10000001', '10000002', 'OLD1', 'succeeded', 1, '成功', 200, 1, 2)`.execute(
      before.db,
    );
    // A round-1 key set (sealed values are opaque here: they move byte for byte) and store.
    await sql`insert into companies (id, name, created_at) values ('c1', 'old', 1)`.execute(
      before.db,
    );
    await sql`insert into key_sets (company_id, platform_id, env, enc_key_id, aes_key, aes_iv,
      client_private_key, server_public_key, key_version, created_at, updated_at)
      values ('c1', '10000001', 'test', '123456', 'v1.SEALED-AES-KEY', 'v1.SEALED-IV',
      'v1.SEALED-PRIVATE', 'PUBLIC PEM', 1, 5, 6)`.execute(before.db);
    await sql`insert into stores (company_id, store_id, created_at) values ('c1', 'S1', 1)`.execute(
      before.db,
    );
    await sql`insert into store_pay_configs (company_id, store_id, type, env, platform_id,
      merchant_id, icash_store_id, updated_at)
      values ('c1', 'S1', 'I_CASH_QRCODE_PAY', 'test', '10000001', '10000002', 'ST9', 7)`.execute(
      before.db,
    );
    await before.close();

    expect(await migrateDatabase(url)).toEqual([
      '0004_amounts',
      '0005_neutral_credentials',
      '0006_webhooks',
      '0007_operators',
      '0008_ledger_list_indexes',
    ]);
    expect(await migrateDatabase(url)).toEqual([]);
    const after = openDatabase(url);
    try {
      const rows = await after.db.selectFrom('transactions').selectAll().execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        merchant_trade_no: 'OLD1',
        state: 'succeeded',
        rtn_code: 1,
        credential_id: '10000001',
        account_id: '10000002',
        amount: null,
        currency: null,
        original_trade_no: null,
        upstream_id: null,
      });
      const credentials = await after.db.selectFrom('credentials').selectAll().execute();
      expect(credentials).toHaveLength(1);
      expect(credentials[0]).toMatchObject({
        company_id: 'c1',
        type: 'I_CASH_QRCODE_PAY',
        env: 'test',
        credential_id: '10000001',
        key_version: 1,
        created_at: 5,
        updated_at: 6,
      });
      expect(JSON.parse(credentials[0]!.public_fields)).toEqual({
        enc_key_id: '123456',
        server_public_key: 'PUBLIC PEM',
      });
      expect(JSON.parse(credentials[0]!.sealed_fields)).toEqual({
        aes_key: 'v1.SEALED-AES-KEY',
        aes_iv: 'v1.SEALED-IV',
        client_private_key: 'v1.SEALED-PRIVATE',
      });
      const configs = await after.db.selectFrom('store_pay_configs').selectAll().execute();
      expect(configs).toEqual([
        {
          company_id: 'c1',
          store_id: 'S1',
          type: 'I_CASH_QRCODE_PAY',
          env: 'test',
          account: JSON.stringify({
            PlatformID: '10000001',
            MerchantID: '10000002',
            StoreID: 'ST9',
          }),
          credential_id: '10000001',
          updated_at: 7,
        },
      ]);
      const tables = (await after.db.introspection.getTables()).map((t) => t.name);
      expect(tables).not.toContain('key_sets');
    } finally {
      await after.close();
    }
  });
});
