import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BackgroundCheckpointer,
  FALLBACK_AUTOCHECKPOINT_PAGES,
} from '../../src/store/checkpointer.js';
import type { TransactionLedger } from '../../src/store/ledger.js';
import { cancelOpening, openLedger } from './helpers.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Many small commits, as the gateway makes them: one ledger row opened and completed each. */
async function commits(ledger: TransactionLedger, count: number, from: number): Promise<void> {
  for (let i = from; i < from + count; i += 1) {
    const requestId = `c0000000-0000-7000-8000-${String(i).padStart(12, '0')}`;
    await ledger.open(cancelOpening(requestId, `T${i}`));
    await ledger.complete(requestId, { state: 'succeeded', rtnCode: 1, httpStatus: 200 });
    if (i % 20 === 0) await sleep(2); // a busy gateway's pace: ~10 commits a millisecond at most
  }
}

describe('background WAL checkpoints (the gateway’s SQLite file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'omnigate-ckpt-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function open(name: string, backgroundCheckpoints: boolean) {
    const file = join(dir, name);
    return { file, ...(await openLedger(file, { backgroundCheckpoints })) };
  }

  it('a worker keeps the WAL short while the gateway connection never checkpoints at the default size', async () => {
    const withWorker = await open('worker.sqlite', true);
    const without = await open('plain.sqlite', false);
    try {
      // The gateway's own connection would only checkpoint past the fallback size.
      const [setting] = new SQLite(withWorker.file).pragma('wal_autocheckpoint') as {
        wal_autocheckpoint: number;
      }[];
      expect(setting!.wal_autocheckpoint).toBe(1000); // a new connection: SQLite's default
      await commits(withWorker.ledger, 3000, 0);
      await commits(without.ledger, 3000, 0);
      await sleep(300);
      const walWith = statSync(`${withWorker.file}-wal`).size;
      const walWithout = statSync(`${without.file}-wal`).size;
      // Without the worker SQLite checkpoints inside commits at 1000 pages (~4 MB);
      // with it, the WAL is rewound long before the 10,000-page fallback (~40 MB), which
      // these 6,000 commits would fill if the worker never ran. (A bound of half the
      // fallback once failed at 20.7 MB on a 2-core machine busy with the whole suite.)
      expect(walWith).toBeLessThan((FALLBACK_AUTOCHECKPOINT_PAGES * 4096 * 3) / 4);
      expect(walWithout).toBeGreaterThan(0);
      const rows = await withWorker.handle.db
        .selectFrom('transactions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(rows.n)).toBe(3000);
    } finally {
      await withWorker.handle.close();
      await without.handle.close();
    }
  });

  it('closing stops the worker and leaves a complete database file', async () => {
    const { file, handle, ledger } = await open('close.sqlite', true);
    await commits(ledger, 500, 0);
    await handle.close();
    const reopened = new SQLite(file, { readonly: true });
    const [row] = reopened.prepare('select count(*) as n from transactions').all() as {
      n: number;
    }[];
    expect(row!.n).toBe(500);
    reopened.close();
  });
});

describe('a checkpoint worker that fails', () => {
  it('is reported, hands checkpoints back to the gateway connection, and stopping still returns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omnigate-ckpt-fail-'));
    const sqlite = new SQLite(join(dir, 'main.sqlite'));
    sqlite.pragma('journal_mode = WAL');
    try {
      const errors: Error[] = [];
      // The worker's connection cannot open a file that does not exist.
      const checkpointer = new BackgroundCheckpointer(sqlite, join(dir, 'missing.sqlite'), {
        onError: (error) => errors.push(error),
      });
      expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(
        FALLBACK_AUTOCHECKPOINT_PAGES,
      );
      for (let i = 0; i < 100 && errors.length === 0; i += 1) await sleep(20);
      expect(errors).toHaveLength(1);
      expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
      const stopped = await Promise.race([
        checkpointer.stop().then(() => 'stopped'),
        sleep(1000).then(() => 'hung'),
      ]);
      expect(stopped).toBe('stopped');
    } finally {
      sqlite.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
