/**
 * What the admin API answers (docs/admin-api.md), as the console reads it. The console is a
 * client of that API like any other: these types are written from the documentation, not
 * imported from the server.
 */
export type Role = 'admin' | 'operator' | 'viewer';

export interface User {
  user_id: string;
  email: string;
  role: Role;
  /** null: a platform user (every company). */
  company_id: string | null;
}

export interface SessionAnswer {
  user: User;
  csrf_token: string;
  expires_at?: string;
}

export type TxState = 'pending' | 'succeeded' | 'declined' | 'rejected' | 'failed' | 'unknown';
export const TX_STATES: readonly TxState[] = [
  'succeeded',
  'declined',
  'rejected',
  'failed',
  'unknown',
  'pending',
];
export const OPERATIONS = ['pay', 'refund', 'cancel', 'search'] as const;

export interface AdminRow {
  request_id: string;
  company_id: string;
  created_at: string;
  operation: string;
  type: string | null;
  env: string | null;
  scenario: string | null;
  store_id: string | null;
  trade_no: string | null;
  original_trade_no: string | null;
  upstream_id: string | null;
  amount: number | null;
  currency: string | null;
  state: TxState;
  result_code: number | string | null;
  result_message: string | null;
  error_code: string | null;
  upstream_latency_ms: number | null;
}

export interface Page<T> {
  data: T[];
  next_cursor?: string | null;
}

export interface ReconciliationAttempt {
  attempt: number;
  /** Epoch milliseconds (the timeline) or ISO 8601 (the transaction view). */
  at: number | string;
  outcome: string;
  result: string;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  company_id: string | null;
  action: string;
  target: string | null;
  request_id: string | null;
  source: string | null;
  changes: Record<string, unknown>;
}

export interface TransactionDetail extends AdminRow {
  /** The row in the wallet's own field names; a succeeded payment says what is left to refund. */
  transaction: Record<string, unknown> & {
    refunded_amount?: number;
    refundable_amount?: number;
    refunds_unsettled?: number;
  };
  timeline: {
    reconciliation: ReconciliationAttempt[];
    refunds: AdminRow[];
    original: AdminRow[];
    audit: AuditEntry[];
  };
}

/** The answer of refund and cancel: the new call's row and what the wallet said. */
export interface MoneyActionAnswer {
  transaction: AdminRow;
  /** What the wallet answered; null when it gave no answer (an error before or after the call). */
  answer: { code: string | number | null; message: string | null } | null;
  replayed?: boolean;
}

export interface StatsBucket {
  start: string;
  count: number;
  by_state: Partial<Record<TxState, number>>;
  by_operation: Record<string, number>;
  paid: Record<string, number>;
  refunded: Record<string, number>;
  upstream_latency_ms: { p50: number | null; p99: number | null };
}

export interface StatsAnswer {
  from: string;
  to: string;
  bucket: 'hour' | 'day';
  buckets: StatsBucket[];
  /** The whole range at once. */
  total: Omit<StatsBucket, 'start'>;
  unknown_backlog: { count: number; oldest_age_seconds: number | null };
}

export interface Company {
  company_id: string;
  name: string;
  created_at: string;
}

export interface Client {
  client_id: string;
  company_id: string;
  name: string | null;
  status: 'active' | 'revoked';
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface PayConfig {
  type: string;
  env: string;
  account: Record<string, string>;
  credential_id: string;
  updated_at: string;
}

export interface Store {
  company_id: string;
  store_id: string;
  created_at: string;
  configs: PayConfig[];
}

export interface Credential {
  company_id: string;
  type: string;
  env: string;
  credential_id: string;
  public_fields: string[];
  secret_fields: string[];
  fingerprint: string;
  created_at: string;
  updated_at: string;
}

export interface WalletOption {
  name: string;
  description: string;
  required: boolean;
  input: 'value' | 'file' | 'secret';
  choices?: string[];
}

export interface Wallet {
  type: string;
  display_name: string;
  credential_options: WalletOption[];
  store_options: WalletOption[];
}

export interface ConsoleUser extends User {
  status: 'active' | 'disabled';
}

export interface WebhookEndpoint {
  endpoint_id: string;
  company_id: string;
  url: string;
  events: string[] | null;
  status: string;
  created_at: string;
}

export interface WebhookDelivery {
  delivery_id: string;
  event_id: string;
  event_type: string;
  status: string;
  attempts: {
    at: string;
    status_code: number | null;
    latency_ms: number | null;
    error: string | null;
  }[];
  next_attempt_at: string | null;
  created_at?: string;
}
