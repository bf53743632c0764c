import type { Db } from './database.js';

export type TransactionState =
  'pending' | 'succeeded' | 'declined' | 'rejected' | 'failed' | 'unknown';

export interface TransactionOpening {
  requestId: string;
  companyId: string;
  clientId: string;
  operation: string;
  type: string | null;
  env: string | null;
  scenario: string | null;
  storeId: string | null;
  platformId: string | null;
  merchantId: string | null;
  merchantTradeNo: string | null;
}

export interface TransactionOutcome {
  state: Exclude<TransactionState, 'pending'>;
  rtnCode?: number | null;
  rtnMsg?: string | null;
  errorCode?: string | null;
  httpStatus?: number | null;
  upstreamLatencyMs?: number | null;
}

export interface TransactionRecord extends TransactionOpening {
  state: TransactionState;
  rtnCode: number | null;
  rtnMsg: string | null;
  errorCode: string | null;
  httpStatus: number | null;
  upstreamLatencyMs: number | null;
  createdAt: number;
  updatedAt: number;
}

/**
 * Every authenticated Integrate call, written before anything goes upstream and
 * completed after. It holds identifiers and outcomes only: never a key or secret.
 */
export class TransactionLedger {
  constructor(private readonly db: Db) {}

  /** The durable `pending` row; it is committed before this resolves. */
  async open(t: TransactionOpening, now = Date.now()): Promise<void> {
    await this.db
      .insertInto('transactions')
      .values({ ...toRow(t), state: 'pending', created_at: now, updated_at: now })
      .execute();
  }

  async complete(requestId: string, outcome: TransactionOutcome, now = Date.now()): Promise<void> {
    await this.db
      .updateTable('transactions')
      .set({ ...outcomeColumns(outcome), updated_at: now })
      .where('request_id', '=', requestId)
      .execute();
  }

  /** A call that ended before it could be opened upstream (validation): one write. */
  async record(
    t: TransactionOpening,
    outcome: TransactionOutcome,
    now = Date.now(),
  ): Promise<void> {
    await this.db
      .insertInto('transactions')
      .values({ ...toRow(t), ...outcomeColumns(outcome), created_at: now, updated_at: now })
      .execute();
  }

  async get(companyId: string, requestId: string): Promise<TransactionRecord | undefined> {
    const row = await this.db
      .selectFrom('transactions')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('request_id', '=', requestId)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  async findByTradeNo(companyId: string, merchantTradeNo: string): Promise<TransactionRecord[]> {
    const rows = await this.db
      .selectFrom('transactions')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('merchant_trade_no', '=', merchantTradeNo)
      .orderBy('created_at')
      .limit(100)
      .execute();
    return rows.map(fromRow);
  }
}

function toRow(t: TransactionOpening) {
  return {
    request_id: t.requestId,
    company_id: t.companyId,
    client_id: t.clientId,
    operation: t.operation,
    type: t.type,
    env: t.env,
    scenario: t.scenario,
    store_id: t.storeId,
    platform_id: t.platformId,
    merchant_id: t.merchantId,
    merchant_trade_no: t.merchantTradeNo,
  };
}

function outcomeColumns(o: TransactionOutcome) {
  return {
    state: o.state,
    rtn_code: o.rtnCode ?? null,
    rtn_msg: o.rtnMsg ?? null,
    error_code: o.errorCode ?? null,
    http_status: o.httpStatus ?? null,
    upstream_latency_ms: o.upstreamLatencyMs ?? null,
  };
}

interface Row {
  request_id: string;
  company_id: string;
  client_id: string;
  operation: string;
  type: string | null;
  env: string | null;
  scenario: string | null;
  store_id: string | null;
  platform_id: string | null;
  merchant_id: string | null;
  merchant_trade_no: string | null;
  state: string;
  rtn_code: number | null;
  rtn_msg: string | null;
  error_code: string | null;
  http_status: number | null;
  upstream_latency_ms: number | null;
  created_at: number;
  updated_at: number;
}

function fromRow(r: Row): TransactionRecord {
  return {
    requestId: r.request_id,
    companyId: r.company_id,
    clientId: r.client_id,
    operation: r.operation,
    type: r.type,
    env: r.env,
    scenario: r.scenario,
    storeId: r.store_id,
    platformId: r.platform_id,
    merchantId: r.merchant_id,
    merchantTradeNo: r.merchant_trade_no,
    state: r.state as TransactionState,
    rtnCode: r.rtn_code,
    rtnMsg: r.rtn_msg,
    errorCode: r.error_code,
    httpStatus: r.http_status,
    upstreamLatencyMs: r.upstream_latency_ms,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
