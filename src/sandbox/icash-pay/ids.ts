import { randomInt } from 'node:crypto';

/** Crypto-random identifiers and key text in the shapes icash uses. */

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const DIGITS = '0123456789';

function randomFrom(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += alphabet.charAt(randomInt(alphabet.length));
  return out;
}

export const randomDigits = (length: number): string => randomFrom(DIGITS, length);

/** 8 digits, not starting with 0 (merchant and platform ids). */
export const newMerchantId = (): string => String(randomInt(10_000_000, 100_000_000));

/** 5 to 9 digits, as icash's key ids are; here always 6 to 9. */
export const newEncKeyId = (): string => String(randomInt(100_000, 1_000_000_000));

export const newAesKey = (): string => randomFrom(ALNUM, 32);
export const newAesIv = (): string => randomFrom(ALNUM, 16);

/** A customer payment barcode: `IC` and 16 upper-case letters or digits. */
export const newBarcode = (): string => `IC${randomFrom(UPPER_ALNUM, 16)}`;

/** A 16-digit icash account number. */
export const newIcpAccount = (): string => `9${randomDigits(15)}`;

/** A 20-digit icash transaction id. */
export const newTransactionId = (): string => `${randomInt(1, 10)}${randomDigits(19)}`;

export const newMemberId = (): string => `MM${randomDigits(10)}`;

/** A mobile-barcode e-invoice carrier: `/` and 7 characters. */
export const newMobileInvoiceCarry = (): string => `/${randomFrom(UPPER_ALNUM, 7)}`;

export const newGid = (): string => randomFrom(DIGITS + 'abcdef', 32);
