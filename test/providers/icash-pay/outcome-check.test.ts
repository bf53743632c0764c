import { describe, expect, it } from 'vitest';
import { judgeOutcome } from '../../../src/providers/icash-pay/outcome-check.js';
import type { IcashOutcome } from '../../../src/providers/icash-pay/transport.js';
import type { Operation, UnknownCall } from '../../../src/providers/types.js';

/** Every branch of icash's judgement of an unknown call, from QueryTradeICPO's answer. */

const SAFE_WAIT = 60_000;
const call = (ageMs: number, extra: Partial<UnknownCall> = {}): UnknownCall => ({
  merchantTradeNo: 'T1',
  originalTradeNo: null,
  amount: 100,
  claimedUpstreamIds: [],
  ageMs,
  safeWaitMs: SAFE_WAIT,
  ...extra,
});
const early = call(SAFE_WAIT - 1);
const late = call(SAFE_WAIT);

const answered = (rtnCode: number, encData: Record<string, unknown> | null): IcashOutcome => ({
  kind: 'answered',
  rtnCode,
  rtnMsg: '',
  encData,
  signed: true,
  latencyMs: 1,
});
const found = (fields: Record<string, unknown>) =>
  answered(1, { MerchantTradeNo: 'T1', TransactionID: '20260101000000000001', ...fields });
const notFound = answered(2025, { MerchantTradeNo: 'T1' });

const judge = (operation: Operation, query: IcashOutcome, c: UnknownCall = late) =>
  judgeOutcome(operation, c, query);

describe('judgeOutcome: untrustworthy queries leave every call unknown', () => {
  const untrusted: IcashOutcome[] = [
    { kind: 'not_sent', reason: 'ECONNREFUSED', latencyMs: 1 },
    { kind: 'unknown', reason: 'TimeoutError', latencyMs: 1 },
    { kind: 'unknown', reason: 'HTTP 500', latencyMs: 1, httpStatus: 500 },
    { kind: 'untrusted', reason: 'answer signature does not verify', latencyMs: 1 },
  ];
  for (const operation of ['pay', 'cancel', 'refund'] as const) {
    it.each(untrusted)(`${operation}: $kind $reason`, (query) => {
      expect(judge(operation, query)).toEqual({
        outcome: query.kind,
        rtnCode: null,
        tradeStatus: null,
        result: 'unknown',
      });
    });
    it(`${operation}: another RtnCode (9999), or a success without TradeStatus`, () => {
      expect(judge(operation, answered(9999, null)).result).toBe('unknown');
      expect(judge(operation, found({})).result).toBe('unknown');
      expect(judge(operation, found({ TradeStatus: 1 })).result).toBe('unknown');
    });
  }
});

describe('judgeOutcome: pay', () => {
  it.each(['1', '2', '3', '4', '5'])(
    'TradeStatus %s: the deduct took the money → succeeded, with its TransactionID',
    (status) => {
      expect(judge('pay', found({ TradeStatus: status, TradeType: '0' }))).toEqual({
        outcome: 'answered',
        rtnCode: 1,
        tradeStatus: status,
        result: 'succeeded',
        upstreamId: '20260101000000000001',
      });
    },
  );
  it.each(['0', '6', '7'])('TradeStatus %s → failed', (status) => {
    expect(judge('pay', found({ TradeStatus: status }))).toMatchObject({
      tradeStatus: status,
      result: 'failed',
      upstreamId: null,
    });
  });
  it('2025 before the safe wait → unknown (the deduct may still arrive); after → failed', () => {
    expect(judge('pay', notFound, early)).toMatchObject({ rtnCode: 2025, result: 'unknown' });
    expect(judge('pay', notFound, late)).toMatchObject({ rtnCode: 2025, result: 'failed' });
  });
});

describe('judgeOutcome: cancel', () => {
  it('TradeStatus 4 → succeeded; any other status → failed', () => {
    expect(judge('cancel', found({ TradeStatus: '4' })).result).toBe('succeeded');
    for (const status of ['0', '1', '2', '3', '5', '6', '7']) {
      expect(judge('cancel', found({ TradeStatus: status })).result).toBe('failed');
    }
  });
  it('2025: there is no trade to cancel → failed at once', () => {
    expect(judge('cancel', notFound, early).result).toBe('failed');
  });
});

describe('judgeOutcome: refund (asked by the refund own MerchantTradeNo)', () => {
  const refundCall = (ageMs: number) => call(ageMs, { originalTradeNo: 'P1' });
  const record = (fields: Record<string, unknown>) =>
    found({ TradeStatus: '1', TradeType: '1', OMerchantTradeNo: 'P1', ...fields });

  it('a refund record of the same original → succeeded, with the refund TransactionID', () => {
    expect(judge('refund', record({}), refundCall(0))).toEqual({
      outcome: 'answered',
      rtnCode: 1,
      tradeStatus: '1',
      result: 'succeeded',
      upstreamId: '20260101000000000001',
    });
  });
  it('a refund record of another original, or a payment under that number → failed', () => {
    expect(judge('refund', record({ OMerchantTradeNo: 'P2' }), refundCall(0)).result).toBe(
      'failed',
    );
    expect(judge('refund', record({ TradeType: '0' }), refundCall(0)).result).toBe('failed');
  });
  it('a record without TradeType → unknown', () => {
    expect(judge('refund', found({ TradeStatus: '1' }), refundCall(0)).result).toBe('unknown');
  });
  it('2025 before the safe wait → unknown; after → failed', () => {
    expect(judge('refund', notFound, refundCall(SAFE_WAIT - 1)).result).toBe('unknown');
    expect(judge('refund', notFound, refundCall(SAFE_WAIT)).result).toBe('failed');
  });
});

describe('judgeOutcome: search is a read and is never reconciled', () => {
  it('any answer leaves it unknown', () => {
    expect(judge('search', found({ TradeStatus: '1' })).result).toBe('unknown');
  });
});
