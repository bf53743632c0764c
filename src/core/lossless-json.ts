/**
 * JSON that keeps every digit. LINE sends 19-digit transaction ids as bare JSON
 * numbers; `JSON.parse` rounds them (2023010112345678910 → 2023010112345678800).
 * Here a number becomes a JS number only when JS writes it back as the same text
 * (100, -1, 1.5); any other (19-digit ids, 1e3, 1.0) stays a `LosslessNumber`
 * holding its text, and serialises back to the same bytes. Strings, objects and arrays are
 * as `JSON.parse` gives them (duplicate keys: the last one wins, as there).
 */

/** A JSON number kept as its text (e.g. a 19-digit id). */
export class LosslessNumber {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }

  /** True when it is an integer (no fraction, no exponent). */
  get isInteger(): boolean {
    return /^-?\d+$/.test(this.text);
  }
}

export type LosslessValue =
  | null
  | boolean
  | number
  | string
  | LosslessNumber
  | LosslessValue[]
  | { [key: string]: LosslessValue };

export type LosslessObject = { [key: string]: LosslessValue };

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;

class Parser {
  #at = 0;

  constructor(private readonly text: string) {}

  parseDocument(): LosslessValue {
    const value = this.#value(0);
    this.#skip();
    if (this.#at !== this.text.length) this.#fail('unexpected text after the value');
    return value;
  }

  #fail(message: string): never {
    throw new SyntaxError(`${message} at position ${this.#at}`);
  }

  #skip(): void {
    WHITESPACE.lastIndex = this.#at;
    WHITESPACE.exec(this.text);
    this.#at = WHITESPACE.lastIndex;
  }

  #value(depth: number): LosslessValue {
    if (depth > 512) this.#fail('nesting too deep');
    this.#skip();
    const c = this.text[this.#at];
    if (c === '{') return this.#object(depth);
    if (c === '[') return this.#array(depth);
    if (c === '"') return this.#string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.#number();
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.text.startsWith(word, this.#at)) {
        this.#at += word.length;
        return value;
      }
    }
    return this.#fail('unexpected character');
  }

  #number(): number | LosslessNumber {
    NUMBER.lastIndex = this.#at;
    const match = NUMBER.exec(this.text);
    if (!match) return this.#fail('malformed number');
    this.#at = NUMBER.lastIndex;
    const text = match[0];
    const value = Number(text);
    // A plain number only when JS writes it back as the same text: nothing is lost.
    return String(value) === text ? value : new LosslessNumber(text);
  }

  #string(): string {
    const start = this.#at;
    this.#at += 1;
    for (;;) {
      const c = this.text.charCodeAt(this.#at);
      if (Number.isNaN(c)) this.#fail('unterminated string');
      if (c === 0x22) break;
      if (c === 0x5c) this.#at += 2;
      else if (c < 0x20) this.#fail('control character in string');
      else this.#at += 1;
    }
    this.#at += 1;
    // The string's own escapes are JSON's: let JSON.parse read them.
    return JSON.parse(this.text.slice(start, this.#at)) as string;
  }

  #array(depth: number): LosslessValue[] {
    this.#at += 1;
    const out: LosslessValue[] = [];
    this.#skip();
    if (this.text[this.#at] === ']') {
      this.#at += 1;
      return out;
    }
    for (;;) {
      out.push(this.#value(depth + 1));
      this.#skip();
      const c = this.text[this.#at];
      this.#at += 1;
      if (c === ']') return out;
      if (c !== ',') this.#fail('expected , or ]');
    }
  }

  #object(depth: number): LosslessObject {
    this.#at += 1;
    const out: LosslessObject = {};
    this.#skip();
    if (this.text[this.#at] === '}') {
      this.#at += 1;
      return out;
    }
    for (;;) {
      this.#skip();
      if (this.text[this.#at] !== '"') this.#fail('expected a key');
      const key = this.#string();
      this.#skip();
      if (this.text[this.#at] !== ':') this.#fail('expected :');
      this.#at += 1;
      const value = this.#value(depth + 1);
      Object.defineProperty(out, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.#skip();
      const c = this.text[this.#at];
      this.#at += 1;
      if (c === '}') return out;
      if (c !== ',') this.#fail('expected , or }');
    }
  }
}

/** Parses JSON text; throws SyntaxError as `JSON.parse` does. */
export function parseLossless(text: string): LosslessValue {
  return new Parser(text).parseDocument();
}

/** Parses JSON text that must be an object; null otherwise. */
export function parseLosslessObject(text: string): LosslessObject | null {
  try {
    const value = parseLossless(text);
    return isLosslessObject(value) ? value : null;
  } catch {
    return null;
  }
}

export function isLosslessObject(value: LosslessValue | undefined): value is LosslessObject {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    !(value instanceof LosslessNumber)
  );
}

/** Compact JSON text; a `LosslessNumber` is written as its digits, unquoted. */
export function stringifyLossless(value: LosslessValue): string {
  if (value === null) return 'null';
  if (value instanceof LosslessNumber) return value.text;
  if (Array.isArray(value)) return `[${value.map(stringifyLossless).join(',')}]`;
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('not a finite number');
      return JSON.stringify(value);
    case 'string':
      return JSON.stringify(value);
    default:
      return `{${Object.entries(value)
        .map(([k, v]) => `${JSON.stringify(k)}:${stringifyLossless(v)}`)
        .join(',')}}`;
  }
}

/** The decimal digits of a non-negative integer id given as a number, a lossless number or digits. */
export function idDigits(value: LosslessValue | undefined): string | null {
  // A parsed number is one JS writes back as the text received, so its digits are exact.
  if (typeof value === 'number') {
    const text = String(value);
    return Number.isInteger(value) && /^\d+$/.test(text) ? text : null;
  }
  if (value instanceof LosslessNumber) return /^\d+$/.test(value.text) ? value.text : null;
  if (typeof value === 'string') return /^\d+$/.test(value) ? value : null;
  return null;
}

/** An id's digits as a bare JSON number (a `LosslessNumber`, or a number when it is safe). */
export function idNumber(digits: string): LosslessValue {
  if (!/^(0|[1-9]\d*)$/.test(digits)) throw new TypeError('an id is decimal digits');
  const value = Number(digits);
  return String(value) === digits ? value : new LosslessNumber(digits);
}
