import { invalidField } from '../core/errors.js';
import { isIdentifier } from '../core/ids.js';
import { LosslessNumber } from '../core/lossless-json.js';
import { parseTaiwanTime } from '../core/taiwan-time.js';

/**
 * How a provider declares the fields of one operation's `request`. The same
 * declaration drives check_params_process and the OpenAPI schema.
 */
export type FieldKind =
  /** A credential (金流參數): string, may come from the store configuration instead. */
  | 'credential'
  /** Free text up to maxLength. */
  | 'text'
  /** An order number: letters, digits, `-` and `_`, at most 50 characters. */
  | 'tradeNo'
  /** `yyyy/MM/dd HH:mm:ss`, a real calendar time. */
  | 'date'
  /** Whole NT$, a non-negative integer. */
  | 'amount'
  /** A customer payment barcode. */
  | 'barcode'
  /** An upstream's identifier (e.g. a transaction id): letters, digits, - and _, at most maxLength. */
  | 'id'
  /** One of `choices`. */
  | 'choice'
  /**
   * A numeric id (e.g. a wallet's 19-digit transaction id): a string of digits or a
   * JSON number, every digit kept (checked as text, never rounded through a float).
   */
  | 'digits';

export interface FieldSpec {
  name: string;
  kind: FieldKind;
  required: boolean;
  maxLength?: number;
  /** For `choice`: the values allowed. */
  choices?: readonly string[];
  description: string;
}

export type CheckedValue = string | number;
export type CheckedRequest = Readonly<Record<string, CheckedValue>>;

const BARCODE = /^[A-Za-z0-9]{1,64}$/;
const MAX_AMOUNT = 99_999_999_999;

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** Whether a required field counts as absent: missing, null, or a blank string. */
export function isAbsent(value: unknown): boolean {
  return (
    value === undefined || value === null || (typeof value === 'string' && value.trim() === '')
  );
}

/** Checks one present value against its kind; throws `<field> 格式錯誤`. */
export function checkField(spec: FieldSpec, value: unknown): CheckedValue {
  switch (spec.kind) {
    case 'amount':
      if (
        typeof value !== 'number' ||
        !Number.isSafeInteger(value) ||
        value < 0 ||
        value > MAX_AMOUNT
      ) {
        throw invalidField(spec.name);
      }
      return value;
    case 'date':
      if (typeof value !== 'string' || parseTaiwanTime(value) === null)
        throw invalidField(spec.name);
      return value;
    case 'tradeNo':
      if (!isIdentifier(value, spec.maxLength)) throw invalidField(spec.name);
      return value;
    case 'choice':
      if (typeof value !== 'string' || !(spec.choices ?? []).includes(value))
        throw invalidField(spec.name);
      return value;
    case 'digits': {
      const text =
        typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
          ? String(value)
          : value instanceof LosslessNumber
            ? value.text
            : value;
      if (typeof text !== 'string' || !new RegExp(`^\\d{1,${spec.maxLength ?? 20}}$`).test(text))
        throw invalidField(spec.name);
      return text;
    }
    case 'barcode':
      if (typeof value !== 'string' || !BARCODE.test(value)) throw invalidField(spec.name);
      return value;
    case 'credential':
    case 'id':
      // Credentials are ids as provisioning stores them: letters, digits, - and _.
      if (!isIdentifier(value, spec.maxLength)) throw invalidField(spec.name);
      return value;
    case 'text': {
      const max = spec.maxLength ?? 50;
      // No control characters: these values travel into a wallet's signed payload.
      if (typeof value !== 'string' || value.length > max || hasControlCharacter(value)) {
        throw invalidField(spec.name);
      }
      return value;
    }
  }
}
