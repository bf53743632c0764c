import { describe, expect, it } from 'vitest';
import {
  interpretLineAnswer,
  type LineOutcome,
} from '../../../src/providers/line-pay/operations.js';
import {
  judgePayFromCheck,
  judgeRefundFromDetails,
  MIN_SAFE_WAIT_MS,
  type PendingRefund,
} from '../../../src/providers/line-pay/outcome.js';

const answer = (text: string): LineOutcome => interpretLineAnswer(200, Buffer.from(text), 1);
const check = (status: string): LineOutcome =>
  answer(
    `{"returnCode":"0000","returnMessage":"success","info":{"status":"${status}","transactionId":9223372036854775809,"orderId":"O-1"}}`,
  );
const young = { ageMs: 60_000, safeWaitMs: MIN_SAFE_WAIT_MS };
const old = { ageMs: MIN_SAFE_WAIT_MS, safeWaitMs: MIN_SAFE_WAIT_MS };

describe('interpretLineAnswer', () => {
  it('a 200 JSON object with a returnCode is answered, ids exact', () => {
    const outcome = check('COMPLETE');
    expect(outcome).toMatchObject({
      kind: 'answered',
      returnCode: '0000',
      returnMessage: 'success',
    });
    if (outcome.kind === 'answered') expect(outcome.raw).toContain('9223372036854775809');
  });
  it('the v4 overview shape (resultCode number, statusMessage) is read too', () => {
    expect(answer('{"resultCode":1104,"statusMessage":"Merchant not found."}')).toMatchObject({
      kind: 'answered',
      returnCode: '1104',
      returnMessage: 'Merchant not found.',
    });
  });
  it.each([
    [502, '<html><body>Bad Gateway</body></html>', 'unknown'],
    [500, '{"returnCode":"0000"}', 'unknown'],
    [404, '{"returnCode":"0000"}', 'untrusted'],
    [200, '<html>ok</html>', 'untrusted'],
    [200, '[]', 'untrusted'],
    [200, '{"returnMessage":"x"}', 'untrusted'],
    [200, '{"returnCode":"12345"}', 'untrusted'],
  ])('HTTP %i %s → %s', (status, body, kind) => {
    expect(interpretLineAnswer(status, Buffer.from(body), 1).kind).toBe(kind);
  });
});

describe('judgePayFromCheck', () => {
  it.each([
    ['COMPLETE', 'succeeded'],
    ['REFUND', 'succeeded'],
    ['FAIL', 'failed'],
    ['CANCEL', 'failed'],
    ['AUTH_READY', 'unknown'],
    ['SOMETHING_NEW', 'unknown'],
  ])('status %s → %s', (status, result) => {
    expect(judgePayFromCheck(old, check(status))).toMatchObject({
      result,
      outcome: 'answered',
      returnCode: '0000',
      status,
      transactionId: '9223372036854775809',
    });
  });

  it('1150 is failed only once the safe wait (at least 5 minutes) is over', () => {
    const notFound = answer(
      '{"returnCode":"1150","returnMessage":"Transaction record not found."}',
    );
    expect(judgePayFromCheck(young, notFound).result).toBe('unknown');
    expect(judgePayFromCheck(old, notFound).result).toBe('failed');
    // A configured wait shorter than a barcode's life is not enough.
    expect(judgePayFromCheck({ ageMs: 60_000, safeWaitMs: 1_000 }, notFound).result).toBe(
      'unknown',
    );
    expect(judgePayFromCheck({ ageMs: 9 * 60_000, safeWaitMs: 10 * 60_000 }, notFound).result).toBe(
      'unknown',
    );
  });

  it.each([
    ['another code', '{"returnCode":"9000","returnMessage":"Internal error."}'],
    ['no info', '{"returnCode":"0000","returnMessage":"success"}'],
    ['info without status', '{"returnCode":"0000","info":{"orderId":"O-1"}}'],
    ['info an array', '{"returnCode":"0000","info":[]}'],
  ])('%s → unknown', (_name, text) => {
    expect(judgePayFromCheck(old, answer(text)).result).toBe('unknown');
  });

  it.each<LineOutcome>([
    { kind: 'unknown', reason: 'TimeoutError', latencyMs: 1 },
    { kind: 'not_sent', reason: 'ECONNREFUSED', latencyMs: 1 },
    { kind: 'untrusted', reason: 'HTML', latencyMs: 1 },
  ])('an untrustworthy query ($kind) → unknown, even after the wait', (query) => {
    expect(judgePayFromCheck(old, query)).toMatchObject({ result: 'unknown', outcome: query.kind });
  });
});

