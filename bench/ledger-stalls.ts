/**
 * How long the event loop waits on ledger writes, with SQLite's checkpoints run
 * inside commits (`inline`) or by the background checkpointer (`background`):
 *
 *   node --import tsx bench/ledger-stalls.ts inline|background
 *
 * 20,000 calls' worth of ledger writes (open + complete) at about a busy
 * gateway's pace, on a SQLite file in a temp folder; prints the latency
 * percentiles of one call's two writes. See docs/performance.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { openDatabase } from '../src/store/database.js';
import { TransactionLedger } from '../src/store/ledger.js';
import { migrateToLatest } from '../src/store/migrations.js';
import { newRequestId } from '../src/core/ids.js';

const mode = process.argv[2] ?? 'background';
if (mode !== 'inline' && mode !== 'background') throw new Error('usage: inline | background');
const dir = mkdtempSync(join(tmpdir(), 'omnigate-stalls-'));
const handle = openDatabase(join(dir, 'ledger.sqlite'), {
  backgroundCheckpoints: mode === 'background',
});
await migrateToLatest(handle.db as unknown as Kysely<unknown>);
const ledger = new TransactionLedger(handle.db, 'i', handle.statements);
const times: number[] = [];
const N = 20000;
for (let i = 0; i < N; i++) {
  const id = newRequestId();
  const t0 = performance.now();
  await ledger.open({
    requestId: id,
    companyId: 'c',
    clientId: 'k',
    operation: 'cancel',
    type: 'T',
    env: 'prod',
    scenario: 'store',
    storeId: '0001',
    credentialId: 'P',
    accountId: 'M',
    merchantTradeNo: 'T' + i,
  });
  await ledger.complete(id, {
    state: 'succeeded',
    rtnCode: 1,
    rtnMsg: 'ok',
    httpStatus: 200,
    upstreamLatencyMs: 1,
  });
  times.push(performance.now() - t0);
  // The rest of a call (signature, HTTP): half a millisecond of other work in between.
  const until = performance.now() + 0.5;
  while (performance.now() < until) {
    // busy, as the event loop would be
  }
  if (i % 50 === 0) await new Promise((r) => setImmediate(r));
}
times.sort((a, b) => a - b);
const q = (p: number) => times[Math.floor(p * (times.length - 1))]!.toFixed(3);
console.log(
  mode,
  'p50',
  q(0.5),
  'p99',
  q(0.99),
  'p99.9',
  q(0.999),
  'max',
  q(1),
  'ms; calls over 1 ms:',
  times.filter((t) => t > 1).length,
);
await handle.close();
rmSync(dir, { recursive: true, force: true });
