import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import {
  balanceOf,
  control,
  deductPayload,
  ids,
  issueBarcode,
  MerchantSession,
  onboard,
  TestClient,
  tradeNo,
} from './helpers.js';

let sandbox: SandboxHandle;
let client: TestClient;
let session: MerchantSession;

beforeAll(async () => {
  sandbox = await startSandbox();
  client = new TestClient(sandbox);
  session = new MerchantSession(sandbox, client, await onboard(sandbox));
});

afterAll(async () => {
  await client.close();
  await sandbox.close();
});

describe('RefundICPO', () => {
  it('refunds in parts, then fully; each refund is its own trade', async () => {
    const trade = await session.paidTrade(100, 100);
    const refundNo = tradeNo('R');
    const first = await session.refund(trade.no, 30, {
      MerchantTradeNo: refundNo,
      TransactionID: trade.transactionId,
      RefundItemAmt: '1000',
      RefundUtilityAmt: '1500',
      RefundCommAmt: '500',
    });
    expect(first).toMatchObject({ rtnCode: 1 });
    const data = first.encData ?? {};
    expect(Object.keys(data).sort()).toEqual(
      [
        'PlatformID',
        'MerchantID',
        'MerchantTradeNo',
        'TransactionID',
        'PaymentDate',
        'RefundTotalAmount',
        'RefundICPAmount',
        'RefundBonusAmt',
        'OMerchantTradeNo',
        'OTotalAmount',
        'OICPAmount',
        'OBonusAmt',
        'MMemberID',
        'Timestamp',
      ].sort(),
    );
    expect(data).toMatchObject({
      MerchantTradeNo: refundNo,
      RefundTotalAmount: '3000',
      RefundICPAmount: '3000',
      RefundBonusAmt: '0',
      OMerchantTradeNo: trade.no,
      OTotalAmount: '10000',
      OICPAmount: '10000',
      OBonusAmt: '0',
    });
    expect(data.TransactionID).toMatch(/^\d{20}$/);
    expect(data.TransactionID).not.toBe(trade.transactionId);
    expect(await balanceOf(sandbox, trade.account)).toBe(30);
    expect((await session.query(trade.no)).encData).toMatchObject({ TradeStatus: '3' });

    const refundRecord = await session.query(refundNo);
    expect(refundRecord.encData).toMatchObject({
      MerchantTradeNo: refundNo,
      TransactionID: data.TransactionID,
      TradeType: '1',
      TradeStatus: '1',
      RefundTotalAmount: '3000',
      RefundICPAmount: '3000',
      RefundBonusAmt: '0',
      OMerchantTradeNo: trade.no,
      OTotalAmount: '10000',
      OICPAmount: '10000',
      OBonusAmt: '0',
    });

    expect((await session.refund(trade.no, 70)).rtnCode).toBe(1);
    expect((await session.query(trade.no)).encData).toMatchObject({
      TradeStatus: '2',
      TradeType: '0',
    });
    expect(await balanceOf(sandbox, trade.account)).toBe(100);
    expect(await session.refund(trade.no, 1)).toMatchObject({
      rtnCode: 2032,
      rtnMsg: '訊息代碼：2032，訂單已退款',
    });
  });

  it('2033 over the refundable balance', async () => {
    const trade = await session.paidTrade(100);
    expect((await session.refund(trade.no, 60)).rtnCode).toBe(1);
    expect(await session.refund(trade.no, 41)).toMatchObject({
      rtnCode: 2033,
      rtnMsg: '超過可退款金額',
    });
    expect((await session.refund(trade.no, 40)).rtnCode).toBe(1);
  });

  it('2044 more than three months after the trade', async () => {
    const trade = await session.paidTrade(100);
    const moved = await control(sandbox, 'POST', '/sandbox/trades/backdate', {
      MerchantID: session.merchant.creds.MerchantID,
      MerchantTradeNo: trade.no,
      days: 93,
    });
    expect(moved.status).toBe(200);
    expect(await session.refund(trade.no, 10)).toMatchObject({
      rtnCode: 2044,
      rtnMsg: '訊息代碼：2044，交易時間已超過3個月',
    });
  });

  it('allows a refund two months after the trade', async () => {
    const trade = await session.paidTrade(100);
    await control(sandbox, 'POST', '/sandbox/trades/backdate', {
      MerchantID: session.merchant.creds.MerchantID,
      MerchantTradeNo: trade.no,
      days: 60,
    });
    expect((await session.refund(trade.no, 10)).rtnCode).toBe(1);
  });

  it('2046 for a cancelled or failed trade', async () => {
    const trade = await session.paidTrade(100);
    expect((await session.cancel(trade.no)).rtnCode).toBe(1);
    expect(await session.refund(trade.no, 10)).toMatchObject({
      rtnCode: 2046,
      rtnMsg: '此筆訂單交易未成功無法執行退款',
    });
    const { Barcode } = await issueBarcode(sandbox, { balance: 0 });
    const payload = deductPayload(session.merchant, Barcode, 10);
    expect((await session.deduct(payload)).rtnCode).toBe(7049);
    expect((await session.refund(String(payload.MerchantTradeNo), 10)).rtnCode).toBe(2046);
  });

  it('2181 when the parts do not add up', async () => {
    const trade = await session.paidTrade(100);
    const answer = await session.refund(trade.no, 10, { RefundItemAmt: '900' });
    expect(answer).toMatchObject({ rtnCode: 2181, rtnMsg: '訊息代碼：2181，退款金額加總不正確' });
  });

  it('2025 for an unknown original, a refund record or a wrong TransactionID', async () => {
    expect((await session.refund(tradeNo('NONE'), 10)).rtnCode).toBe(2025);
    const trade = await session.paidTrade(100);
    const refundNo = tradeNo('R');
    expect((await session.refund(trade.no, 10, { MerchantTradeNo: refundNo })).rtnCode).toBe(1);
    expect((await session.refund(refundNo, 10)).rtnCode).toBe(2025);
    expect((await session.refund(trade.no, 10, { TransactionID: '9'.repeat(20) })).rtnCode).toBe(
      2025,
    );
  });

  it('2027 for a refund MerchantTradeNo already used', async () => {
    const trade = await session.paidTrade(100);
    const refundNo = tradeNo('R');
    expect((await session.refund(trade.no, 10, { MerchantTradeNo: refundNo })).rtnCode).toBe(1);
    expect((await session.refund(trade.no, 10, { MerchantTradeNo: refundNo })).rtnCode).toBe(2027);
    expect((await session.refund(trade.no, 10, { MerchantTradeNo: trade.no })).rtnCode).toBe(2027);
  });

  it.each([
    [{ MerchantID: '' }, 2001],
    [{ MerchantID: '0000000' }, 2107],
    [{ MerchantTradeNo: '' }, 2002],
    [{ OMerchantTradeNo: '' }, 2002],
    [{ MerchantTradeNo: 'a b' }, 2003],
    [{ MerchantTradeDate: '' }, 2004],
    [{ MerchantTradeDate: '2024/13/01 00:00:00' }, 2040],
    [{ RefundTotalAmount: '' }, 2005],
    [{ RefundTotalAmount: '0', RefundItemAmt: '0' }, 2005],
    [{ RefundCommAmt: '1.5' }, 2005],
  ])('validates %j with %i and leaves the trade alone', async (overrides, code) => {
    const trade = await session.paidTrade(100);
    expect((await session.refund(trade.no, 10, overrides)).rtnCode).toBe(code);
    expect((await session.query(trade.no)).encData).toMatchObject({ TradeStatus: '1' });
  });
});

