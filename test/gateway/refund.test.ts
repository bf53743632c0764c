import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IcashOperation } from '../../src/providers/icash-pay/wire.js';
import { MerchantSession, TestClient, keySetOf } from '../sandbox/helpers.js';
import {
  TYPE,
  api,
  newBarcode,
  newCompany,
  newMerchant,
  now,
  payRequest,
  registerKeys,
  registerStore,
  searchPath,
  startSandbox,
  startTestGateway,
  tradeNo,
  type SandboxHandle,
  type SandboxMerchant,
  type TestCompany,
  type TestGateway,
} from './helpers.js';

/**
 * POST /v1/payment/integrate/refund for I_CASH_QRCODE_PAY over real sockets
 * against the stateful sandbox: partial and repeated refunds, icash's refusals
 * passed through, the original's TransactionID from the request, the ledger or
 * icash itself, and the ledger's amounts.
 */
describe('integrate refund', () => {
  let sandbox: SandboxHandle;
  let t: TestGateway;
  let company: TestCompany;
  let merchant: SandboxMerchant;
  let client: TestClient;

  beforeAll(async () => {
    sandbox = await startSandbox();
    t = await startTestGateway({ OMNIGATE_ICASH_TEST_URL: sandbox.baseUrls.icash });
    company = await newCompany(t);
    merchant = await newMerchant(sandbox);
    await registerKeys(t, company.companyId, merchant);
    await registerStore(t, company.companyId, 'S1', merchant);
    client = new TestClient(sandbox);
  });

  afterAll(async () => {
    await client?.close();
    await t?.close();
    await sandbox?.close();
  });

  const post = (operation: string, request: object, extra: object = {}) =>
    api(t.url, 'POST', `/v1/payment/integrate/${operation}`, {
      token: company.token,
      body: { type: TYPE, store_id: 'S1', is_test: true, request, ...extra },
    });

  async function paid(amount = 100): Promise<{ no: string; transactionId: string }> {
    const no = tradeNo('P');
    const res = await post('pay', payRequest(await newBarcode(sandbox, 10_000), no, amount));
    expect(res.body.RtnCode).toBe(1);
    return {
      no,
      transactionId: String((res.body.EncData as Record<string, unknown>).TransactionID),
    };
  }

  const refundRequest = (original: string, amount: number, extra: object = {}) => ({
    OMerchantTradeNo: original,
    MerchantTradeNo: tradeNo('R'),
    MerchantTradeDate: now(),
    RefundTotalAmount: amount,
    RefundItemAmt: amount,
    RefundUtilityAmt: 0,
    RefundCommAmt: 0,
    ...extra,
  });
  const refund = (original: string, amount: number, extra: object = {}) =>
    post('refund', refundRequest(original, amount, extra));

  const tradeStatus = async (no: string): Promise<unknown> => {
    const res = await api(
      t.url,
      'GET',
      searchPath({
        type: TYPE,
        store_id: 'S1',
        is_test: 'TRUE',
        request: JSON.stringify({ MerchantTradeNo: no }),
      }),
      { token: company.token },
    );
    return (res.body.EncData as Record<string, unknown>).TradeStatus;
  };

  /** icash's calls for one order number, by operation path. */
  const icashCalls = (no: string) =>
    sandbox.wallets.icash.log
      .list()
      .filter((c) => c.payload?.MerchantTradeNo === no || c.payload?.OMerchantTradeNo === no)
      .map((c) => c.path.split('/').pop());

  it('refunds part of a payment, then another part, then the rest; icash answers in whole NT$', async () => {
    const { no, transactionId } = await paid(1280);

    const first = await refund(no, 300);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ RtnCode: 1, RtnMsg: '成功' });
    const enc = first.body.EncData as Record<string, unknown>;
    expect(enc).toMatchObject({
      RefundTotalAmount: 300,
      RefundICPAmount: 300,
      RefundBonusAmt: 0,
      OMerchantTradeNo: no,
      OTotalAmount: 1280,
    });
    expect(enc.TransactionID).toMatch(/^\d{20}$/);
    expect(enc.TransactionID).not.toBe(transactionId);
    expect(await tradeStatus(no)).toBe('3');

    const second = await refund(no, 480);
    expect(second.body.RtnCode).toBe(1);
    expect(await tradeStatus(no)).toBe('3');

    const over = await refund(no, 501);
    expect(over.status).toBe(200);
    expect(over.body).toMatchObject({ RtnCode: 2033, RtnMsg: '超過可退款金額' });

    const rest = await refund(no, 500);
    expect(rest.body.RtnCode).toBe(1);
    expect(await tradeStatus(no)).toBe('2');

    const again = await refund(no, 1);
    expect(again.body).toMatchObject({ RtnCode: 2032 });

    // The TransactionID came from the ledger: the refunds were sent without a query first.
    const refunds = sandbox.wallets.icash.log
      .list()
      .filter((c) => c.payload?.OMerchantTradeNo === no);
    expect(refunds).toHaveLength(5);
    for (const call of refunds) expect(call.payload?.TransactionID).toBe(transactionId);
    // The only queries are the three searches above.
    expect(icashCalls(no).filter((op) => op === 'QueryTradeICPO')).toHaveLength(3);
  });

  it('records amounts, currency, the original and the upstream ids in the ledger and shows them', async () => {
    const { no, transactionId } = await paid(250);
    const refundNo = tradeNo('R');
    const res = await refund(no, 70, { MerchantTradeNo: refundNo });
    const refundId = (res.body.EncData as Record<string, unknown>).TransactionID;
    const rows = await t.gateway.services.store.ledger.findByTradeNo(company.companyId, no);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      operation: 'pay',
      state: 'succeeded',
      amount: 250,
      currency: 'TWD',
      originalTradeNo: null,
      upstreamId: transactionId,
    });
    const shown = await api(t.url, 'GET', `/v1/payment/transactions?MerchantTradeNo=${refundNo}`, {
      token: company.token,
    });
    const [row] = shown.body.transactions as Record<string, unknown>[];
    expect(row).toMatchObject({
      operation: 'refund',
      state: 'succeeded',
      MerchantTradeNo: refundNo,
      OMerchantTradeNo: no,
      amount: 70,
      currency: 'TWD',
      TransactionID: refundId,
    });
    const payView = await api(t.url, 'GET', `/v1/payment/transactions?MerchantTradeNo=${no}`, {
      token: company.token,
    });
    expect((payView.body.transactions as Record<string, unknown>[])[0]).toMatchObject({
      operation: 'pay',
      amount: 250,
      refunded_amount: 70,
      refundable_amount: 180,
    });
  });

  it('refund after cancel is refused (2046), cancel after a partial refund too (2196), after a full one 2180', async () => {
    const cancelled = await paid(100);
    expect(
      (await post('cancel', { MerchantTradeNo: cancelled.no, MerchantTradeDate: now() })).body
        .RtnCode,
    ).toBe(1);
    expect((await refund(cancelled.no, 10)).body).toMatchObject({ RtnCode: 2046 });

    const partly = await paid(100);
    expect((await refund(partly.no, 10)).body.RtnCode).toBe(1);
    const cancel = await post('cancel', { MerchantTradeNo: partly.no, MerchantTradeDate: now() });
    expect(cancel.status).toBe(200);
    expect(cancel.body).toMatchObject({ RtnCode: 2196 });

    const fully = await paid(100);
    expect((await refund(fully.no, 100)).body.RtnCode).toBe(1);
    const late = await post('cancel', { MerchantTradeNo: fully.no, MerchantTradeDate: now() });
    expect(late.body).toMatchObject({ RtnCode: 2180 });
  });

  it('refunds a payment made outside the gateway: asks icash for its TransactionID first', async () => {
    const session = new MerchantSession(sandbox, client, {
      creds: merchant,
      keys: keySetOf(merchant),
    });
    const outside = await session.paidTrade(400, 1000);
    const res = await refund(outside.no, 150);
    expect(res.body).toMatchObject({ RtnCode: 1, EncData: { RefundTotalAmount: 150 } });
    expect(icashCalls(outside.no)).toEqual(['DeductICPOF', 'QueryTradeICPO', 'RefundICPO']);
    const sent = sandbox.wallets.icash.log
      .list()
      .find((c) => c.payload?.OMerchantTradeNo === outside.no);
    expect(sent?.payload?.TransactionID).toBe(outside.transactionId);
  });

  it('an original icash does not know: icash answers 2025 to the query and no refund is sent', async () => {
    const missing = tradeNo('M');
    const res = await refund(missing, 10);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ RtnCode: 2025 });
    expect(icashCalls(missing)).toEqual(['QueryTradeICPO']);
  });

  it('a TransactionID in the request is sent as given (a wrong one: icash answers 2025)', async () => {
    const { no, transactionId } = await paid(100);
    expect((await refund(no, 10, { TransactionID: transactionId })).body.RtnCode).toBe(1);
    const wrong = await refund(no, 10, { TransactionID: '12345678901234567890' });
    expect(wrong.body).toMatchObject({ RtnCode: 2025 });
    expect(icashCalls(no)).toEqual(['DeductICPOF', 'RefundICPO', 'RefundICPO']);
  });

  it('vendor scenario: PlatformID and MerchantID in the request, StoreName passed on', async () => {
    const { no } = await paid(100);
    const res = await post(
      'refund',
      refundRequest(no, 40, {
        PlatformID: merchant.PlatformID,
        MerchantID: merchant.MerchantID,
        StoreName: '測試門市',
      }),
      { store_id: '0' },
    );
    expect(res.body.RtnCode).toBe(1);
    const sent = sandbox.wallets.icash.log
      .list()
      .filter((c) => c.path.endsWith(IcashOperation.Refund.split('/').pop()!));
    expect(sent.at(-1)?.payload).toMatchObject({
      StoreName: '測試門市',
      RefundTotalAmount: '4000',
    });
  });

  it('sends icash exactly the RefundICPO fields, amounts ×100', async () => {
    const { no, transactionId } = await paid(100);
    const refundNo = tradeNo('R');
    const date = now();
    await post('refund', {
      OMerchantTradeNo: no,
      MerchantTradeNo: refundNo,
      MerchantTradeDate: date,
      RefundTotalAmount: 60,
      RefundItemAmt: 30,
      RefundUtilityAmt: 20,
      RefundCommAmt: 10,
    });
    const sent = sandbox.wallets.icash.log
      .list()
      .find((c) => c.payload?.MerchantTradeNo === refundNo);
    expect(sent?.payload).toEqual({
      PlatformID: merchant.PlatformID,
      MerchantID: merchant.MerchantID,
      OMerchantTradeNo: no,
      TransactionID: transactionId,
      MerchantTradeNo: refundNo,
      RefundTotalAmount: '6000',
      RefundItemAmt: '3000',
      RefundUtilityAmt: '2000',
      RefundCommAmt: '1000',
      MerchantTradeDate: date,
    });
  });
});
