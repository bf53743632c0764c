import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  idDigits,
  idNumber,
  LosslessNumber,
  parseLossless,
  parseLosslessObject,
  stringifyLossless,
} from '../../src/core/lossless-json.js';

describe('lossless JSON', () => {
  it('keeps 19-digit ids above 2^63 exact, and writes them back as bare digits', () => {
    const text =
      '{"returnCode":"0000","info":{"transactionId":9999999999999999999,"refundList":[{"refundTransactionId":9223372036854775808,"refundAmount":-1}]}}';
    const value = parseLosslessObject(text);
    expect(value).not.toBeNull();
    const info = value!.info as Record<string, unknown>;
    expect(info.transactionId).toEqual(new LosslessNumber('9999999999999999999'));
    expect(stringifyLossless(value!)).toBe(text);
    // What JSON.parse would have made of it:
    expect(String(JSON.parse('9999999999999999999'))).not.toBe('9999999999999999999');
  });

  it('reads what JSON.parse reads for ordinary values', () => {
    const text =
      ' { "a" : [1, -2.5, 1e3, true, false, null, "x\\u00e9\\n\\"y"], "b": {} , "c":[] } ';
    const value = parseLossless(text);
    expect(stringifyLossless(value)).toBe(
      '{"a":[1,-2.5,1e3,true,false,null,"xé\\n\\"y"],"b":{},"c":[]}',
    );
    expect(JSON.parse(stringifyLossless(value))).toEqual(JSON.parse(text));
  });

  it.each(['', '{', '{"a":1,}', '[1,]', '01', '{"a" 1}', '"\u0001"', 'nul', '{} x', '1.', '-'])(
    'refuses %j',
    (text) => {
      expect(() => parseLossless(text)).toThrow(SyntaxError);
      expect(parseLosslessObject(text)).toBeNull();
    },
  );

  it('a __proto__ key is data, not a prototype', () => {
    const value = parseLosslessObject('{"__proto__":{"x":1}}');
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(stringifyLossless(value!)).toBe('{"__proto__":{"x":1}}');
  });

  it('round-trips any JSON JSON.stringify makes, and any big integer', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v);
        expect(JSON.parse(stringifyLossless(parseLossless(text)))).toEqual(JSON.parse(text));
      }),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 19n - 1n }), (n) => {
        const text = `{"transactionId":${n}}`;
        expect(stringifyLossless(parseLossless(text))).toBe(text);
      }),
    );
  });

  it('idDigits / idNumber', () => {
    expect(idDigits(new LosslessNumber('2026120112345678901'))).toBe('2026120112345678901');
    expect(idDigits(42)).toBe('42');
    expect(idDigits('0123')).toBe('0123');
    expect(idDigits(new LosslessNumber('1.5'))).toBeNull();
    expect(idDigits(-1)).toBeNull();
    expect(idDigits(undefined)).toBeNull();
    expect(stringifyLossless(idNumber('9999999999999999999'))).toBe('9999999999999999999');
    expect(idNumber('12')).toBe(12);
    expect(() => idNumber('012')).toThrow(TypeError);
  });
});
