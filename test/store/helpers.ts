import type { Kysely } from 'kysely';
import {
  type DatabaseHandle,
  type DatabaseOptions,
  openDatabase,
} from '../../src/store/database.js';
import { TransactionLedger, type TransactionOpening } from '../../src/store/ledger.js';
import { migrateToLatest } from '../../src/store/migrations.js';

export const LEDGER_COMPANY = 'cmp_store_test';

/** A store-scenario cancel's opening, as the pipeline writes it. */
export const cancelOpening = (requestId: string, merchantTradeNo: string): TransactionOpening => ({
  requestId,
  companyId: LEDGER_COMPANY,
  clientId: 'ogc_store_test',
  operation: 'cancel',
  type: 'I_CASH_QRCODE_PAY',
  env: 'test',
  scenario: 'store',
  storeId: '0001',
  credentialId: '10000001',
  accountId: '10000002',
  merchantTradeNo,
});

/** A migrated SQLite file and a ledger on it, as the gateway opens them. */
export async function openLedger(
  file: string,
  options: DatabaseOptions = {},
): Promise<{ handle: DatabaseHandle; ledger: TransactionLedger }> {
  const handle = openDatabase(file, options);
  await migrateToLatest(handle.db as unknown as Kysely<unknown>);
  return { handle, ledger: new TransactionLedger(handle.db, 'instance-a', handle.statements) };
}
