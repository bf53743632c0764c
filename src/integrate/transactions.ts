import type { ProviderRegistry } from '../providers/registry.js';
import type { WalletCredentials } from '../providers/types.js';
import type { ReconciliationAttempt, Store, TransactionRecord } from '../store/index.js';

/** A ledger row as the API shows it to the company that owns it. */
export interface TransactionView {
  request_id: string;
  operation: string;
  type: string | null;
  env: string | null;
  scenario: string | null;
  store_id: string | null;
  /**
   * The call's identifiers and result as the wallet names them (its `describeRow`;
   * docs/api.md lists each wallet's).
   */
  [identifier: string]: unknown;
  /** What the call asked to move, in whole units of `currency` (pay, refund); null before 0004. */
  amount: number | null;
  currency: string | null;
  /** A succeeded pay: what its succeeded refunds took back, and what is left to refund. */
  refunded_amount?: number;
  refundable_amount?: number;
  /** A succeeded pay: how many of its refunds are still pending or unknown. */
  refunds_unsettled?: number;
  state: string;
  error_code: string | null;
  http_status: number | null;
  upstream_latency_ms: number | null;
  created_at: string;
  updated_at: string;
  next_check_at: string | null;
  /** Every check, with the wallet's answer in the wallet's own names (describeAttempt). */
  reconciliation: ({
    attempt: number;
    at: string;
    outcome: string;
    result: string;
  } & Record<string, string | number | null>)[];
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** A row of no known payment type (refused before its type was known): neutral names. */
const neutralFacts = (row: TransactionRecord): Record<string, string | number | null> => ({
  trade_no: row.merchantTradeNo,
  result_code: row.rtnCode,
  result_message: row.rtnMsg,
});

/** An attempt of a row of no known payment type: neutral names. */
const neutralAttempt = (a: { rtnCode: number | null; tradeStatus: string | null }) => ({
  result_code: a.rtnCode,
  status: a.tradeStatus,
});

function view(
  identifiers: Record<string, string | number | null>,
  describeAttempt: typeof neutralAttempt | WalletCredentials['describeAttempt'],
  row: TransactionRecord,
  attempts: ReconciliationAttempt[],
  refunds: { refunded: number; unsettled: number } | undefined,
): TransactionView {
  return {
    request_id: row.requestId,
    operation: row.operation,
    type: row.type,
    env: row.env,
    scenario: row.scenario,
    store_id: row.storeId,
    ...identifiers,
    amount: row.amount,
    currency: row.currency,
    ...(refunds && row.amount !== null
      ? {
          refunded_amount: refunds.refunded,
          refundable_amount: row.amount - refunds.refunded,
          refunds_unsettled: refunds.unsettled,
        }
      : {}),
    state: row.state,
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
      ...describeAttempt(a),
      result: a.result,
    })),
  };
}

/** How a company's calls ended, reconciliation history included. Only its own calls. */
export class TransactionQueries {
  constructor(
    private readonly store: Pick<Store, 'ledger'>,
    private readonly registry: ProviderRegistry,
  ) {}

  async byRequestId(companyId: string, requestId: string): Promise<TransactionView | undefined> {
    const row = await this.store.ledger.get(companyId, requestId);
    return row && this.#view(row);
  }

  async byMerchantTradeNo(companyId: string, merchantTradeNo: string): Promise<TransactionView[]> {
    const rows = await this.store.ledger.findByTradeNo(companyId, merchantTradeNo);
    return Promise.all(rows.map((row) => this.#view(row)));
  }

  async #view(row: TransactionRecord): Promise<TransactionView> {
    const { ledger } = this.store;
    const isPayment =
      row.operation === 'pay' && row.state === 'succeeded' && row.merchantTradeNo !== null;
    const refunds = isPayment
      ? await ledger.refundedOf({
          companyId: row.companyId,
          type: row.type ?? '',
          env: row.env ?? '',
          accountId: row.accountId ?? '',
          tradeNo: row.merchantTradeNo!,
        })
      : undefined;
    const provider = row.type === null ? undefined : this.registry.get(row.type);
    const identifiers = provider?.credentials.describeRow(row) ?? neutralFacts(row);
    const describeAttempt = provider?.credentials.describeAttempt ?? neutralAttempt;
    return view(identifiers, describeAttempt, row, await ledger.attempts(row.requestId), refunds);
  }
}
