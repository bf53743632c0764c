import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { POSTGRES_ADMIN_URL } from '../support/backend.js';
import { postgresReachable } from '../multi-instance/helpers.js';
import { cancelOpening, openLedger } from './helpers.js';

const id = (i: number): string => `d0000000-0000-7000-8000-${String(i).padStart(12, '0')}`;

/**
 * Issue 13: the `pending` row is on disk (fsync'ed) before anything goes
 * upstream. On SQLite the connection stays synchronous=NORMAL and the opening
 * commit waits for the WAL barrier, whose fsync concurrent openings share.
 */
describe('the opening commit survives a power cut (SQLite: the WAL barrier)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'omnigate-durable-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('each opening waits for an fsync of the WAL that started after its commit', async () => {
    const { handle, ledger } = await openLedger(join(dir, 'one.sqlite'));
    try {
      const barrier = handle.durability!;
      expect(barrier).toBeDefined();
      const [mode] = (await sql<{ synchronous: number }>`pragma synchronous`.execute(handle.db))
        .rows;
      expect(mode!.synchronous).toBe(1); // NORMAL: the other commits pay no fsync
      for (let i = 0; i < 3; i += 1) {
        const before = { ...barrier.stats };
        await ledger.open(cancelOpening(id(i), `T${i}`));
        expect(barrier.stats.waits).toBe(before.waits + 1);
        expect(barrier.stats.fsyncs).toBe(before.fsyncs + 1);
      }
      // Completing the row is not on the durable path (the reconciler covers its loss).
      const before = { ...barrier.stats };
      await ledger.complete(id(0), { state: 'succeeded', rtnCode: 1, httpStatus: 200 });
      expect(barrier.stats).toEqual(before);
    } finally {
      await handle.close();
    }
  });

  it('concurrent openings share fsyncs (group commit)', async () => {
    const { handle, ledger } = await openLedger(join(dir, 'many.sqlite'));
    try {
      const barrier = handle.durability!;
      const before = { ...barrier.stats };
      await Promise.all(
        Array.from({ length: 40 }, (_, i) => ledger.open(cancelOpening(id(100 + i), `G${i}`))),
      );
      expect(barrier.stats.waits).toBe(before.waits + 40);
      const fsyncs = barrier.stats.fsyncs - before.fsyncs;
      expect(fsyncs).toBeGreaterThanOrEqual(1);
      expect(fsyncs).toBeLessThanOrEqual(2);
      const [count] = (
        await sql<{ n: number }>`select count(*) as n from transactions`.execute(handle.db)
      ).rows;
      expect(Number(count!.n)).toBe(40);
    } finally {
      await handle.close();
    }
  });
});

describe.skipIf(!(await postgresReachable()))(
  'the opening commit survives a power cut (PostgreSQL: synchronous_commit)',
  () => {
    it('every session of the pool commits with synchronous_commit=on', async () => {
      const handle = openDatabase(POSTGRES_ADMIN_URL, { poolSize: 2 });
      try {
        const [row] = (
          await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(handle.db)
        ).rows;
        expect(row!.synchronous_commit).toBe('on');
        expect(handle.durability).toBeUndefined();
      } finally {
        await handle.close();
      }
    });
  },
);
