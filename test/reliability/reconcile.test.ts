import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  TYPE,
  api,
  newBarcode,
  newCompany,
  now,
  payRequest,
  sandboxPost,
  startStoreScenario,
  tradeNo,
  type SandboxHandle,
  type SandboxMerchant,
  type TestCompany,
  type TestGateway,
} from '../gateway/helpers.js';

interface View {
  request_id: string;
  state: string;
  operation: string;
  reconciliation: {
    attempt: number;
    outcome: string;
    TradeStatus: string | null;
    result: string;
  }[];
}

/**
 * Unknown outcomes provoked for real with the sandbox's faults, settled by the
 * reconciler to the truth the sandbox holds.
 */
describe('reconciliation of unknown outcomes', () => {
  let sandbox: SandboxHandle;
  let t: TestGateway;
  let company: TestCompany;
  let merchant: SandboxMerchant;

  beforeAll(async () => {
    ({ sandbox, t, company, merchant } = await startStoreScenario({
      OMNIGATE_UPSTREAM_TIMEOUT_MS: '300',
      OMNIGATE_RECONCILE_SCHEDULE: '100ms,200ms',
      OMNIGATE_RECONCILE_INTERVAL_MS: '50',
      OMNIGATE_RECONCILE_SAFE_WAIT: '1500ms',
    }));
  });

  afterAll(async () => {
    await t.close();
    await sandbox.close();
  });

  beforeEach(async () => {
    await fetch(`${sandbox.url}/sandbox/faults`, { method: 'DELETE' });
  });

  const post = (operation: 'pay' | 'cancel' | 'refund', request: object) =>
    api(t.url, 'POST', `/v1/payment/integrate/${operation}`, {
      token: company.token,
      body: { type: TYPE, store_id: 'S1', request },
    });

  async function paidTrade(): Promise<string> {
    const no = tradeNo('REC');
    expect((await post('pay', payRequest(await newBarcode(sandbox), no))).body.RtnCode).toBe(1);
    return no;
  }

  const inject = (fault: string, operation: string, extra: object = {}) =>
    sandboxPost(sandbox, '/sandbox/faults', {
      MerchantID: merchant.MerchantID,
      fault,
      operation,
      delayMs: 1000,
      ...extra,
    });

  /** Polls the transactions endpoint until the call is no longer unknown (bounded). */
  async function settled(requestId: string): Promise<View> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const res = await api(t.url, 'GET', `/v1/payment/transactions/${requestId}`, {
        token: company.token,
      });
      expect(res.status).toBe(200);
      const v = res.body as unknown as View;
      if (v.state !== 'unknown' && v.state !== 'pending') return v;
      if (Date.now() > deadline) throw new Error(`still ${v.state}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  for (const fault of ['delay', 'drop', 'http500', 'bad_signature', 'non_json']) {
    it(`cancel with ${fault}, applied by icash: settled succeeded from TradeStatus 4`, async () => {
      const no = await paidTrade();
      await inject(fault, 'DeductCancelICPOF');
      const res = await post('cancel', { MerchantTradeNo: no, MerchantTradeDate: now() });
      expect([502, 504]).toContain(res.status);
      const view = await settled(res.body.request_id as string);
      expect(view.state).toBe('succeeded');
      expect(view.reconciliation.at(-1)).toMatchObject({
        outcome: 'answered',
        TradeStatus: '4',
        result: 'succeeded',
      });
    });
  }

  it('cancel with a drop that icash did not apply: settled failed (the trade is still paid)', async () => {
    const no = await paidTrade();
    await inject('drop', 'DeductCancelICPOF', { process: false });
    const res = await post('cancel', { MerchantTradeNo: no, MerchantTradeDate: now() });
    expect(res.status).toBe(504);
    const view = await settled(res.body.request_id as string);
    expect(view.state).toBe('failed');
    expect(view.reconciliation.at(-1)).toMatchObject({ TradeStatus: '1', result: 'failed' });
  });

  it('pay with a time-out that icash applied: settled succeeded from TradeStatus 1', async () => {
    const no = tradeNo('RECPAY');
    await inject('delay', 'DeductICPOF');
    const res = await post('pay', payRequest(await newBarcode(sandbox), no));
    expect(res.status).toBe(504);
    const view = await settled(res.body.request_id as string);
    expect(view).toMatchObject({ state: 'succeeded', operation: 'pay' });
    expect(view.reconciliation.at(-1)).toMatchObject({ TradeStatus: '1' });
  });

  it('keeps checking while icash cannot answer, recording each attempt', async () => {
    const no = await paidTrade();
    // The cancel times out, then the first queries fail too (HTTP 500), then icash answers.
    await inject('drop', 'DeductCancelICPOF');
    await inject('http500', 'QueryTradeICPO', { count: 2 });
    const res = await post('cancel', { MerchantTradeNo: no, MerchantTradeDate: now() });
    const view = await settled(res.body.request_id as string);
    expect(view.state).toBe('succeeded');
    expect(view.reconciliation.length).toBeGreaterThanOrEqual(3);
    expect(view.reconciliation.slice(0, 2).map((a) => a.result)).toEqual(['unknown', 'unknown']);
  });

  it('lists every call of a MerchantTradeNo, and only the caller company sees them', async () => {
    const no = await paidTrade();
    const mine = await api(t.url, 'GET', `/v1/payment/transactions?MerchantTradeNo=${no}`, {
      token: company.token,
    });
    expect(mine.status).toBe(200);
    const list = mine.body.transactions as View[];
    expect(list.map((v) => v.operation)).toEqual(['pay']);
    const other = await newCompany(t, 'other');
    const theirs = await api(t.url, 'GET', `/v1/payment/transactions?MerchantTradeNo=${no}`, {
      token: other.token,
    });
    expect(theirs.body.transactions).toEqual([]);
    const byId = await api(t.url, 'GET', `/v1/payment/transactions/${list[0]!.request_id}`, {
      token: other.token,
    });
    const missing = await api(
      t.url,
      'GET',
      `/v1/payment/transactions/00000000-0000-0000-0000-000000000000`,
      { token: other.token },
    );
    expect(byId.status).toBe(404);
    expect(byId.body.code).toBe(missing.body.code);
    expect(byId.body.message).toBe(
      (missing.body.message as string).replace(
        '00000000-0000-0000-0000-000000000000',
        list[0]!.request_id,
      ),
    );
  });

  // Refunds: asked about by the refund's own MerchantTradeNo (a refund record,
  // TradeType 1); "not found" trusted only after the safe wait (1.5 s here).
  const refundOf = (original: string, amount: number, no = tradeNo('RF')) =>
    post('refund', {
      OMerchantTradeNo: original,
      MerchantTradeNo: no,
      MerchantTradeDate: now(),
      RefundTotalAmount: amount,
      RefundItemAmt: amount,
      RefundUtilityAmt: 0,
      RefundCommAmt: 0,
    });

  it('a late answer that still committed: settled succeeded from the refund record, with its TransactionID', async () => {
    const original = await paidTrade();
    await inject('delay', 'RefundICPO');
    const res = await refundOf(original, 40);
    expect(res.status).toBe(504);
    expect(res.body.code).toBe('upstream_timeout');
    const view = await settled(res.body.request_id as string);
    expect(view.state).toBe('succeeded');
    expect(view.reconciliation.at(-1)).toMatchObject({ outcome: 'answered', result: 'succeeded' });
    const row = await t.gateway.services.store.ledger.get(
      company.companyId,
      res.body.request_id as string,
    );
    expect(row?.upstreamId).toMatch(/^\d{20}$/);
    expect(row).toMatchObject({ amount: 40, originalTradeNo: original });
  });

  for (const fault of ['drop', 'http500']) {
    it(`a refund icash never applied (${fault}): unknown until the safe wait, then failed`, async () => {
      const original = await paidTrade();
      await inject(fault, 'RefundICPO', { process: false });
      const res = await refundOf(original, 40);
      expect([502, 504]).toContain(res.status);
      const view = await settled(res.body.request_id as string);
      expect(view.state).toBe('failed');
      const attempts = view.reconciliation;
      // 2025 before the safe wait was not trusted; the last check, after it, was.
      expect(attempts.length).toBeGreaterThanOrEqual(2);
      expect(attempts[0]).toMatchObject({ outcome: 'answered', result: 'unknown' });
      expect(attempts.at(-1)).toMatchObject({ outcome: 'answered', result: 'failed' });
      // Nothing was refunded: the whole amount can still be refunded.
      expect((await refundOf(original, 100)).body.RtnCode).toBe(1);
    });
  }
});
