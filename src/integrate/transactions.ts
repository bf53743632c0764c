import type { ReconciliationAttempt, Store, TransactionRecord } from '../store/index.js';

/** A ledger row as the API shows it to the company that owns it. */
export interface TransactionView {
  request_id: string;
  operation: string;
  type: string | null;
  env: string | null;
  scenario: string | null;
  store_id: string | null;
  PlatformID: string | null;
  MerchantID: string | null;
  MerchantTradeNo: string | null;
  state: string;
  RtnCode: number | null;
  RtnMsg: string | null;
  error_code: string | null;
  http_status: number | null;
  upstream_latency_ms: number | null;
  created_at: string;
  updated_at: string;
  next_check_at: string | null;
  reconciliation: {
    attempt: number;
    at: string;
    outcome: string;
    RtnCode: number | null;
    TradeStatus: string | null;
    result: string;
  }[];
}

const iso = (ms: number): string => new Date(ms).toISOString();

function view(row: TransactionRecord, attempts: ReconciliationAttempt[]): TransactionView {
  return {
    request_id: row.requestId,
    operation: row.operation,
    type: row.type,
    env: row.env,
    scenario: row.scenario,
    store_id: row.storeId,
    PlatformID: row.platformId,
    MerchantID: row.merchantId,
    MerchantTradeNo: row.merchantTradeNo,
    state: row.state,
    RtnCode: row.rtnCode,
    RtnMsg: row.rtnMsg,
    error_code: row.errorCode,
    http_status: row.httpStatus,
    upstream_latency_ms: row.upstreamLatencyMs,
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
    next_check_at: row.nextCheckAt === null ? null : iso(row.nextCheckAt),
    reconciliation: attempts.map((a) => ({
      attempt: a.attempt,
      at: iso(a.at),
      outcome: a.outcome,
      RtnCode: a.rtnCode,
      TradeStatus: a.tradeStatus,
      result: a.result,
    })),
  };
}

/** How a company's calls ended, reconciliation history included. Only its own calls. */
export class TransactionQueries {
  constructor(private readonly store: Pick<Store, 'ledger'>) {}

  async byRequestId(companyId: string, requestId: string): Promise<TransactionView | undefined> {
    const row = await this.store.ledger.get(companyId, requestId);
    return row && view(row, await this.store.ledger.attempts(row.requestId));
  }

  async byMerchantTradeNo(companyId: string, merchantTradeNo: string): Promise<TransactionView[]> {
    const rows = await this.store.ledger.findByTradeNo(companyId, merchantTradeNo);
    return Promise.all(
      rows.map(async (row) => view(row, await this.store.ledger.attempts(row.requestId))),
    );
  }
}
