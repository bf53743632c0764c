import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  TYPE,
  api,
  newBarcode,
  newCompany,
  now,
  payRequest,
  registerKeys,
  registerStore,
  sandboxPost,
  searchPath,
  startSandbox,
  startStoreScenario,
  startTestGateway,
  tradeNo,
  type SandboxHandle,
  type SandboxMerchant,
  type TestCompany,
  type TestGateway,
} from './helpers.js';

/**
 * Upstream outcomes that are not an icash answer, provoked for real with the
 * sandbox's fault injection: the documented status and code, the ledger row,
 * and the truth the sandbox holds afterwards.
 */
describe('upstream faults on cancel', () => {
  let sandbox: SandboxHandle;
  let t: TestGateway;
  let company: TestCompany;
  let merchant: SandboxMerchant;

  beforeAll(async () => {
    ({ sandbox, t, company, merchant } = await startStoreScenario({
      OMNIGATE_UPSTREAM_TIMEOUT_MS: '400',
    }));
  });

  afterAll(async () => {
    await t.close();
    await sandbox.close();
  });

  beforeEach(async () => {
    await fetch(`${sandbox.url}/sandbox/faults`, { method: 'DELETE' });
  });

  /** A paid trade, ready to be cancelled. */
  async function paidTrade(): Promise<string> {
    const no = tradeNo('FAULT');
    const res = await api(t.url, 'POST', '/v1/payment/integrate/pay', {
      token: company.token,
      body: { type: TYPE, store_id: 'S1', request: payRequest(await newBarcode(sandbox), no) },
    });
    expect(res.body.RtnCode).toBe(1);
    return no;
  }

  const cancel = (no: string) =>
    api(t.url, 'POST', '/v1/payment/integrate/cancel', {
      token: company.token,
      body: {
        type: TYPE,
        store_id: 'S1',
        request: { MerchantTradeNo: no, MerchantTradeDate: now() },
      },
    });

  async function tradeStatus(no: string): Promise<unknown> {
    const res = await api(
      t.url,
      'GET',
      searchPath({ type: TYPE, store_id: 'S1', request: JSON.stringify({ MerchantTradeNo: no }) }),
      { token: company.token },
    );
    return (res.body.EncData as Record<string, unknown>).TradeStatus;
  }

  const inject = (fault: string, extra: object = {}) =>
    sandboxPost(sandbox, '/sandbox/faults', {
      MerchantID: merchant.MerchantID,
      fault,
      count: 1,
      operation: 'DeductCancelICPOF',
      ...extra,
    });

  const cases = [
    { fault: 'delay', extra: { delayMs: 1500 }, status: 504, code: 'upstream_timeout' },
    { fault: 'drop', extra: {}, status: 504, code: 'upstream_timeout' },
    { fault: 'http500', extra: {}, status: 502, code: 'upstream_invalid' },
    { fault: 'bad_signature', extra: {}, status: 502, code: 'upstream_invalid' },
    { fault: 'non_json', extra: {}, status: 502, code: 'upstream_invalid' },
  ];

  for (const c of cases) {
    it(`${c.fault}: ${c.status} ${c.code}, ledger unknown, and icash really cancelled`, async () => {
      const no = await paidTrade();
      await inject(c.fault, c.extra);
      const res = await cancel(no);
      expect(res.status).toBe(c.status);
      expect(res.body.code).toBe(c.code);
      expect(res.body.request_id).toBe(res.headers.get('x-request-id'));
      const row = await t.gateway.services.store.ledger.get(
        company.companyId,
        res.body.request_id as string,
      );
      expect(row).toMatchObject({
        state: 'unknown',
        errorCode: c.code,
        httpStatus: c.status,
        merchantTradeNo: no,
      });
      // The sandbox applied the cancel before the fault hit the answer: the truth is TradeStatus 4.
      expect(await tradeStatus(no)).toBe('4');
    });
  }

  it('the ledger write after icash cancelled fails: 500, and the row goes to the reconciler, not failed', async () => {
    const no = await paidTrade();
    const ledger = t.gateway.services.store.ledger;
    const complete = ledger.complete.bind(ledger);
    let failures = 0;
    // The database refuses the one write that records icash's answer (a full disk, a lost connection).
    ledger.complete = async (requestId, outcome, at) => {
      if (failures === 0 && outcome.state === 'succeeded') {
        failures += 1;
        throw new Error('SQLITE_IOERR: disk I/O error');
      }
      return complete(requestId, outcome, at);
    };
    try {
      const res = await cancel(no);
      expect(res.status).toBe(500);
      expect(res.body.code).toBe('internal_error');
      expect(failures).toBe(1);
      const row = await ledger.get(company.companyId, res.body.request_id as string);
      expect(row).toMatchObject({
        state: 'unknown',
        errorCode: 'internal_error',
        merchantTradeNo: no,
      });
      expect(row?.nextCheckAt).toEqual(expect.any(Number));
    } finally {
      ledger.complete = complete;
    }
    // icash did cancel: only the reconciler's query can tell, and it will be asked.
    expect(await tradeStatus(no)).toBe('4');
  });

  it('connection refused: 502 upstream_unavailable, ledger failed, nothing moved', async () => {
    const down = await startSandbox();
    const closedUrl = down.baseUrls.icash;
    await down.close();
    const g = await startTestGateway({ OMNIGATE_ICASH_TEST_URL: closedUrl });
    try {
      const c = await newCompany(g);
      await registerKeys(g, c.companyId, merchant);
      await registerStore(g, c.companyId, 'S1', merchant);
      const no = await paidTrade();
      const res = await api(g.url, 'POST', '/v1/payment/integrate/cancel', {
        token: c.token,
        body: {
          type: TYPE,
          store_id: 'S1',
          request: { MerchantTradeNo: no, MerchantTradeDate: now() },
        },
      });
      expect(res.status).toBe(502);
      expect(res.body.code).toBe('upstream_unavailable');
      const row = await g.gateway.services.store.ledger.get(
        c.companyId,
        res.body.request_id as string,
      );
      expect(row).toMatchObject({ state: 'failed', errorCode: 'upstream_unavailable' });
      expect(await tradeStatus(no)).toBe('1');
    } finally {
      await g.close();
    }
  });

  it('never answers 500 and keeps serving after every fault', async () => {
    const health = await api(t.url, 'GET', '/healthz');
    expect(health.status).toBe(200);
  });
});
