import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AmountError,
  amountsFromIcash,
  fromIcashAmount,
  toIcashAmount,
} from '../../../src/providers/icash-pay/amounts.js';

/** The largest whole NT$ whose ×100 is still a safe integer. */
const MAX_NTD = Math.floor(Number.MAX_SAFE_INTEGER / 100);

describe('toIcashAmount', () => {
  it.each([
    [0, '0'],
    [1, '100'],
    [10, '1000'],
    [199, '19900'],
    [1_000_000, '100000000'],
    [MAX_NTD, `${MAX_NTD}00`],
  ])('%d NT$ is %s', (ntd, wire) => {
    expect(toIcashAmount(ntd)).toBe(wire);
  });

  it('turns -0 into "0", not "-0"', () => {
    expect(toIcashAmount(-0)).toBe('0');
  });

  it.each([
    ['negative', -1],
    ['negative fraction', -0.5],
    ['fractional', 1.5],
    ['a cent', 0.01],
    ['binary-inexact', 0.1 + 0.2],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['one above the ×100 safe limit', MAX_NTD + 1],
    ['MAX_SAFE_INTEGER', Number.MAX_SAFE_INTEGER],
    ['unsafe', 2 ** 53],
    ['1e21', 1e21],
  ])('rejects %s', (_what, ntd) => {
    expect(() => toIcashAmount(ntd)).toThrow(AmountError);
  });

  it('never prints exponent notation', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_NTD }), (ntd) => {
        expect(toIcashAmount(ntd)).toMatch(/^(0|[1-9]\d*)$/);
      }),
    );
  });
});

describe('fromIcashAmount', () => {
  it.each([
    ['0', 0],
    ['100', 1],
    ['1000', 10],
    ['19900', 199],
    ['0001000', 10],
    ['150', 1.5],
    ['1', 0.01],
    [`${MAX_NTD}00`, MAX_NTD],
  ])('%s is %d NT$', (wire, ntd) => {
    expect(fromIcashAmount(wire)).toBe(ntd);
  });

  it.each([
    ['empty', ''],
    ['negative', '-100'],
    ['plus sign', '+100'],
    ['decimal point', '10.00'],
    ['comma', '1,000'],
    ['exponent', '1e3'],
    ['hex', '0x10'],
    ['leading space', ' 100'],
    ['trailing newline', '100\n'],
    ['full-width digits', '１００'],
    ['Infinity', 'Infinity'],
    ['NaN', 'NaN'],
    ['18 digits', '1'.repeat(18)],
    ['17 digits above MAX_SAFE_INTEGER', '99999999999999999'],
    ['MAX_SAFE_INTEGER + 1', String(2 ** 53)],
  ])('rejects %s', (_what, wire) => {
    expect(() => fromIcashAmount(wire)).toThrow(AmountError);
  });

  it('accepts MAX_SAFE_INTEGER itself', () => {
    expect(fromIcashAmount(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER / 100);
  });
});

describe('round trip', () => {
  it('fromIcashAmount(toIcashAmount(n)) === n for every whole NT$ in range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_NTD }), (ntd) => {
        expect(fromIcashAmount(toIcashAmount(ntd))).toBe(ntd);
      }),
      { numRuns: 2000 },
    );
  });

  it('toIcashAmount(fromIcashAmount(s)) === s for canonical whole-NT$ wire strings', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_NTD }), (ntd) => {
        const wire = ntd === 0 ? '0' : `${ntd}00`;
        expect(toIcashAmount(fromIcashAmount(wire))).toBe(wire);
      }),
    );
  });

  it('any non-integer number is rejected', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: false }).filter((x) => !Number.isInteger(x)),
        (x) => {
          expect(() => toIcashAmount(x)).toThrow(AmountError);
        },
      ),
    );
  });

  it('any negative integer is rejected', () => {
    fc.assert(
      fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: -1 }), (x) => {
        expect(() => toIcashAmount(x)).toThrow(AmountError);
      }),
    );
  });
});

describe('amountsFromIcash', () => {
  it('converts only the named, non-empty string fields', () => {
    const data = {
      TotalAmount: '1000',
      ICPAmount: '900',
      BonusAmt: '',
      MerchantTradeNo: '202305160934510006',
      OTotalAmount: 5,
    };
    expect(
      amountsFromIcash(data, ['TotalAmount', 'ICPAmount', 'BonusAmt', 'OTotalAmount', 'Missing']),
    ).toEqual({
      TotalAmount: 10,
      ICPAmount: 9,
      BonusAmt: '',
      MerchantTradeNo: '202305160934510006',
      OTotalAmount: 5,
    });
    expect(data.TotalAmount).toBe('1000');
  });

  it('throws on a malformed amount', () => {
    expect(() => amountsFromIcash({ TotalAmount: '10.00' }, ['TotalAmount'])).toThrow(AmountError);
  });
});
