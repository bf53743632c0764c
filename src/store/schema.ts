import type { Generated } from 'kysely';

/** Row types of every table; timestamps are epoch milliseconds. */
export interface CompaniesTable {
  id: string;
  name: string;
  created_at: number;
}

export interface ClientsTable {
  id: string;
  company_id: string;
  name: string | null;
  /** HMAC-SHA256 of the secret under the deployment's hashing key, base64url. */
  secret_hash: string;
  revoked_at: number | null;
  created_at: number;
  /** When the client last obtained a token (null: never, or before 0007). */
  last_used_at: number | null;
}

export interface TokensTable {
  /** SHA-256 of the token, base64url: the token itself is never stored. */
  token_hash: string;
  client_id: string;
  company_id: string;
  scope: string;
  expires_at: number;
  revoked_at: number | null;
  created_at: number;
}

/**
 * A wallet's credentials, opaque to the core: per company, payment type,
 * environment and credential id (a key set, a channel: whatever the wallet
 * stores). Secret fields are sealed one by one with the master key.
 */
export interface CredentialsTable {
  company_id: string;
  type: string;
  env: 'test' | 'prod';
  credential_id: string;
  /** JSON object of the fields that are not secret (a key id, a public key, an API version). */
  public_fields: string;
  /** JSON object of sealed values: `v<version>.<iv>.<ciphertext>.<tag>` per field. */
  sealed_fields: string;
  /** The master-key version that sealed the values above. */
  key_version: number;
  created_at: number;
  updated_at: number;
}

export interface StoresTable {
  company_id: string;
  store_id: string;
  created_at: number;
}

export interface StorePayConfigsTable {
  company_id: string;
  store_id: string;
  type: string;
  env: 'test' | 'prod';
  /** JSON object: the wallet's account fields (its `store set` options' values). */
  account: string;
  /** The credential (same company, type and environment) this store's calls use. */
  credential_id: string;
  updated_at: number;
}

export interface TransactionsTable {
  request_id: string;
  company_id: string;
  client_id: string;
  operation: string;
  type: string | null;
  env: string | null;
  scenario: string | null;
  store_id: string | null;
  /** The stored credential the call used (the wallet's storedCredentialId). */
  credential_id: string | null;
  /** The merchant account at the wallet (the wallet's accountId). */
  account_id: string | null;
  merchant_trade_no: string | null;
  state: string;
  rtn_code: number | null;
  rtn_msg: string | null;
  error_code: string | null;
  http_status: number | null;
  upstream_latency_ms: number | null;
  created_at: number;
  updated_at: number;
  /** The process that opened the row (a dead process leaves `pending` rows behind). */
  instance_id: string | null;
  /** When the reconciler next asks the wallet about an `unknown` row; null: not scheduled. */
  next_check_at: number | null;
  check_attempts: Generated<number>;
  /** A reconciler holds the row until then (atomic claim, safe across instances). */
  claimed_until: number | null;
  /** What the call asked to move (pay, refund), in whole units of `currency`; null when unknown. */
  amount: number | null;
  currency: string | null;
  /** For a refund: the MerchantTradeNo of the payment it refunds. */
  original_trade_no: string | null;
  /** The upstream's id of the trade the call made, once known. */
  upstream_id: string | null;
}

export interface ReconciliationAttemptsTable {
  request_id: string;
  attempt: number;
  at: number;
  /** What the wallet's query gave: answered, unknown, untrusted, not_sent, no_key_set. */
  outcome: string;
  rtn_code: number | null;
  trade_status: string | null;
  /** The row's state after this attempt. */
  result: string;
}

export interface IdempotencyKeysTable {
  company_id: string;
  idempotency_key: string;
  /** SHA-256 of the operation and the request body. */
  fingerprint: string;
  request_id: string;
  state: 'in_progress' | 'done';
  status_code: number | null;
  response_body: string | null;
  created_at: number;
  expires_at: number;
}

/** Append-only: every change made other than by a payment call (docs/operations.md §4). */
export interface AuditLogTable {
  /** UUIDv7: its order is the log's order. */
  id: string;
  at: number;
  /** `cli`, `system`, or (admin API) `user:<id>`. */
  actor: string;
  company_id: string | null;
  /** `company.create`, `client.rotate_secret`, `credentials.set`, … */
  action: string;
  target: string | null;
  request_id: string | null;
  /** The address the change came from (admin API), when there is one. */
  source: string | null;
  /** JSON object: what changed; never a secret. */
  changes: string;
}

export type UserRole = 'admin' | 'operator' | 'viewer';

/** Console users: people, not OAuth clients. */
export interface UsersTable {
  id: string;
  /** Lower-cased. */
  email: string;
  role: UserRole;
  /** null: a platform user, who sees every company. */
  company_id: string | null;
  /** `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>`: never the password. */
  password_hash: string;
  disabled_at: number | null;
  created_at: number;
  updated_at: number;
}

/** Server-side console sessions: a logout or a disabled user takes effect at once. */
export interface SessionsTable {
  /** SHA-256 of the cookie's token: the token itself is never stored. */
  token_hash: string;
  user_id: string;
  /** SHA-256 of the session's CSRF token. */
  csrf_hash: string;
  created_at: number;
  last_seen_at: number;
  /** The absolute end, whatever the activity. */
  expires_at: number;
  revoked_at: number | null;
}

export interface SettingsTable {
  name: string;
  value: string;
  key_version: number | null;
}

/** A company's webhook endpoint; its signing secret sealed with the master key. */
export interface WebhookEndpointsTable {
  id: string;
  company_id: string;
  url: string;
  /** `*` for every event, else the subscribed types as `,type,type,`. */
  events: string;
  /** `whsec_…` sealed: `v<version>.<iv>.<ciphertext>.<tag>`. */
  sealed_secret: string;
  key_version: number;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

/** The outbox: one row per ledger state change, written in the change's own transaction. */
export interface WebhookEventsTable {
  id: string;
  company_id: string;
  request_id: string;
  /** `transaction.<state>`. */
  type: string;
  /** 1 when the reconciler made the change. */
  reconciled: number;
  occurred_at: number;
  /** When the event became one delivery per subscribed endpoint; null: not yet. */
  fanned_out_at: number | null;
  /** The body sent, fixed at the first attempt so every retry sends the same bytes. */
  payload: string | null;
}

export interface WebhookDeliveriesTable {
  id: string;
  event_id: string;
  endpoint_id: string;
  state: 'pending' | 'delivered' | 'failed';
  /** Every attempt ever made (numbering of webhook_attempts). */
  attempts: number;
  /** Attempts in the current round (a manual resend starts a new round): the schedule's index. */
  tries: number;
  next_attempt_at: number | null;
  /** A worker holds the delivery until then (atomic claim, safe across instances). */
  claimed_until: number | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookAttemptsTable {
  delivery_id: string;
  attempt: number;
  at: number;
  /** The HTTP status answered; null when none was (time-out, refused, unsafe address). */
  status: number | null;
  latency_ms: number;
  error: string | null;
}

export interface MigrationSeq {
  id: Generated<number>;
}

export interface Database {
  companies: CompaniesTable;
  clients: ClientsTable;
  tokens: TokensTable;
  credentials: CredentialsTable;
  stores: StoresTable;
  store_pay_configs: StorePayConfigsTable;
  transactions: TransactionsTable;
  reconciliation_attempts: ReconciliationAttemptsTable;
  idempotency_keys: IdempotencyKeysTable;
  settings: SettingsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  audit_log: AuditLogTable;
  users: UsersTable;
  sessions: SessionsTable;
}
