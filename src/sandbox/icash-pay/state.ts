import type Database from 'better-sqlite3';
import { WalletTables } from '../database.js';

/**
 * The icash simulator's tables in the sandbox database: merchants, key sets, wallets and their
 * barcodes, trades and refunds. Amounts are integers in NT$ × 100 (icash's unit);
 * times are epoch milliseconds.
 */

export interface MerchantRow {
  merchant_id: string;
  platform_id: string;
}

export interface KeySetRow {
  enc_key_id: string;
  platform_id: string;
  merchant_id: string;
  aes_key: string;
  aes_iv: string;
  client_public_pem: string;
  server_private_pem: string;
}

export interface WalletRow {
  icp_account: string;
  balance: number;
  mmember_id: string;
  mobile_invoice_carry: string;
}

export interface BarcodeRow {
  barcode: string;
  icp_account: string;
  expires_at: number;
  used_at: number | null;
}

export interface TradeRow {
  merchant_id: string;
  platform_id: string;
  merchant_trade_no: string;
  /** 0 payment, 1 refund. */
  trade_type: number;
  transaction_id: string;
  icp_account: string;
  store_id: string;
  store_name: string;
  merchant_trade_date: string;
  payment_date: number;
  total: number;
  icp_amount: number;
  bonus_amt: number;
  refunded: number;
  trade_status: string;
  allocate_status: number;
  gid: string;
  /** For a refund: the original payment's MerchantTradeNo. */
  original_trade_no: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS merchants (
  merchant_id TEXT PRIMARY KEY,
  platform_id TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS key_sets (
  enc_key_id TEXT PRIMARY KEY,
  platform_id TEXT NOT NULL,
  merchant_id TEXT NOT NULL,
  aes_key TEXT NOT NULL,
  aes_iv TEXT NOT NULL,
  client_public_pem TEXT NOT NULL,
  server_private_pem TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS wallets (
  icp_account TEXT PRIMARY KEY,
  balance INTEGER NOT NULL,
  mmember_id TEXT NOT NULL,
  mobile_invoice_carry TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS barcodes (
  barcode TEXT PRIMARY KEY,
  icp_account TEXT NOT NULL REFERENCES wallets(icp_account),
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
CREATE TABLE IF NOT EXISTS trades (
  merchant_id TEXT NOT NULL,
  platform_id TEXT NOT NULL,
  merchant_trade_no TEXT NOT NULL,
  trade_type INTEGER NOT NULL,
  transaction_id TEXT NOT NULL UNIQUE,
  icp_account TEXT NOT NULL,
  store_id TEXT NOT NULL,
  store_name TEXT NOT NULL,
  merchant_trade_date TEXT NOT NULL,
  payment_date INTEGER NOT NULL,
  total INTEGER NOT NULL,
  icp_amount INTEGER NOT NULL,
  bonus_amt INTEGER NOT NULL,
  refunded INTEGER NOT NULL DEFAULT 0,
  trade_status TEXT NOT NULL,
  allocate_status INTEGER NOT NULL DEFAULT 0,
  gid TEXT NOT NULL,
  original_trade_no TEXT,
  PRIMARY KEY (merchant_id, merchant_trade_no)
);
`;

export class SandboxState extends WalletTables {
  constructor(db: Database.Database) {
    super(db, SCHEMA);
  }

  merchant(merchantId: string): MerchantRow | undefined {
    return this.db
      .prepare<[string], MerchantRow>(
        'SELECT merchant_id, platform_id FROM merchants WHERE merchant_id = ?',
      )
      .get(merchantId);
  }

  insertMerchant(row: MerchantRow, now: number): void {
    this.db
      .prepare('INSERT INTO merchants (merchant_id, platform_id, created_at) VALUES (?, ?, ?)')
      .run(row.merchant_id, row.platform_id, now);
  }

  keySet(encKeyId: string): KeySetRow | undefined {
    return this.db
      .prepare<[string], KeySetRow>(
        `SELECT enc_key_id, platform_id, merchant_id, aes_key, aes_iv, client_public_pem,
                server_private_pem FROM key_sets WHERE enc_key_id = ?`,
      )
      .get(encKeyId);
  }

  insertKeySet(row: KeySetRow, now: number): void {
    this.db
      .prepare(
        `INSERT INTO key_sets (enc_key_id, platform_id, merchant_id, aes_key, aes_iv,
           client_public_pem, server_private_pem, created_at)
         VALUES (@enc_key_id, @platform_id, @merchant_id, @aes_key, @aes_iv,
           @client_public_pem, @server_private_pem, @created_at)`,
      )
      .run({ ...row, created_at: now });
  }

  wallet(icpAccount: string): WalletRow | undefined {
    return this.db
      .prepare<[string], WalletRow>(
        'SELECT icp_account, balance, mmember_id, mobile_invoice_carry FROM wallets WHERE icp_account = ?',
      )
      .get(icpAccount);
  }

  insertWallet(row: WalletRow, now: number): void {
    this.db
      .prepare(
        `INSERT INTO wallets (icp_account, balance, mmember_id, mobile_invoice_carry, created_at)
         VALUES (@icp_account, @balance, @mmember_id, @mobile_invoice_carry, @created_at)`,
      )
      .run({ ...row, created_at: now });
  }

  /** Adds `delta` (NT$ × 100, may be negative) to a wallet's balance. */
  adjustBalance(icpAccount: string, delta: number): void {
    this.db
      .prepare('UPDATE wallets SET balance = balance + ? WHERE icp_account = ?')
      .run(delta, icpAccount);
  }

  barcode(barcode: string): BarcodeRow | undefined {
    return this.db
      .prepare<[string], BarcodeRow>(
        'SELECT barcode, icp_account, expires_at, used_at FROM barcodes WHERE barcode = ?',
      )
      .get(barcode);
  }

  insertBarcode(row: BarcodeRow): void {
    this.db
      .prepare(
        `INSERT INTO barcodes (barcode, icp_account, expires_at, used_at)
         VALUES (@barcode, @icp_account, @expires_at, @used_at)`,
      )
      .run(row);
  }

  markBarcodeUsed(barcode: string, now: number): void {
    this.db.prepare('UPDATE barcodes SET used_at = ? WHERE barcode = ?').run(now, barcode);
  }

  trade(merchantId: string, merchantTradeNo: string): TradeRow | undefined {
    return this.db
      .prepare<[string, string], TradeRow>(
        'SELECT * FROM trades WHERE merchant_id = ? AND merchant_trade_no = ?',
      )
      .get(merchantId, merchantTradeNo);
  }

  transactionIdExists(transactionId: string): boolean {
    return (
      this.db
        .prepare<[string], { n: number }>('SELECT 1 AS n FROM trades WHERE transaction_id = ?')
        .get(transactionId) !== undefined
    );
  }

  insertTrade(row: TradeRow): void {
    this.db
      .prepare(
        `INSERT INTO trades (merchant_id, platform_id, merchant_trade_no, trade_type,
           transaction_id, icp_account, store_id, store_name, merchant_trade_date, payment_date,
           total, icp_amount, bonus_amt, refunded, trade_status, allocate_status, gid,
           original_trade_no)
         VALUES (@merchant_id, @platform_id, @merchant_trade_no, @trade_type, @transaction_id,
           @icp_account, @store_id, @store_name, @merchant_trade_date, @payment_date, @total,
           @icp_amount, @bonus_amt, @refunded, @trade_status, @allocate_status, @gid,
           @original_trade_no)`,
      )
      .run(row);
  }

  /** Updates the mutable parts of a trade. */
  updateTrade(
    merchantId: string,
    merchantTradeNo: string,
    change: Partial<
      Pick<TradeRow, 'trade_status' | 'refunded' | 'allocate_status' | 'payment_date'>
    >,
  ): boolean {
    const current = this.trade(merchantId, merchantTradeNo);
    if (!current) return false;
    const next = { ...current, ...change };
    this.db
      .prepare(
        `UPDATE trades SET trade_status = @trade_status, refunded = @refunded,
           allocate_status = @allocate_status, payment_date = @payment_date
         WHERE merchant_id = @merchant_id AND merchant_trade_no = @merchant_trade_no`,
      )
      .run({
        trade_status: next.trade_status,
        refunded: next.refunded,
        allocate_status: next.allocate_status,
        payment_date: next.payment_date,
        merchant_id: merchantId,
        merchant_trade_no: merchantTradeNo,
      });
    return true;
  }
}
