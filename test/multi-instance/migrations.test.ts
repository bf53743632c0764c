import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cli,
  createDatabase,
  newMasterKey,
  postgresReachable,
  removeDir,
  tempDir,
  type Deployment,
  type TestDatabase,
} from './helpers.js';

const postgres = await postgresReachable();

/** The migrations run on PostgreSQL unchanged: the same list as on SQLite, once. */
describe.skipIf(!postgres)('migrations on PostgreSQL', () => {
  let database: TestDatabase | undefined;
  let deployment: Deployment;

  beforeAll(async () => {
    database = await createDatabase();
    deployment = { dataDir: tempDir(), databaseUrl: database.url, masterKey: newMasterKey() };
  }, 30_000);

  afterAll(async () => {
    await database?.drop();
    if (deployment) removeDir(deployment.dataDir);
  }, 30_000);

  it('`omnigate migrate` applies every migration on a fresh database, and none the second time', async () => {
    const first = await cli(deployment, ['migrate']);
    expect(first).toEqual({
      applied: [
        '0001_initial',
        '0002_reliability',
        '0003_ledger_indexes',
        '0004_amounts',
        '0005_neutral_credentials',
        '0006_webhooks',
        '0007_operators',
        '0008_ledger_list_indexes',
      ],
    });
    const second = await cli(deployment, ['migrate']);
    expect(second).toEqual({ applied: [] });

    const tables = await database!.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(tables.map((t) => t.table_name)).not.toContain('key_sets');
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining([
        'audit_log',
        'clients',
        'companies',
        'credentials',
        'idempotency_keys',
        'reconciliation_attempts',
        'settings',
        'store_pay_configs',
        'stores',
        'tokens',
        'transactions',
        'users',
        'webhook_endpoints',
        'webhook_events',
      ]),
    );
  }, 60_000);
});
