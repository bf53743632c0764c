import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TYPE,
  api,
  newCompany,
  newMerchant,
  now,
  registerKeys,
  registerStore,
  startSandbox,
  startTestGateway,
  tradeNo,
  type SandboxHandle,
  type SandboxMerchant,
  type TestCompany,
  type TestGateway,
} from './helpers.js';

/** is_test routing: two sandboxes stand in for icash's test and production environments. */
describe('is_test routing', () => {
  let testEnv: SandboxHandle;
  let prodEnv: SandboxHandle;
  let t: TestGateway;
  let company: TestCompany;
  let testMerchant: SandboxMerchant;
  let prodMerchant: SandboxMerchant;

  beforeAll(async () => {
    [testEnv, prodEnv] = await Promise.all([startSandbox(), startSandbox()]);
    t = await startTestGateway({
      OMNIGATE_ICASH_TEST_URL: testEnv.baseUrls.icash,
      OMNIGATE_ICASH_PROD_URL: prodEnv.baseUrls.icash,
      OMNIGATE_DEFAULT_IS_TEST: 'false',
    });
    company = await newCompany(t);
    // The same PlatformID/MerchantID in both environments, each with its own keys.
    testMerchant = await newMerchant(testEnv, { PlatformID: '20000001', MerchantID: '20000001' });
    prodMerchant = await newMerchant(prodEnv, { PlatformID: '20000001', MerchantID: '20000001' });
    await registerKeys(t, company.companyId, testMerchant, 'test');
    await registerKeys(t, company.companyId, prodMerchant, 'prod');
    await registerStore(t, company.companyId, 'S1', testMerchant, 'test');
    await registerStore(t, company.companyId, 'S1', prodMerchant, 'prod');
  });

  afterAll(async () => {
    await t.close();
    await Promise.all([testEnv.close(), prodEnv.close()]);
  });

  const cancel = (isTest: unknown, scenario: 'vendor' | 'store') =>
    api(t.url, 'POST', '/v1/payment/integrate/cancel', {
      token: company.token,
      body: {
        type: TYPE,
        ...(isTest === undefined ? {} : { is_test: isTest }),
        ...(scenario === 'store' ? { store_id: 'S1' } : {}),
        request: {
          ...(scenario === 'vendor' ? { PlatformID: '20000001', MerchantID: '20000001' } : {}),
          MerchantTradeNo: tradeNo('ENV'),
          MerchantTradeDate: now(),
        },
      },
    });

  const cases: { isTest: unknown; lands: 'test' | 'prod' }[] = [
    { isTest: true, lands: 'test' },
    { isTest: 'TRUE', lands: 'test' },
    { isTest: false, lands: 'prod' },
    { isTest: 'false', lands: 'prod' },
    { isTest: undefined, lands: 'prod' },
  ];

  for (const scenario of ['vendor', 'store'] as const) {
    for (const c of cases) {
      it(`${scenario}: is_test ${JSON.stringify(c.isTest)} lands on ${c.lands} with that environment's keys`, async () => {
        const [onTest, onProd] = [
          testEnv.wallets.icash.log.list().length,
          prodEnv.wallets.icash.log.list().length,
        ];
        const res = await cancel(c.isTest, scenario);
        expect(res.status).toBe(200);
        // 2025: the order is unknown there, which proves the call was accepted (signed with the right keys).
        expect(res.body.RtnCode).toBe(2025);
        const target = c.lands === 'test' ? testEnv : prodEnv;
        const other = c.lands === 'test' ? prodEnv : testEnv;
        const landed = target.wallets.icash.log.list().slice(c.lands === 'test' ? onTest : onProd);
        expect(landed).toHaveLength(1);
        expect(landed[0]!.signatureValid).toBe(true);
        expect(landed[0]!.encKeyId).toBe(
          c.lands === 'test' ? testMerchant.EncKeyID : prodMerchant.EncKeyID,
        );
        expect(other.wallets.icash.log.list()).toHaveLength(c.lands === 'test' ? onProd : onTest);
      });
    }
  }

  it('answers 400 when the environment has no key set for the PlatformID', async () => {
    const other = await newCompany(t, 'other');
    await registerKeys(t, other.companyId, testMerchant, 'test');
    const res = await api(t.url, 'POST', '/v1/payment/integrate/cancel', {
      token: other.token,
      body: {
        type: TYPE,
        is_test: false,
        request: {
          PlatformID: '20000001',
          MerchantID: '20000001',
          MerchantTradeNo: tradeNo(),
          MerchantTradeDate: now(),
        },
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('PlatformID 20000001 未設定金鑰');
  });
});
