import { performance } from 'node:perf_hooks';
import SQLite from 'better-sqlite3';
import {
  api,
  cancelBody,
  newBarcode,
  payBody,
  tradeNo,
  upstreamCalls,
  type SandboxHandle,
  waitFor,
  withLedgerFile,
} from '../reliability/helpers.js';

/**
 * Steady Integrate traffic against one or more gateway instances while a test
 * (or the chaos script) breaks a dependency, every answer recorded; and the
 * comparison of the gateway's ledger with the sandbox's own trades.
 */

export interface CallRecord {
  operation: 'pay' | 'cancel' | 'token';
  merchantTradeNo: string;
  instance: number;
  /** 0: no HTTP answer at all (connection refused or reset, time-out). */
  status: number;
  code: string | null;
  retryAfter: string | null;
  ms: number;
}

export interface Target {
  url: string;
  token: string;
}

export interface LoadOptions {
  workers: number;
  /** Share of paid trades that are then cancelled. */
  cancelShare?: number;
  /** A token request instead of a pay in this share of iterations (needs `client`). */
  tokenShare?: number;
  client?: { clientId: string; clientSecret: string };
  timeoutMs?: number;
}

/** Runs until `stop()`; every call's answer is in `records`. */
export class Load {
  readonly records: CallRecord[] = [];
  readonly tradeNos: string[] = [];
  #stopped = false;
  #running: Promise<unknown>;
  #next = 0;

  constructor(
    private readonly sandbox: SandboxHandle,
    private readonly targets: () => readonly Target[],
    private readonly options: LoadOptions,
  ) {
    this.#running = Promise.all(Array.from({ length: options.workers }, () => this.#worker()));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
  }

  async #call(
    operation: CallRecord['operation'],
    merchantTradeNo: string,
    send: (target: Target) => ReturnType<typeof api>,
  ): Promise<CallRecord> {
    const targets = this.targets();
    const instance = this.#next++ % targets.length;
    const started = performance.now();
    let record: CallRecord;
    try {
      const res = await send(targets[instance]!);
      record = {
        operation,
        merchantTradeNo,
        instance,
        status: res.status,
        code: typeof res.body.code === 'string' ? res.body.code : null,
        retryAfter: res.headers.get('retry-after'),
        ms: performance.now() - started,
      };
      if (res.status === 200 && operation !== 'token')
        record.code = `RtnCode ${String(res.body.RtnCode)}`;
    } catch {
      record = {
        operation,
        merchantTradeNo,
        instance,
        status: 0,
        code: null,
        retryAfter: null,
        ms: performance.now() - started,
      };
    }
    this.records.push(record);
    return record;
  }

  async #worker(): Promise<void> {
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    while (!this.#stopped) {
      // Every instance down (a kill before its restart): wait for one.
      if (this.targets().length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      if (this.options.client && Math.random() < (this.options.tokenShare ?? 0)) {
        const client = this.options.client;
        await this.#call('token', '', (t) =>
          api(t.url, 'POST', '/oauth/v1/token', {
            form: {
              grant_type: 'client_credentials',
              client_id: client.clientId,
              client_secret: client.clientSecret,
            },
            timeoutMs,
          }),
        );
        continue;
      }
      const no = tradeNo('DEP');
      let barcode: string;
      try {
        barcode = await newBarcode(this.sandbox);
      } catch {
        continue;
      }
      this.tradeNos.push(no);
      const paid = await this.#call('pay', no, (t) =>
        api(t.url, 'POST', '/v1/payment/integrate/pay', {
          token: t.token,
          body: payBody(barcode, no),
          timeoutMs,
        }),
      );
      if (paid.status !== 200 || Math.random() >= (this.options.cancelShare ?? 0.5)) continue;
      await this.#call('cancel', no, (t) =>
        api(t.url, 'POST', '/v1/payment/integrate/cancel', {
          token: t.token,
          body: cancelBody(no),
          timeoutMs,
        }),
      );
    }
  }
}

export interface LoadFigures {
  calls: number;
  byStatus: Record<string, number>;
  /** 5xx answers by their code. */
  serverErrors: Record<string, number>;
  noAnswer: number;
  answers500: number;
  slowest: number;
  /** Answers slower than the bound. */
  slow: number;
  answers503: number;
  /** 503 answers without Retry-After or without code database_unavailable. */
  bad503: number;
  /** 503 answers whose operation nevertheless reached the sandbox. */
  upstreamAfter503: number;
}

const UPSTREAM = { pay: 'DeductICPOF', cancel: 'DeductCancelICPOF' } as const;

