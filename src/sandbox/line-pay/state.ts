import type Database from 'better-sqlite3';
import { WalletTables } from '../database.js';

/**
 * The LINE Pay simulator's tables in the sandbox database: channels, issued
 * oneTimeKeys (each with the customer's balance), orders, refunds and the
 * queue of chosen transaction ids. Ids are TEXT (19 digits do not fit a
 * float); times are epoch milliseconds; amounts are in the channel's currency.
 */

export type ChannelVersions = 'v2' | 'v4' | 'both';

export interface ChannelRow {
  channel_id: string;
  channel_secret: string;
  currency: string;
  api_versions: ChannelVersions;
  /** 1 when `capture: false` is allowed. */
  capture_separation: number;
}

export interface OneTimeKeyRow {
  one_time_key: string;
  channel_id: string;
  method: string;
  balance: number;
  expires_at: number;
  used_at: number | null;
}

/** AUTH_READY, COMPLETE, AUTHORIZATION, VOIDED_AUTHORIZATION, CANCEL, FAIL. */
export type OrderStatus =
  'AUTH_READY' | 'COMPLETE' | 'AUTHORIZATION' | 'VOIDED_AUTHORIZATION' | 'CANCEL' | 'FAIL';

export interface OrderRow {
  channel_id: string;
  order_id: string;
  transaction_id: string | null;
  one_time_key: string;
  product_name: string;
  amount: number;
  currency: string;
  method: string;
  status: OrderStatus;
  refunded: number;
  transaction_date: number;
  /** AUTH_READY only: when it settles, and into what. */
  ready_at: number | null;
  ready_status: OrderStatus | null;
  fail_return_code: string | null;
  fail_return_message: string | null;
}

