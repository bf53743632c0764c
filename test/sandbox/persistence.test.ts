import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { IcashOperation } from '../../src/providers/icash-pay/wire.js';
import { startSandbox } from '../../src/sandbox/index.js';
import {
  balanceOf,
  deductPayload,
  issueBarcode,
  MerchantSession,
  onboard,
  TestClient,
} from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'omnigate-sandbox-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('a sandbox with a database file', () => {
  it('keeps merchants, keys, wallets and trades across a restart', async () => {
    const dbPath = join(dir, 'nested', 'sandbox.sqlite');
    const first = await startSandbox({ dbPath });
    const merchant = await onboard(first);
    const { Barcode, ICPAccount } = await issueBarcode(first, { balance: 500 });
    const firstClient = new TestClient(first);
    const payload = deductPayload(merchant, Barcode, 200);
    const paid = await firstClient.call(merchant, IcashOperation.Deduct, payload);
    expect(paid.rtnCode).toBe(1);
    await firstClient.close();
    await first.close();

    const journal = new Database(dbPath, { readonly: true });
    expect(journal.pragma('journal_mode', { simple: true })).toBe('wal');
    journal.close();

    const second = await startSandbox({ dbPath });
    const client = new TestClient(second);
    try {
      const session = new MerchantSession(second, client, merchant);
      const found = await session.query(String(payload.MerchantTradeNo));
      expect(found.encData).toMatchObject({
        TradeStatus: '1',
        TransactionID: paid.encData?.TransactionID,
        TotalAmount: '20000',
      });
      expect(await balanceOf(second, ICPAccount)).toBe(300);
      expect((await session.deduct(deductPayload(merchant, Barcode, 10))).rtnCode).toBe(2065);
      expect((await session.cancel(String(payload.MerchantTradeNo))).rtnCode).toBe(1);
      expect(await balanceOf(second, ICPAccount)).toBe(500);
      // The call log is per process: it starts empty after a restart.
      expect(second.wallets.icash.log.list()).toHaveLength(3);
    } finally {
      await client.close();
      await second.close();
    }
  });

  it('close() can be called twice', async () => {
    const sandbox = await startSandbox({ dbPath: join(dir, 'twice.sqlite') });
    await sandbox.close();
    await expect(sandbox.close()).resolves.toBeUndefined();
  });
});
