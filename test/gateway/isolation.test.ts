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
  type ApiAnswer,
  type SandboxHandle,
  type SandboxMerchant,
  type TestCompany,
  type TestGateway,
} from './helpers.js';

type Operation = 'cancel' | 'pay' | 'search';

/**
 * Tenant isolation: a company's stores and key sets are invisible to every other
 * company. Another company's store or PlatformID answers exactly like one that
 * does not exist, and nothing goes upstream.
 */
describe('company isolation', () => {
  let sandbox: SandboxHandle;
  let t: TestGateway;
  let a: TestCompany;
  let b: TestCompany;
  let merchantA: SandboxMerchant;
  let merchantB: SandboxMerchant;
  let barcode: string;

  beforeAll(async () => {
    sandbox = await startSandbox();
    t = await startTestGateway({
      OMNIGATE_ICASH_TEST_URL: sandbox.baseUrls.icash,
      OMNIGATE_ICASH_PROD_URL: sandbox.baseUrls.icash,
    });
    a = await newCompany(t, 'company A');
    b = await newCompany(t, 'company B');
    merchantA = await newMerchant(sandbox);
    merchantB = await newMerchant(sandbox);
    await registerKeys(t, a.companyId, merchantA, 'test');
    await registerStore(t, a.companyId, 'S1', merchantA, 'test');
    // The same store id in both companies: each resolves to its own configuration.
    await registerStore(t, a.companyId, 'SHARED', merchantA, 'test');
    await registerKeys(t, b.companyId, merchantB, 'test');
    await registerStore(t, b.companyId, 'SHARED', merchantB, 'test');
    barcode = await newBarcode(sandbox, 1_000_000);
  });

  afterAll(async () => {
    await t?.close();
    await sandbox?.close();
  });

  function call(
    company: TestCompany,
    operation: Operation,
    where: { store_id?: string; PlatformID?: string; MerchantID?: string },
  ): Promise<ApiAnswer> {
    const credentials =
      where.PlatformID !== undefined
        ? { PlatformID: where.PlatformID, MerchantID: where.MerchantID }
        : {};
    const envelope = {
      type: TYPE,
      is_test: true,
      ...(where.store_id !== undefined ? { store_id: where.store_id } : {}),
    };
    switch (operation) {
      case 'cancel':
        return api(t.url, 'POST', '/v1/payment/integrate/cancel', {
          token: company.token,
          body: {
            ...envelope,
            request: { ...credentials, MerchantTradeNo: tradeNo('ISO'), MerchantTradeDate: now() },
          },
        });
      case 'pay':
        return api(t.url, 'POST', '/v1/payment/integrate/pay', {
          token: company.token,
          body: {
            ...envelope,
            request: { ...credentials, ...payRequest(barcode, tradeNo('ISO'), 1) },
          },
        });
      case 'search':
        return api(
          t.url,
          'GET',
          searchPath({
            type: TYPE,
            is_test: 'TRUE',
            ...(where.store_id !== undefined ? { store_id: where.store_id } : {}),
            request: JSON.stringify({ ...credentials, MerchantTradeNo: tradeNo('ISO') }),
          }),
          { token: company.token },
        );
    }
  }

  /** status, code and message with the named id masked, for comparing two answers. */
  const shape = (res: ApiAnswer, id: string) => ({
    status: res.status,
    code: res.body.code,
    message: String(res.body.message).replace(id, '<id>'),
    keys: Object.keys(res.body).sort(),
  });

  const operations: Operation[] = ['cancel', 'pay', 'search'];

  it.each(operations)(
    '%s: the owner reaches icash through its store and its PlatformID',
    async (operation) => {
      const before = sandbox.wallets.icash.log.list().length;
      const viaStore = await call(a, operation, { store_id: 'S1' });
      expect(viaStore.status).toBe(200);
      expect(typeof viaStore.body.RtnCode).toBe('number');
      const viaVendor = await call(a, operation, {
        PlatformID: merchantA.PlatformID,
        MerchantID: merchantA.MerchantID,
      });
      expect(viaVendor.status).toBe(200);
      expect(typeof viaVendor.body.RtnCode).toBe('number');
      const calls = sandbox.wallets.icash.log.list().slice(before);
      expect(calls).toHaveLength(2);
      for (const c of calls) {
        expect(c.signatureValid).toBe(true);
        expect(c.encKeyId).toBe(merchantA.EncKeyID);
      }
    },
  );

  it.each(operations)(
    "%s: B using A's store_id answers exactly like a store that does not exist",
    async (operation) => {
      const before = sandbox.wallets.icash.log.list().length;
      const foreign = await call(b, operation, { store_id: 'S1' });
      const missing = await call(b, operation, { store_id: 'S404' });
      expect(sandbox.wallets.icash.log.list().length).toBe(before);
      expect(foreign.status).toBe(404);
      expect(foreign.body.message).toBe('門市 S1 不存在');
      expect(missing.body.message).toBe('門市 S404 不存在');
      expect(shape(foreign, 'S1')).toEqual(shape(missing, 'S404'));
    },
  );

  it.each(operations)(
    "%s: B using A's PlatformID/MerchantID answers exactly like an unknown PlatformID",
    async (operation) => {
      const before = sandbox.wallets.icash.log.list().length;
      const foreign = await call(b, operation, {
        PlatformID: merchantA.PlatformID,
        MerchantID: merchantA.MerchantID,
        store_id: 'SHARED',
      });
      const missing = await call(b, operation, {
        PlatformID: '77777777',
        MerchantID: '66666666',
        store_id: 'SHARED',
      });
      expect(sandbox.wallets.icash.log.list().length).toBe(before);
      expect(foreign.status).toBe(400);
      expect(foreign.body.message).toBe(`PlatformID ${merchantA.PlatformID} 未設定金鑰`);
      expect(missing.body.message).toBe('PlatformID 77777777 未設定金鑰');
      expect(shape(foreign, merchantA.PlatformID)).toEqual(shape(missing, '77777777'));
    },
  );

  it.each(operations)(
    "%s: B using its own MerchantID under A's PlatformID is refused too",
    async (operation) => {
      const before = sandbox.wallets.icash.log.list().length;
      const res = await call(b, operation, {
        PlatformID: merchantA.PlatformID,
        MerchantID: merchantB.MerchantID,
      });
      expect(res.status).toBe(400);
      expect(res.body.message).toBe(`PlatformID ${merchantA.PlatformID} 未設定金鑰`);
      expect(sandbox.wallets.icash.log.list().length).toBe(before);
    },
  );

  it.each(operations)(
    "%s: the same store id in two companies resolves to each one's own merchant",
    async (operation) => {
      for (const [company, merchant] of [
        [a, merchantA],
        [b, merchantB],
      ] as const) {
        const before = sandbox.wallets.icash.log.list().length;
        const res = await call(company, operation, { store_id: 'SHARED' });
        expect(res.status).toBe(200);
        const calls = sandbox.wallets.icash.log.list().slice(before);
        expect(calls).toHaveLength(1);
        expect(calls[0]!.encKeyId).toBe(merchant.EncKeyID);
        expect(calls[0]!.payload).toMatchObject({
          PlatformID: merchant.PlatformID,
          MerchantID: merchant.MerchantID,
        });
      }
    },
  );

  it("B's refused calls are in B's ledger, not in A's", async () => {
    const res = await call(b, 'cancel', { store_id: 'S1' });
    const id = res.headers.get('x-request-id')!;
    const ledger = t.gateway.services.store.ledger;
    expect(await ledger.get(b.companyId, id)).toMatchObject({
      state: 'rejected',
      clientId: b.clientId,
    });
    expect(await ledger.get(a.companyId, id)).toBeUndefined();
  });
});