export interface RefundRow {
  refund_transaction_id: string;
  channel_id: string;
  order_id: string;
  amount: number;
  transaction_type: string;
  refund_transaction_date: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS line_channels (
  channel_id TEXT PRIMARY KEY,
  channel_secret TEXT NOT NULL,
  currency TEXT NOT NULL,
  api_versions TEXT NOT NULL,
  capture_separation INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS line_one_time_keys (
  one_time_key TEXT PRIMARY KEY,
  channel_id TEXT NOT NULL REFERENCES line_channels(channel_id),
  method TEXT NOT NULL,
  balance INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
CREATE TABLE IF NOT EXISTS line_orders (
  channel_id TEXT NOT NULL,
  order_id TEXT NOT NULL,
  transaction_id TEXT UNIQUE,
  one_time_key TEXT NOT NULL,
  product_name TEXT NOT NULL,
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  method TEXT NOT NULL,
  status TEXT NOT NULL,
  refunded INTEGER NOT NULL DEFAULT 0,
  transaction_date INTEGER NOT NULL,
  ready_at INTEGER,
  ready_status TEXT,
  fail_return_code TEXT,
  fail_return_message TEXT,
  PRIMARY KEY (channel_id, order_id)
);
CREATE TABLE IF NOT EXISTS line_refunds (
  refund_transaction_id TEXT PRIMARY KEY,
  channel_id TEXT NOT NULL,
  order_id TEXT NOT NULL,
  amount INTEGER NOT NULL,
  transaction_type TEXT NOT NULL,
  refund_transaction_date INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS line_next_transaction_ids (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  transaction_id TEXT NOT NULL UNIQUE
);
`;

export class LinePayState extends WalletTables {
  constructor(db: Database.Database) {
    super(db, SCHEMA);
  }

  channel(channelId: string): ChannelRow | undefined {
    return this.db
      .prepare<[string], ChannelRow>(
        `SELECT channel_id, channel_secret, currency, api_versions, capture_separation
         FROM line_channels WHERE channel_id = ?`,
      )
      .get(channelId);
  }

  insertChannel(row: ChannelRow, now: number): void {
    this.db
      .prepare(
        `INSERT INTO line_channels (channel_id, channel_secret, currency, api_versions,
           capture_separation, created_at)
         VALUES (@channel_id, @channel_secret, @currency, @api_versions, @capture_separation, @now)`,
      )
      .run({ ...row, now });
  }

  oneTimeKey(key: string): OneTimeKeyRow | undefined {
    return this.db
      .prepare<[string], OneTimeKeyRow>('SELECT * FROM line_one_time_keys WHERE one_time_key = ?')
      .get(key);
  }

  insertOneTimeKey(row: OneTimeKeyRow): void {
    this.db
      .prepare(
        `INSERT INTO line_one_time_keys (one_time_key, channel_id, method, balance, expires_at, used_at)
         VALUES (@one_time_key, @channel_id, @method, @balance, @expires_at, @used_at)`,
      )
      .run(row);
  }

  useOneTimeKey(key: string, now: number): void {
    this.db
      .prepare('UPDATE line_one_time_keys SET used_at = ? WHERE one_time_key = ?')
      .run(now, key);
  }

  /** Adds `delta` (may be negative) to the balance behind a oneTimeKey. */
  adjustBalance(key: string, delta: number): void {
    this.db
      .prepare('UPDATE line_one_time_keys SET balance = balance + ? WHERE one_time_key = ?')
      .run(delta, key);
  }

  order(channelId: string, orderId: string): OrderRow | undefined {
    return this.db
      .prepare<[string, string], OrderRow>(
        'SELECT * FROM line_orders WHERE channel_id = ? AND order_id = ?',
      )
      .get(channelId, orderId);
  }

  orderByTransactionId(channelId: string, transactionId: string): OrderRow | undefined {
    return this.db
      .prepare<[string, string], OrderRow>(
        'SELECT * FROM line_orders WHERE channel_id = ? AND transaction_id = ?',
      )
      .get(channelId, transactionId);
  }

  insertOrder(row: OrderRow): void {
    this.db
      .prepare(
        `INSERT INTO line_orders (channel_id, order_id, transaction_id, one_time_key, product_name,
           amount, currency, method, status, refunded, transaction_date, ready_at, ready_status,
           fail_return_code, fail_return_message)
         VALUES (@channel_id, @order_id, @transaction_id, @one_time_key, @product_name, @amount,
           @currency, @method, @status, @refunded, @transaction_date, @ready_at, @ready_status,
           @fail_return_code, @fail_return_message)`,
      )
      .run(row);
  }

  updateOrder(
    row: OrderRow,
    change: Partial<Pick<OrderRow, 'status' | 'refunded' | 'amount' | 'ready_at' | 'ready_status'>>,
  ): OrderRow {
    const next = { ...row, ...change };
    this.db
      .prepare(
        `UPDATE line_orders SET status = @status, refunded = @refunded, amount = @amount,
           ready_at = @ready_at, ready_status = @ready_status
         WHERE channel_id = @channel_id AND order_id = @order_id`,
      )
      .run({
        status: next.status,
        refunded: next.refunded,
        amount: next.amount,
        ready_at: next.ready_at,
        ready_status: next.ready_status,
        channel_id: next.channel_id,
        order_id: next.order_id,
      });
    return next;
  }

  refunds(channelId: string, orderId: string): RefundRow[] {
    return this.db
      .prepare<[string, string], RefundRow>(
        `SELECT * FROM line_refunds WHERE channel_id = ? AND order_id = ?
         ORDER BY refund_transaction_date, rowid`,
      )
      .all(channelId, orderId);
  }

  insertRefund(row: RefundRow): void {
    this.db
      .prepare(
        `INSERT INTO line_refunds (refund_transaction_id, channel_id, order_id, amount,
           transaction_type, refund_transaction_date)
         VALUES (@refund_transaction_id, @channel_id, @order_id, @amount, @transaction_type,
           @refund_transaction_date)`,
      )
      .run(row);
  }

  /** Whether a payment or refund already has this id. */
  transactionIdTaken(id: string): boolean {
    const hit = this.db
      .prepare<[string, string, string], { n: number }>(
        `SELECT 1 AS n FROM line_orders WHERE transaction_id = ?
         UNION ALL SELECT 1 FROM line_refunds WHERE refund_transaction_id = ?
         UNION ALL SELECT 1 FROM line_next_transaction_ids WHERE transaction_id = ?`,
      )
      .get(id, id, id);
    return hit !== undefined;
  }

  queueTransactionId(id: string): void {
    this.db.prepare('INSERT INTO line_next_transaction_ids (transaction_id) VALUES (?)').run(id);
  }

  /** Takes the oldest chosen id, if any. */
  takeQueuedTransactionId(): string | undefined {
    const row = this.db
      .prepare<[], { seq: number; transaction_id: string }>(
        'SELECT seq, transaction_id FROM line_next_transaction_ids ORDER BY seq LIMIT 1',
      )
      .get();
    if (!row) return undefined;
    this.db.prepare('DELETE FROM line_next_transaction_ids WHERE seq = ?').run(row.seq);
    return row.transaction_id;
  }
}
