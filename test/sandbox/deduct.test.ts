import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IcashOperation } from '../../src/providers/icash-pay/wire.js';
import { parseTaiwanTime } from '../../src/core/taiwan-time.js';
import { type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import {
  balanceOf,
  deductPayload,
  ids,
  issueBarcode,
  onboard,
  type TestMerchant,
  TestClient,
  tradeNo,
} from './helpers.js';

let sandbox: SandboxHandle;
let client: TestClient;
let merchant: TestMerchant;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  client = new TestClient(sandbox);
  merchant = await onboard(sandbox);
});

afterAll(async () => {
  await client.close();
  await sandbox.close();
});

async function deductWith(overrides: Record<string, unknown>, amount = 100, balance = 1000) {
  const { Barcode } = await issueBarcode(sandbox, { balance });
  return client.call(
    merchant,
    IcashOperation.Deduct,
    deductPayload(merchant, Barcode, amount, overrides),
  );
}

describe('DeductICPOF', () => {
  it('deducts, answers every documented field and lowers the wallet balance', async () => {
    const { Barcode, ICPAccount } = await issueBarcode(sandbox, { balance: 500 });
    const payload = deductPayload(merchant, Barcode, 120);
    const answer = await client.call(merchant, IcashOperation.Deduct, payload);
    expect(answer).toMatchObject({ rtnCode: 1, rtnMsg: '成功', signed: true });
    const data = answer.encData ?? {};
    expect(Object.keys(data).sort()).toEqual(
      [
        'PlatformID',
        'MerchantID',
        'MerchantTradeNo',
        'TransactionID',
        'ICPAccount',
        'TotalAmount',
        'ICPAmount',
        'BonusAmt',
        'PaymentDate',
        'PaymentType',
        'MMemberID',
        'MobileInvoiceCarry',
        'MaskedPan',
        'IsFiscTWQR',
        'FiscTWQRIssCode',
        'GID',
        'Timestamp',
      ].sort(),
    );
    expect(data).toMatchObject({
      ...ids(merchant),
      MerchantTradeNo: payload.MerchantTradeNo,
      ICPAccount,
      TotalAmount: '12000',
      ICPAmount: '12000',
      BonusAmt: '0',
      PaymentType: '1',
      IsFiscTWQR: 0,
    });
    expect(data.TransactionID).toMatch(/^\d{20}$/);
    expect(data.ICPAccount).toMatch(/^\d{16}$/);
    expect(parseTaiwanTime(String(data.PaymentDate))).not.toBeNull();
    expect(parseTaiwanTime(String(data.Timestamp))).not.toBeNull();
    expect(await balanceOf(sandbox, ICPAccount)).toBe(380);
  });

  it('matches field names case-insensitively and accepts the V1 prefix in any case', async () => {
    const { Barcode } = await issueBarcode(sandbox, { balance: 100 });
    const payload = deductPayload(merchant, Barcode, 10);
    delete payload.Barcode;
    payload.BarCode = Barcode;
    const outcome = await client.raw(
      merchant,
      '/POS/deducticpof',
      payload,
      sandbox.url + '/API/payment',
    );
    expect(outcome).toMatchObject({ kind: 'answered', rtnCode: 1 });
  });

  it.each([
    [{ MerchantID: '' }, 2001],
    [{ MerchantID: '1234567' }, 2107],
    [{ MerchantID: 12345678 }, 2107],
    [{ PlatformID: '99999999' }, 2107],
    [{ MerchantTradeNo: '' }, 2002],
    [{ MerchantTradeNo: 'x'.repeat(51) }, 2003],
    [{ MerchantTradeNo: 'bad no!' }, 2003],
    [{ MerchantTradeDate: '' }, 2004],
    [{ MerchantTradeDate: '2024-01-01 10:00:00' }, 2040],
    [{ MerchantTradeDate: '2024/02/30 10:00:00' }, 2040],
    [{ TotalAmount: '100.5' }, 2005],
    [{ TotalAmount: 10000 }, 2005],
    [{ ItemAmt: 'abc' }, 2005],
    [{ NonPointAmt: '-1' }, 2005],
    [{ TotalAmount: '20000' }, 2057],
    [{ Barcode: '' }, 2016],
    [{ Barcode: 'IC123' }, 2071],
    [{ Barcode: 'ICabcdefghijklmnop' }, 2071],
    [{ Barcode: 'IC0000000000000000' }, 2071],
  ])('rejects %j with %i and echoes the identity fields', async (overrides, code) => {
    const answer = await deductWith(overrides);
    expect(answer.rtnCode).toBe(code);
    expect(answer.encData).toHaveProperty('Timestamp');
    expect(answer.encData).toHaveProperty('MerchantID');
  });

  it('rejects a merchant of another platform with 2107', async () => {
    const other = await onboard(sandbox);
    const answer = await deductWith({
      MerchantID: other.creds.MerchantID,
      PlatformID: other.creds.PlatformID,
    });
    expect(answer.rtnCode).toBe(2107);
  });

  it('answers 2065 for a used barcode, 2072 for an expired one and keeps balances', async () => {
    const { Barcode, ICPAccount } = await issueBarcode(sandbox, { balance: 300 });
    const first = await client.call(
      merchant,
      IcashOperation.Deduct,
      deductPayload(merchant, Barcode, 100),
    );
    expect(first.rtnCode).toBe(1);
    const again = await client.call(
      merchant,
      IcashOperation.Deduct,
      deductPayload(merchant, Barcode, 100),
    );
    expect(again).toMatchObject({ rtnCode: 2065, rtnMsg: '條碼已被使用過' });
    expect(await balanceOf(sandbox, ICPAccount)).toBe(200);

    const expired = await issueBarcode(sandbox, { balance: 300, ttlSeconds: 0 });
    const late = await client.call(
      merchant,
      IcashOperation.Deduct,
      deductPayload(merchant, expired.Barcode, 100),
    );
    expect(late).toMatchObject({ rtnCode: 2072, rtnMsg: '條碼已逾期' });
    expect(await balanceOf(sandbox, expired.ICPAccount)).toBe(300);
  });

  it('answers 7049 on insufficient balance and records the trade as failed', async () => {
    const { Barcode, ICPAccount } = await issueBarcode(sandbox, { balance: 99 });
    const payload = deductPayload(merchant, Barcode, 100);
    const answer = await client.call(merchant, IcashOperation.Deduct, payload);
    expect(answer).toMatchObject({
      rtnCode: 7049,
      rtnMsg: '訊息代碼：7049，扣款失敗，帳戶餘額不足',
    });
    expect(await balanceOf(sandbox, ICPAccount)).toBe(99);
    const query = await client.call(merchant, IcashOperation.QueryTrade, {
      ...ids(merchant),
      MerchantTradeNo: payload.MerchantTradeNo,
    });
    expect(query.encData).toMatchObject({ TradeStatus: '7' });
  });

  it('answers 2027 for a MerchantTradeNo used before by the same merchant', async () => {
    const no = tradeNo('DUP');
    expect((await deductWith({ MerchantTradeNo: no })).rtnCode).toBe(1);
    const second = await deductWith({ MerchantTradeNo: no });
    expect(second).toMatchObject({ rtnCode: 2027, rtnMsg: '傳入資料廠商訂單編號重複' });
    // Another merchant may use the same number.
    const other = await onboard(sandbox);
    const { Barcode } = await issueBarcode(sandbox, { balance: 100 });
    const theirs = await client.call(
      other,
      IcashOperation.Deduct,
      deductPayload(other, Barcode, 100, { MerchantTradeNo: no }),
    );
    expect(theirs.rtnCode).toBe(1);
  });

  it('serves a second key set for the same merchant alongside the first', async () => {
    const second = await onboard(sandbox, ids(merchant));
    expect(second.creds.EncKeyID).not.toBe(merchant.creds.EncKeyID);
    expect(second.creds.MerchantID).toBe(merchant.creds.MerchantID);
    for (const who of [merchant, second]) {
      const { Barcode } = await issueBarcode(sandbox, { balance: 10 });
      const answer = await client.call(who, IcashOperation.Deduct, deductPayload(who, Barcode, 10));
      expect(answer.rtnCode).toBe(1);
    }
  });
});
