import { parseTaiwanTime } from '../../core/taiwan-time.js';
import { Rtn, type RtnCode } from './messages.js';

/**
 * A decrypted request payload with icash's field rules: names match
 * case-insensitively, values are strings. Each check returns the value or the
 * RtnCode icash answers with, so the business rules read top to bottom.
 */

export class Rejection {
  constructor(readonly code: RtnCode) {}
}

export const reject = (code: RtnCode): Rejection => new Rejection(code);

const MERCHANT_ID = /^\d{8}$/;
/** Sandbox choice: letters, digits, `_` and `-`, at most 50 characters. */
const TRADE_NO = /^[A-Za-z0-9_-]{1,50}$/;
const AMOUNT = /^\d{1,12}$/;

export class Payload {
  readonly raw: Record<string, unknown>;
  readonly #fields = new Map<string, unknown>();

  constructor(raw: Record<string, unknown>) {
    this.raw = raw;
    for (const [name, value] of Object.entries(raw)) {
      const key = name.toLowerCase();
      if (!this.#fields.has(key)) this.#fields.set(key, value);
    }
  }

  /** The field's value when it is a string; `''` when absent or null; `null` for another type. */
  text(name: string): string | null {
    const value = this.#fields.get(name.toLowerCase());
    if (value === undefined || value === null) return '';
    return typeof value === 'string' ? value : null;
  }

  /** The field as sent, for echoing into error answers. */
  echo(name: string): string {
    return this.text(name) ?? '';
  }

  merchantId(): string | Rejection {
    const value = this.text('MerchantID');
    if (value === '') return reject(Rtn.MerchantIdEmpty);
    if (value === null || !MERCHANT_ID.test(value)) return reject(Rtn.MerchantIdMalformed);
    return value;
  }

  /** A MerchantTradeNo-like field: 2002 when empty, 2003 when malformed. */
  tradeNo(name: string): string | Rejection {
    const value = this.text(name);
    if (value === '') return reject(Rtn.TradeNoEmpty);
    if (value === null || !TRADE_NO.test(value)) return reject(Rtn.TradeNoMalformed);
    return value;
  }

  tradeDate(): string | Rejection {
    const value = this.text('MerchantTradeDate');
    if (value === '') return reject(Rtn.TradeDateEmpty);
    if (value === null || parseTaiwanTime(value) === null) return reject(Rtn.TradeDateMalformed);
    return value;
  }

  /**
   * An amount in NT$ × 100: a string of digits naming whole NT$ (a multiple of
   * 100). Absent optional fields count as 0.
   */
  amount(name: string, required = true): number | Rejection {
    const value = this.text(name);
    if (value === '' && !required) return 0;
    if (value === null || !AMOUNT.test(value)) return reject(Rtn.AmountMalformed);
    const cents = Number(value);
    if (cents % 100 !== 0) return reject(Rtn.AmountMalformed);
    return cents;
  }

  /**
   * A total and its three parts (item, utility, commission), each an amount:
   * the total, once it is not 0 and the parts add up to it (else `mismatch`).
   */
  total(names: readonly [string, string, string, string], mismatch: RtnCode): number | Rejection {
    const parts: number[] = [];
    for (const name of names) {
      const value = this.amount(name);
      if (value instanceof Rejection) return value;
      parts.push(value);
    }
    const [total = 0, item = 0, utility = 0, comm = 0] = parts;
    if (total === 0) return reject(Rtn.AmountMalformed);
    if (total !== item + utility + comm) return reject(mismatch);
    return total;
  }

  /** An optional free-text field, cut to `max` characters. */
  optional(name: string, max: number): string {
    return (this.text(name) ?? '').slice(0, max);
  }
}