describe('QueryTradeICPO', () => {
  it('answers every documented field for a payment', async () => {
    const trade = await session.paidTrade(100);
    const answer = await session.query(trade.no);
    expect(Object.keys(answer.encData ?? {}).sort()).toEqual(
      [
        'PlatformID',
        'MerchantID',
        'MerchantTradeNo',
        'TransactionID',
        'ICPAccount',
        'PaymentDate',
        'PaymentType',
        'TotalAmount',
        'ICPAmount',
        'BonusAmt',
        'TradeStatus',
        'TradeType',
        'MaskedPan',
        'VToken',
        'AllocateStatus',
        'MMemberID',
        'MobileInvoiceCarry',
        'IsFiscTWQR',
        'FiscTWQRIssCode',
        'GID',
        'CreditCardType',
        'Timestamp',
      ].sort(),
    );
    expect(answer.encData).toMatchObject({
      ...ids(session.merchant),
      ICPAccount: trade.account,
      PaymentType: '1',
    });
  });

  it.each([
    [{ MerchantID: '' }, 2001],
    [{ MerchantID: '1234567890' }, 2107],
    [{ MerchantTradeNo: '' }, 2002],
    [{ MerchantTradeNo: '中文' }, 2003],
  ])('validates %j with %i', async (overrides, code) => {
    expect((await session.query('Q1', overrides)).rtnCode).toBe(code);
  });
});
