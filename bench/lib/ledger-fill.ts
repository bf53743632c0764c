import { randomUUID } from 'node:crypto';
import SQLite from 'better-sqlite3';
import { STORE_ID, TYPE } from './gateway.js';

/**
 * Fills the ledger of a provisioned (migrated) SQLite file with `rows` realistic
 * past calls of the same company, in one transaction, before the gateway starts:
 * a year of history, mostly settled pays, cancels and searches.
 */
export function fillLedger(
  databaseFile: string,
  owner: { companyId: string; clientId: string; platformId: string; merchantId: string },
  rows: number,
): void {
  const db = new SQLite(databaseFile);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    const insert = db.prepare(
      `insert into transactions (request_id, company_id, client_id, operation, type, env, scenario,
         store_id, credential_id, account_id, merchant_trade_no, state, rtn_code, rtn_msg, error_code,
         http_status, upstream_latency_ms, created_at, updated_at, instance_id, next_check_at,
         check_attempts, claimed_until)
       values (?, ?, ?, ?, ?, 'prod', 'store', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, ?, null)`,
    );
    const instances = Array.from({ length: 20 }, () => randomUUID());
    const yearMs = 365 * 86_400_000;
    const start = Date.now() - yearMs;
    const operations = ['pay', 'pay', 'pay', 'search', 'cancel'] as const;
    db.transaction(() => {
      for (let i = 0; i < rows; i += 1) {
        const operation = operations[i % operations.length]!;
        const at = start + Math.floor((i / rows) * yearMs);
        const roll = i % 100;
        // 95 % succeeded, 4 % declined by icash, 1 % settled by the reconciler.
        const [state, rtnCode, rtnMsg, errorCode, attempts] =
          roll < 95
            ? ['succeeded', 1, '成功', null, 0]
            : roll < 99
              ? ['declined', 2025, '查無此訂單', null, 0]
              : ['succeeded', null, null, 'upstream_timeout', 1];
        insert.run(
          randomUUID(),
          owner.companyId,
          owner.clientId,
          operation,
          TYPE,
          STORE_ID,
          owner.platformId,
          owner.merchantId,
          `H${String(Math.floor(i / 3)).padStart(12, '0')}`,
          state,
          rtnCode,
          rtnMsg,
          errorCode,
          errorCode ? 504 : 200,
          40 + (i % 200),
          at,
          at + 200,
          instances[i % instances.length]!,
          attempts,
        );
      }
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}
