import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/store/database.js';
import type { TransactionLedger } from '../../src/store/ledger.js';
import { LEDGER_COMPANY, cancelOpening, openLedger } from './helpers.js';

const opening = (requestId: string) => cancelOpening(requestId, requestId.slice(0, 20));

/**
 * The request path's statements run directly on better-sqlite3 (src/store/statements.ts):
 * the same rows as through Kysely, and never inside someone else's open transaction.
 */
describe('direct SQLite statements', () => {
  const dir = mkdtempSync(join(tmpdir(), 'omnigate-direct-'));
  let handle: DatabaseHandle;
  let ledger: TransactionLedger;

  beforeAll(async () => {
    ({ handle, ledger } = await openLedger(join(dir, 'ledger.sqlite')));
  });
  afterAll(async () => {
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes and completes a row that reads back the same as through Kysely', async () => {
    expect(handle.statements.runsDirectly).toBe(true);
    await ledger.open(opening('a0000000-0000-4000-8000-000000000001'), 1_000);
    await ledger.complete(
      'a0000000-0000-4000-8000-000000000001',
      { state: 'succeeded', rtnCode: 1, rtnMsg: '成功', httpStatus: 200, upstreamLatencyMs: 3.25 },
      2_000,
    );
    const record = await ledger.get(LEDGER_COMPANY, 'a0000000-0000-4000-8000-000000000001');
    expect(record).toMatchObject({
      ...opening('a0000000-0000-4000-8000-000000000001'),
      state: 'succeeded',
      rtnCode: 1,
      rtnMsg: '成功',
      errorCode: null,
      httpStatus: 200,
      upstreamLatencyMs: 3.25,
      nextCheckAt: null,
      createdAt: 1_000,
      updatedAt: 2_000,
    });
    const raw = await handle.db
      .selectFrom('transactions')
      .select('instance_id')
      .where('request_id', '=', 'a0000000-0000-4000-8000-000000000001')
      .executeTakeFirstOrThrow();
    expect(raw.instance_id).toBe('instance-a');
  });

  it('waits for an open transaction instead of joining it, so its rollback cannot take the row', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let begun!: () => void;
    const inside = new Promise<void>((resolve) => (begun = resolve));
    const rolledBack = handle.db
      .transaction()
      .execute(async (trx) => {
        await trx
          .insertInto('transactions')
          .values({
            request_id: 'b0000000-0000-4000-8000-000000000001',
            company_id: LEDGER_COMPANY,
            client_id: 'ogc_store_test',
            operation: 'cancel',
            state: 'pending',
            created_at: 1,
            updated_at: 1,
          })
          .execute();
        begun();
        await gate; // a transaction that spans other work (timers, I/O) before it ends
        throw new Error('roll back');
      })
      .catch((error: unknown) => error);
    await inside;
    expect(handle.statements.runsDirectly).toBe(false);
    const opened = ledger.open(opening('b0000000-0000-4000-8000-000000000002'), 5);
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    expect(await rolledBack).toBeInstanceOf(Error);
    await opened;
    expect(handle.statements.runsDirectly).toBe(true);
    const ids = (
      await handle.db
        .selectFrom('transactions')
        .select('request_id')
        .where('request_id', 'like', 'b0000000-%')
        .execute()
    ).map((r) => r.request_id);
    expect(ids).toEqual(['b0000000-0000-4000-8000-000000000002']);
  });
});