describe('judgeRefundFromDetails', () => {
  const details = (refundList: string | null, orderId = 'O-1'): LineOutcome =>
    answer(
      `{"returnCode":"0000","returnMessage":"success","info":[{"transactionId":2026120100000000001,"transactionDate":"2026-12-01T01:00:00Z","transactionType":"PAYMENT","productName":"p","currency":"TWD","orderId":"${orderId}","payInfo":[{"method":"BALANCE","amount":100}]${
        refundList === null ? '' : `,"refundList":${refundList}`
      }}]}`,
    );
  const r = (id: string, amount: number, type = 'PARTIAL_REFUND'): string =>
    `{"refundTransactionId":${id},"transactionType":"${type}","refundAmount":${-amount},"refundTransactionDate":"2026-12-01T01:01:00Z"}`;
  const pending = (more: Partial<PendingRefund> = {}): PendingRefund => ({
    ...old,
    orderId: 'O-1',
    amount: 30,
    claimedRefundIds: [],
    ...more,
  });

  it('its own refundTransactionId listed → succeeded; not listed → failed after the wait', () => {
    const list = details(`[${r('9999999999999999998', 30)}]`);
    expect(
      judgeRefundFromDetails(pending({ refundTransactionId: '9999999999999999998' }), list),
    ).toMatchObject({
      result: 'succeeded',
      transactionId: '9999999999999999998',
      status: 'PARTIAL_REFUND',
    });
    expect(
      judgeRefundFromDetails(pending({ refundTransactionId: '9999999999999999997' }), list).result,
    ).toBe('failed');
    expect(
      judgeRefundFromDetails(
        pending({ ...young, refundTransactionId: '9999999999999999997' }),
        list,
      ).result,
    ).toBe('unknown');
  });

  it('id never learned: the oldest unclaimed refund of exactly the amount', () => {
    const list = details(
      `[${r('1000000000000000001', 30)},${r('1000000000000000002', 20)},${r('1000000000000000003', 30)}]`,
    );
    expect(judgeRefundFromDetails(pending(), list)).toMatchObject({
      result: 'succeeded',
      transactionId: '1000000000000000001',
    });
    expect(
      judgeRefundFromDetails(pending({ claimedRefundIds: ['1000000000000000001'] }), list),
    ).toMatchObject({ result: 'succeeded', transactionId: '1000000000000000003' });
    expect(
      judgeRefundFromDetails(
        pending({ claimedRefundIds: ['1000000000000000001', '1000000000000000003'] }),
        list,
      ).result,
    ).toBe('failed');
    expect(judgeRefundFromDetails(pending({ amount: 25 }), list).result).toBe('failed');
  });

  it('a cancel (full refund) matches the PAYMENT_REFUND of what remained', () => {
    const list = details(
      `[${r('1000000000000000001', 30)},${r('1000000000000000004', 70, 'PAYMENT_REFUND')}]`,
    );
    expect(
      judgeRefundFromDetails(
        pending({ amount: 70, claimedRefundIds: ['1000000000000000001'] }),
        list,
      ),
    ).toMatchObject({ result: 'succeeded', status: 'PAYMENT_REFUND' });
  });

  it('no refundList: failed after the wait, unknown before', () => {
    expect(judgeRefundFromDetails(pending(), details(null)).result).toBe('failed');
    expect(judgeRefundFromDetails(pending(young), details(null)).result).toBe('unknown');
  });

  it('1150: like an absent refund', () => {
    const notFound = answer(
      '{"returnCode":"1150","returnMessage":"Transaction record not found."}',
    );
    expect(judgeRefundFromDetails(pending(), notFound).result).toBe('failed');
    expect(judgeRefundFromDetails(pending(young), notFound).result).toBe('unknown');
  });

  it.each([
    ['another order only', details(`[${r('1000000000000000001', 30)}]`, 'O-2')],
    ['another code', answer('{"returnCode":"9000","returnMessage":"Internal error."}')],
    ['info not an array', answer('{"returnCode":"0000","info":{"orderId":"O-1"}}')],
    ['a malformed refundList', details('[{"refundTransactionId":"x","refundAmount":-30}]')],
    ['refundList not an array', details('{}')],
    ['timed out', { kind: 'unknown', reason: 'TimeoutError', latencyMs: 1 } as LineOutcome],
    ['untrusted', { kind: 'untrusted', reason: 'HTTP 404', latencyMs: 1 } as LineOutcome],
  ])('%s → unknown', (_name, query) => {
    expect(judgeRefundFromDetails(pending(), query).result).toBe('unknown');
  });
});
