import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
 * The mission: POST /v1/payment/integrate/cancel for I_CASH_QRCODE_PAY, end to
 * end against the real sandbox over real sockets, both scenarios of the seed.
 */
describe('integrate cancel', () => {
  let sandbox: SandboxHandle;
  let t: TestGateway;
  let company: TestCompany;
  let seedMerchant: SandboxMerchant;
  let storeMerchant: SandboxMerchant;

  beforeAll(async () => {
    sandbox = await startSandbox();
    // The seed's example sends is_test:false: production points at this sandbox too.
    t = await startTestGateway({
      OMNIGATE_ICASH_TEST_URL: sandbox.baseUrls.icash,
      OMNIGATE_ICASH_PROD_URL: sandbox.baseUrls.icash,
    });
    company = await newCompany(t);
    seedMerchant = await newMerchant(sandbox, { PlatformID: '10523647', MerchantID: '10523650' });
    await registerKeys(t, company.companyId, seedMerchant, 'prod');
    storeMerchant = await newMerchant(sandbox);
    await registerKeys(t, company.companyId, storeMerchant, 'test');
    await registerStore(t, company.companyId, 'S001', storeMerchant, 'test');
  });

  afterAll(async () => {
    await t.close();
    await sandbox.close();
  });

  const pay = (body: object) =>
    api(t.url, 'POST', '/v1/payment/integrate/pay', { token: company.token, body });
  const cancel = (body: object) =>
    api(t.url, 'POST', '/v1/payment/integrate/cancel', { token: company.token, body });
  const search = (merchantTradeNo: string, extra: Record<string, string> = {}) =>
    api(
      t.url,
      'GET',
      searchPath({
        type: TYPE,
        store_id: 'S001',
        is_test: 'TRUE',
        request: JSON.stringify({ MerchantTradeNo: merchantTradeNo }),
        ...extra,
      }),
      { token: company.token },
    );

  it('cancels with vendor credentials exactly as the seed example, and icash saw exactly the cancel fields', async () => {
    const barcode = await newBarcode(sandbox, 500);
    const paid = await pay({
      type: TYPE,
      request: {
        PlatformID: '10523647',
        MerchantID: '10523650',
        ...payRequest(barcode, '202305160934510006'),
      },
      is_test: false,
    });
    expect(paid.status).toBe(200);
    expect(paid.body.RtnCode).toBe(1);

    const seedBody = {
      type: 'I_CASH_QRCODE_PAY',
      request: {
        MerchantID: '10523650',
        PlatformID: '10523647',
        MerchantTradeNo: '202305160934510006',
        MerchantTradeDate: '2023/07/10 23:10:10',
      },
      store_id: '0',
      is_test: false,
    };
    const before = sandbox.wallets.icash.log.list().length;
    const res = await cancel(seedBody);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.RtnCode).toBe(1);
    expect(typeof res.body.RtnMsg).toBe('string');
    const enc = res.body.EncData as Record<string, unknown>;
    expect(enc).toMatchObject({ PlatformID: '10523647', MerchantID: '10523650' });
    expect(enc).toHaveProperty('MMemberID');
    expect(enc).toHaveProperty('MobileInvoiceCarry');
    expect(enc.Timestamp).toMatch(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/);

    const calls = sandbox.wallets.icash.log.list().slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.path).toMatch(/\/Pos\/DeductCancelICPOF$/i);
    expect(calls[0]!.signatureValid).toBe(true);
    expect(calls[0]!.encKeyId).toBe(seedMerchant.EncKeyID);
    expect(calls[0]!.payload).toEqual(seedBody.request);
  });

  it('cancels with store credentials (store_id only), and search then shows TradeStatus 4', async () => {
    const barcode = await newBarcode(sandbox, 1000);
    const no = tradeNo('STORE');
    const paid = await pay({
      type: TYPE,
      store_id: 'S001',
      is_test: true,
      request: payRequest(barcode, no, 300),
    });
    expect(paid.body.RtnCode).toBe(1);
    expect((paid.body.EncData as Record<string, unknown>).TotalAmount).toBe(300);
    expect(((await search(no)).body.EncData as Record<string, unknown>).TradeStatus).toBe('1');

    const before = sandbox.wallets.icash.log.list().length;
    const res = await cancel({
      type: TYPE,
      store_id: 'S001',
      is_test: true,
      request: { MerchantTradeNo: no, MerchantTradeDate: now() },
    });
    expect(res.status).toBe(200);
    expect(res.body.RtnCode).toBe(1);
    expect(res.body.EncData).toMatchObject({
      PlatformID: storeMerchant.PlatformID,
      MerchantID: storeMerchant.MerchantID,
    });
    const [call] = sandbox.wallets.icash.log.list().slice(before);
    expect(Object.keys(call!.payload!).sort()).toEqual(
      ['MerchantID', 'MerchantTradeDate', 'MerchantTradeNo', 'PlatformID'].sort(),
    );
    expect(call!.payload).toMatchObject({
      PlatformID: storeMerchant.PlatformID,
      MerchantID: storeMerchant.MerchantID,
      MerchantTradeNo: no,
    });
    expect(((await search(no)).body.EncData as Record<string, unknown>).TradeStatus).toBe('4');

    // The money went back: the same wallet can pay the full balance again.
    const again = await pay({
      type: TYPE,
      store_id: 'S001',
      is_test: true,
      request: payRequest(barcode, tradeNo(), 1000),
    });
    expect([1, 2065]).toContain(again.body.RtnCode);
  });

  it('passes icash business failures through with HTTP 200: 2025 unknown order, 2067 cancelled twice', async () => {
    const unknown = await cancel({
      type: TYPE,
      store_id: 'S001',
      is_test: true,
      request: { MerchantTradeNo: tradeNo('NONE'), MerchantTradeDate: now() },
    });
    expect(unknown.status).toBe(200);
    expect(unknown.body.RtnCode).toBe(2025);
    expect(unknown.body.EncData).toMatchObject({ MerchantID: storeMerchant.MerchantID });

    const barcode = await newBarcode(sandbox, 1000);
    const no = tradeNo('TWICE');
    await pay({ type: TYPE, store_id: 'S001', is_test: true, request: payRequest(barcode, no) });
    const body = {
      type: TYPE,
      store_id: 'S001',
      is_test: true,
      request: { MerchantTradeNo: no, MerchantTradeDate: now() },
    };
    expect((await cancel(body)).body.RtnCode).toBe(1);
    const second = await cancel(body);
    expect(second.status).toBe(200);
    expect(second.body.RtnCode).toBe(2067);
  });

  it('passes 2068 through for a trade that did not succeed (insufficient balance)', async () => {
    const barcode = await newBarcode(sandbox, 10);
    const no = tradeNo('POOR');
    const paid = await pay({
      type: TYPE,
      store_id: 'S001',
      is_test: true,
      request: payRequest(barcode, no, 100),
    });
    expect(paid.body.RtnCode).toBe(7049);
    const res = await cancel({
      type: TYPE,
      store_id: 'S001',
      is_test: true,
      request: { MerchantTradeNo: no, MerchantTradeDate: now() },
    });
    expect(res.status).toBe(200);
    expect(res.body.RtnCode).toBe(2068);
  });

  it('passes 2180 through for a trade already settled to the merchant', async () => {
    const barcode = await newBarcode(sandbox, 1000);
    const no = tradeNo('SETTLED');
    await pay({ type: TYPE, store_id: 'S001', is_test: true, request: payRequest(barcode, no) });
    const settle = await fetch(`${sandbox.url}/sandbox/trades/settle`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ MerchantID: storeMerchant.MerchantID, MerchantTradeNo: no }),
    });
    expect(settle.status).toBe(200);
    const res = await cancel({
      type: TYPE,
      store_id: 'S001',
      is_test: true,
      request: { MerchantTradeNo: no, MerchantTradeDate: now() },
    });
    expect(res.status).toBe(200);
    expect(res.body.RtnCode).toBe(2180);
  });

  it('writes one ledger row per call, with no secret in it', async () => {
    const no = tradeNo('LEDGER');
    const res = await cancel({
      type: TYPE,
      store_id: 'S001',
      is_test: true,
      request: { MerchantTradeNo: no, MerchantTradeDate: now() },
    });
    const requestId = res.headers.get('x-request-id')!;
    const row = await t.gateway.services.store.ledger.get(company.companyId, requestId);
    expect(row).toMatchObject({
      requestId,
      companyId: company.companyId,
      clientId: company.clientId,
      operation: 'cancel',
      type: TYPE,
      env: 'test',
      scenario: 'store',
      storeId: 'S001',
      credentialId: storeMerchant.PlatformID,
      accountId: storeMerchant.MerchantID,
      merchantTradeNo: no,
      state: 'declined',
      rtnCode: 2025,
      httpStatus: 200,
    });
    expect(row!.upstreamLatencyMs).toBeGreaterThan(0);
    const text = JSON.stringify(row);
    for (const secret of [
      storeMerchant.AESKey,
      storeMerchant.AESIV,
      company.token,
      company.clientSecret,
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});