export function figures(
  records: CallRecord[],
  sandbox: SandboxHandle,
  boundMs = 2000,
): LoadFigures {
  const byStatus: Record<string, number> = {};
  const serverErrors: Record<string, number> = {};
  let slowest = 0;
  let bad503 = 0;
  let upstreamAfter503 = 0;
  for (const r of records) {
    byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    if (r.status >= 500)
      serverErrors[`${r.status} ${r.code}`] = (serverErrors[`${r.status} ${r.code}`] ?? 0) + 1;
    slowest = Math.max(slowest, r.ms);
    if (r.status === 503) {
      if (r.code !== 'database_unavailable' || r.retryAfter === null) bad503 += 1;
      if (
        r.operation !== 'token' &&
        upstreamCalls(sandbox, UPSTREAM[r.operation], r.merchantTradeNo).length > 0
      )
        upstreamAfter503 += 1;
    }
  }
  return {
    calls: records.length,
    byStatus,
    serverErrors,
    noAnswer: byStatus['0'] ?? 0,
    answers500: byStatus['500'] ?? 0,
    slowest: Math.round(slowest),
    slow: records.filter((r) => r.ms > boundMs).length,
    answers503: byStatus['503'] ?? 0,
    bad503,
    upstreamAfter503,
  };
}

/** One ledger row, as the comparison needs it. */
export interface LedgerEntry {
  operation: string;
  state: string;
  merchant_trade_no: string | null;
}

export interface Comparison {
  trades: number;
  /** Rows still pending or unknown. */
  unsettled: number;
  /** Trades where the ledger and the sandbox disagree (paid, cancelled). */
  mismatches: string[];
  /** Trades the sandbox paid with no pay row in the ledger at all. */
  lost: string[];
}

/**
 * The SQLite ledger in `dataDir` once no row is pending or unknown (the reconciler
 * has settled every call, within a minute), read from its file.
 */
export async function settledSqliteLedger(dataDir: string): Promise<LedgerEntry[]> {
  await waitFor(
    'every row settled',
    () =>
      withLedgerFile(dataDir, (db) =>
        (
          db
            .prepare("SELECT COUNT(*) AS n FROM transactions WHERE state IN ('pending', 'unknown')")
            .get() as { n: number }
        ).n === 0
          ? true
          : undefined,
      ),
    60_000,
    250,
  );
  return withLedgerFile(
    dataDir,
    (db) =>
      db
        .prepare('SELECT operation, state, merchant_trade_no FROM transactions')
        .all() as LedgerEntry[],
  );
}

/** The sandbox's trades (MerchantTradeNo → TradeStatus), read from its SQLite file. */
export function sandboxTrades(sandboxDbPath: string): Map<string, string> {
  const db = new SQLite(sandboxDbPath, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT merchant_trade_no, trade_status FROM trades').all() as {
      merchant_trade_no: string;
      trade_status: string;
    }[];
    return new Map(rows.map((r) => [r.merchant_trade_no, r.trade_status]));
  } finally {
    db.close();
  }
}

/**
 * Trade by trade: paid in the sandbox ⇔ a succeeded pay row; cancelled in the
 * sandbox (TradeStatus 4) ⇔ a succeeded cancel row.
 */
export function compareLedger(
  tradeNos: readonly string[],
  ledger: readonly LedgerEntry[],
  truth: Map<string, string>,
): Comparison {
  const rows = new Map<string, LedgerEntry[]>();
  for (const row of ledger) {
    if (row.merchant_trade_no === null) continue;
    const list = rows.get(row.merchant_trade_no) ?? [];
    list.push(row);
    rows.set(row.merchant_trade_no, list);
  }
  const mismatches: string[] = [];
  const lost: string[] = [];
  for (const no of tradeNos) {
    const own = rows.get(no) ?? [];
    const status = truth.get(no);
    const paid = status !== undefined;
    const cancelled = status === '4';
    const ledgerPaid = own.some((r) => r.operation === 'pay' && r.state === 'succeeded');
    const ledgerCancelled = own.some((r) => r.operation === 'cancel' && r.state === 'succeeded');
    if (paid && !own.some((r) => r.operation === 'pay')) lost.push(no);
    if (paid !== ledgerPaid || cancelled !== ledgerCancelled)
      mismatches.push(
        `${no}: sandbox ${status ?? 'none'}, ledger ${own.map((r) => `${r.operation}:${r.state}`).join(',')}`,
      );
  }
  return {
    trades: tradeNos.length,
    unsettled: ledger.filter((r) => r.state === 'pending' || r.state === 'unknown').length,
    mismatches,
    lost,
  };
}
