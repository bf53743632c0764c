import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IcashOperation } from '../../src/providers/icash-pay/wire.js';
import { type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import {
  balanceOf,
  control,
  deductPayload,
  issueBarcode,
  MerchantSession,
  onboard,
  type TestMerchant,
  TestClient,
  tradeNo,
} from './helpers.js';

let sandbox: SandboxHandle;
let client: TestClient;
let merchant: TestMerchant;
let session: MerchantSession;

beforeAll(async () => {
  sandbox = await startSandbox();
  client = new TestClient(sandbox);
  merchant = await onboard(sandbox);
  session = new MerchantSession(sandbox, client, merchant);
});

afterAll(async () => {
  await client.close();
  await sandbox.close();
});

const paidTrade = (amount?: number, balance?: number) => session.paidTrade(amount, balance);
const cancel = (no: string, extra?: Record<string, unknown>) => session.cancel(no, extra);
const query = (no: string) => session.query(no);
const refund = (no: string, amount: number) => session.refund(no, amount);

describe('the life of a trade', () => {
  it('deduct, query 1, cancel, query 4, cancel again 2067; the money goes back', async () => {
    const trade = await paidTrade(300, 500);
    expect(await balanceOf(sandbox, trade.account)).toBe(200);

    const paid = await query(trade.no);
    expect(paid.encData).toMatchObject({
      TradeStatus: '1',
      TradeType: '0',
      AllocateStatus: '0',
      TransactionID: trade.transactionId,
      TotalAmount: '30000',
    });

    const cancelled = await cancel(trade.no, { TransactionID: trade.transactionId });
    expect(cancelled).toMatchObject({ rtnCode: 1, rtnMsg: '成功' });
    expect(Object.keys(cancelled.encData ?? {}).sort()).toEqual(
      ['MMemberID', 'MerchantID', 'MobileInvoiceCarry', 'PlatformID', 'Timestamp'].sort(),
    );
    expect(await balanceOf(sandbox, trade.account)).toBe(500);
    expect((await query(trade.no)).encData).toMatchObject({ TradeStatus: '4' });

    const again = await cancel(trade.no);
    expect(again).toMatchObject({ rtnCode: 2067, rtnMsg: '訂單已取消' });
    expect(await balanceOf(sandbox, trade.account)).toBe(500);

    // The refunded wallet pays again with a fresh barcode, up to its full balance.
    const next = await issueBarcode(sandbox, { ICPAccount: trade.account });
    const repay = await client.call(
      merchant,
      IcashOperation.Deduct,
      deductPayload(merchant, next.Barcode, 500),
    );
    expect(repay.rtnCode).toBe(1);
    expect(await balanceOf(sandbox, trade.account)).toBe(0);
  });

  it('answers query of an unknown order with 2025', async () => {
    const answer = await query(tradeNo('NONE'));
    expect(answer).toMatchObject({ rtnCode: 2025, rtnMsg: '訂單不存在' });
  });
});

describe('DeductCancelICPOF refusals', () => {
  it('2025 for an unknown order and for a TransactionID that is not the trade’s', async () => {
    expect((await cancel(tradeNo('NONE'))).rtnCode).toBe(2025);
    const trade = await paidTrade();
    expect((await cancel(trade.no, { TransactionID: '1'.repeat(20) })).rtnCode).toBe(2025);
  });

  it('2068 for a trade that did not succeed', async () => {
    const barcode = await issueBarcode(sandbox, { balance: 1 });
    const payload = deductPayload(merchant, barcode.Barcode, 100);
    expect((await client.call(merchant, IcashOperation.Deduct, payload)).rtnCode).toBe(7049);
    const answer = await cancel(String(payload.MerchantTradeNo));
    expect(answer).toMatchObject({ rtnCode: 2068, rtnMsg: '此筆訂單交易未成功無法取消' });
  });

  it('2180 after a full refund, 2196 after a partial one', async () => {
    const full = await paidTrade(100);
    expect((await refund(full.no, 100)).rtnCode).toBe(1);
    expect((await query(full.no)).encData).toMatchObject({ TradeStatus: '2' });
    expect(await cancel(full.no)).toMatchObject({
      rtnCode: 2180,
      rtnMsg: '訊息代碼：2180，此訂單已無法執行取消',
    });

    const part = await paidTrade(100);
    expect((await refund(part.no, 40)).rtnCode).toBe(1);
    expect((await query(part.no)).encData).toMatchObject({ TradeStatus: '3' });
    expect(await cancel(part.no)).toMatchObject({
      rtnCode: 2196,
      rtnMsg: '訊息代碼：2196，訂單已部退，取消交易失敗',
    });
  });

  it('2180 once the trade is settled to the merchant', async () => {
    const trade = await paidTrade();
    const settled = await control(sandbox, 'POST', '/sandbox/trades/settle', {
      MerchantID: merchant.creds.MerchantID,
      MerchantTradeNo: trade.no,
    });
    expect(settled).toMatchObject({ status: 200, body: { AllocateStatus: '1' } });
    expect((await query(trade.no)).encData).toMatchObject({
      AllocateStatus: '1',
      TradeStatus: '1',
    });
    expect((await cancel(trade.no)).rtnCode).toBe(2180);
    expect(await balanceOf(sandbox, trade.account)).toBe(900);
  });

  it.each([
    [{ MerchantID: '' }, 2001],
    [{ MerchantID: 'ABCDEFGH' }, 2107],
    [{ MerchantTradeNo: '' }, 2002],
    [{ MerchantTradeNo: 'no spaces' }, 2003],
    [{ MerchantTradeDate: '' }, 2004],
    [{ MerchantTradeDate: 'yesterday' }, 2040],
  ])('validates %j with %i', async (overrides, code) => {
    const trade = await paidTrade();
    expect((await cancel(trade.no, overrides)).rtnCode).toBe(code);
    expect((await query(trade.no)).encData).toMatchObject({ TradeStatus: '1' });
  });
});

describe('CancelICPO (online orders)', () => {
  const onlineCancel = (no: string, extra?: Record<string, unknown>) =>
    session.onlineCancel(no, extra);

  it('2025 unknown, 2180 paid barcode trade, 2067 cancelled, 2068 failed; never changes a trade', async () => {
    expect((await onlineCancel(tradeNo('NONE'))).rtnCode).toBe(2025);
    const trade = await paidTrade();
    expect((await onlineCancel(trade.no)).rtnCode).toBe(2180);
    expect((await query(trade.no)).encData).toMatchObject({ TradeStatus: '1' });
    expect((await cancel(trade.no)).rtnCode).toBe(1);
    expect((await onlineCancel(trade.no)).rtnCode).toBe(2067);

    const barcode = await issueBarcode(sandbox, { balance: 0 });
    const payload = deductPayload(merchant, barcode.Barcode, 100);
    expect((await client.call(merchant, IcashOperation.Deduct, payload)).rtnCode).toBe(7049);
    expect((await onlineCancel(String(payload.MerchantTradeNo))).rtnCode).toBe(2068);
  });

  it.each([
    [{ MerchantID: '' }, 2001],
    [{ MerchantID: '123' }, 2107],
    [{ OMerchantTradeNo: '' }, 2002],
    [{ OMerchantTradeNo: '#' }, 2003],
  ])('validates %j with %i', async (overrides, code) => {
    expect((await onlineCancel('X1', overrides)).rtnCode).toBe(code);
  });
});
