import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TYPE,
  api,
  newBarcode,
  newCompany,
  newMerchant,
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
} from '../gateway/helpers.js';

/**
 * Tenant isolation for the identifiers test/gateway/isolation.test.ts does not
 * cover (request_id, MerchantTradeNo, Idempotency-Key): company B asking with
 * company A's identifier sees exactly what it sees for one that does not exist.
 */
describe('isolation of request ids, MerchantTradeNos and idempotency keys', () => {
  let sandbox: SandboxHandle;
  let t: TestGateway;
  let a: TestCompany;
  let b: TestCompany;
  let merchantA: SandboxMerchant;
  let merchantB: SandboxMerchant;
  /** A's paid trade: its MerchantTradeNo, the pay's request id and its exact answer. */
  let tradeA: string;
  let requestIdA: string;
  let answerA: ApiAnswer;
  let bodyA: Record<string, unknown>;
  const KEY = `shared-key-${randomUUID()}`;
  /** A second key of A's, for the exact-body case (B's own use of KEY must not interfere). */
  const KEY2 = `shared-key-${randomUUID()}`;
  let bodyA2: Record<string, unknown>;
  /** Another of A's paid bodies, never sent by B: B's baseline for "a key that does not exist". */
  let bodyA3: Record<string, unknown>;
  let tradeA2: string;
  /** Request ids of every call B made. */
  const idsOfB: string[] = [];

  const payBody = (barcode: string, no: string): Record<string, unknown> => ({
    type: TYPE,
    store_id: 'S1',
    request: payRequest(barcode, no),
  });
  const pay = (company: TestCompany, body: object, key?: string): Promise<ApiAnswer> =>
    api(t.url, 'POST', '/v1/payment/integrate/pay', {
      token: company.token,
      body,
      headers: key === undefined ? {} : { 'idempotency-key': key },
    });

  beforeAll(async () => {
    sandbox = await startSandbox();
    t = await startTestGateway({ OMNIGATE_ICASH_TEST_URL: sandbox.baseUrls.icash });
    a = await newCompany(t, 'company A');
    b = await newCompany(t, 'company B');
    merchantA = await newMerchant(sandbox);
    merchantB = await newMerchant(sandbox);
    await registerKeys(t, a.companyId, merchantA);
    await registerStore(t, a.companyId, 'S1', merchantA);
    // B has its own store S1 and key set, on its own merchant.
    await registerKeys(t, b.companyId, merchantB);
    await registerStore(t, b.companyId, 'S1', merchantB);

    tradeA = tradeNo('ISOA');
    bodyA = payBody(await newBarcode(sandbox), tradeA);
    answerA = await pay(a, bodyA, KEY);
    expect(answerA.body.RtnCode).toBe(1);
    requestIdA = answerA.headers.get('x-request-id')!;
    tradeA2 = tradeNo('ISOA');
    bodyA2 = payBody(await newBarcode(sandbox), tradeA2);
    expect((await pay(a, bodyA2, KEY2)).body.RtnCode).toBe(1);
    bodyA3 = payBody(await newBarcode(sandbox), tradeNo('ISOA'));
    expect((await pay(a, bodyA3)).body.RtnCode).toBe(1);
  });

  afterAll(async () => {
    await t?.close();
    await sandbox?.close();
  });

  /** What a caller can compare between two answers, with the asked-for id masked. */
  const shape = (res: ApiAnswer, id: string) => ({
    status: res.status,
    replayed: res.headers.get('idempotent-replayed'),
    body: JSON.parse(
      JSON.stringify(res.body, (key, value: unknown) =>
        key === 'request_id' || key === 'Timestamp' ? '<varies>' : value,
      ).replaceAll(id, '<id>'),
    ) as unknown,
  });
  /** For two pays of different wallets: the outcome, not the wallet-specific values. */
  const outcome = (res: ApiAnswer) => ({
    status: res.status,
    replayed: res.headers.get('idempotent-replayed'),
    code: res.body.code,
    RtnCode: res.body.RtnCode,
    RtnMsg: res.body.RtnMsg,
    EncDataFields: Object.keys((res.body.EncData as object | null) ?? {}).sort(),
  });

  interface Case {
    name: string;
    /** The owner sees it (the identifier is real). */
    owner(): Promise<ApiAnswer>;
    foreign(): Promise<{ res: ApiAnswer; id: string }>;
    missing(): Promise<{ res: ApiAnswer; id: string }>;
    /** Pays: compare outcomes (each wallet and trade has its own ids). */
    byOutcome?: boolean;
  }

  const cases: Case[] = [
    {
      name: 'request_id: GET /v1/payment/transactions/{id}',
      owner: () => api(t.url, 'GET', `/v1/payment/transactions/${requestIdA}`, { token: a.token }),
      foreign: async () => ({
        id: requestIdA,
        res: await api(t.url, 'GET', `/v1/payment/transactions/${requestIdA}`, { token: b.token }),
      }),
      missing: async () => {
        const id = randomUUID();
        return {
          id,
          res: await api(t.url, 'GET', `/v1/payment/transactions/${id}`, { token: b.token }),
        };
      },
    },
    {
      name: 'MerchantTradeNo: GET /v1/payment/transactions?MerchantTradeNo=',
      owner: () =>
        api(t.url, 'GET', `/v1/payment/transactions?MerchantTradeNo=${tradeA}`, { token: a.token }),
      foreign: async () => ({
        id: tradeA,
        res: await api(t.url, 'GET', `/v1/payment/transactions?MerchantTradeNo=${tradeA}`, {
          token: b.token,
        }),
      }),
      missing: async () => {
        const id = tradeNo('NONE');
        return {
          id,
          res: await api(t.url, 'GET', `/v1/payment/transactions?MerchantTradeNo=${id}`, {
            token: b.token,
          }),
        };
      },
    },
    {
      name: "MerchantTradeNo: search through B's own store and key set",
      owner: () =>
        api(
          t.url,
          'GET',
          searchPath({
            type: TYPE,
            store_id: 'S1',
            request: JSON.stringify({ MerchantTradeNo: tradeA }),
          }),
          {
            token: a.token,
          },
        ),
      foreign: async () => ({
        id: tradeA,
        res: await api(
          t.url,
          'GET',
          searchPath({
            type: TYPE,
            store_id: 'S1',
            request: JSON.stringify({ MerchantTradeNo: tradeA }),
          }),
          { token: b.token },
        ),
      }),
      missing: async () => {
        const id = tradeNo('NONE');
        return {
          id,
          res: await api(
            t.url,
            'GET',
            searchPath({
              type: TYPE,
              store_id: 'S1',
              request: JSON.stringify({ MerchantTradeNo: id }),
            }),
            { token: b.token },
          ),
        };
      },
    },
    {
      name: "Idempotency-Key: B reusing A's key with its own body",
      // The owner's replay: the first answer, byte for byte.
      owner: async () => {
        const res = await pay(a, bodyA, KEY);
        expect(res.headers.get('idempotent-replayed')).toBe('true');
        expect(res.body).toEqual(answerA.body);
        return res;
      },
      // Unscoped keys would answer 422 (same key, another body): B pays normally instead.
      foreign: async () => {
        const no = tradeNo('ISOB');
        return { id: no, res: await pay(b, payBody(await newBarcode(sandbox), no), KEY) };
      },
      missing: async () => {
        const no = tradeNo('ISOB');
        const res = await pay(b, payBody(await newBarcode(sandbox), no), `fresh-${randomUUID()}`);
        return { id: no, res };
      },
      byOutcome: true,
    },
    {
      name: "Idempotency-Key: B reusing A's key with A's exact body",
      // Unscoped keys would replay A's answer to B: B's call runs on B's own store instead.
      owner: async () => {
        const res = await pay(a, bodyA2, KEY2);
        expect(res.headers.get('idempotent-replayed')).toBe('true');
        return res;
      },
      foreign: async () => ({ id: tradeA2, res: await pay(b, bodyA2, KEY2) }),
      // The same situation without the shared key: an order A paid, sent by B with a new key.
      missing: async () => ({ id: '', res: await pay(b, bodyA3, `fresh-${randomUUID()}`) }),
      byOutcome: true,
    },
  ];

  it.each(cases)('$name: the owner sees it', async (c) => {
    const res = await c.owner();
    expect(res.status).toBe(200);
    if (Array.isArray(res.body.transactions)) expect(res.body.transactions).toHaveLength(1);
    if (res.body.EncData && typeof res.body.EncData === 'object')
      expect([tradeA, tradeA2]).toContain(
        (res.body.EncData as Record<string, unknown>).MerchantTradeNo,
      );
  });

  it.each(cases)(
    '$name: B sees exactly what it sees for an identifier that does not exist',
    async (c) => {
      const foreign = await c.foreign();
      const missing = await c.missing();
      if (c.byOutcome) {
        expect(foreign.res.headers.get('idempotent-replayed')).toBeNull();
        expect(outcome(foreign.res)).toEqual(outcome(missing.res));
      } else {
        expect(shape(foreign.res, foreign.id)).toEqual(shape(missing.res, missing.id));
      }
      idsOfB.push(
        foreign.res.headers.get('x-request-id')!,
        missing.res.headers.get('x-request-id')!,
      );
      // Nothing of A's leaks into B's answer (beyond the identifier B itself sent).
      const text = JSON.stringify(foreign.res.body).replaceAll(foreign.id || '\u0000', '<id>');
      expect(text).not.toContain(requestIdA);
      expect(text).not.toContain(merchantA.MerchantID);
      expect(text).not.toContain(merchantA.PlatformID);
    },
  );

  it("after B used the key, it is still A's: A's replay is A's first answer, B's pays are B's", async () => {
    const replay = await pay(a, bodyA, KEY);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(answerA.body);
    // Every call B made under the key is in B's ledger, none in A's.
    const mine = await api(t.url, 'GET', `/v1/payment/transactions?MerchantTradeNo=${tradeA}`, {
      token: a.token,
    });
    const rows = mine.body.transactions as { request_id: string }[];
    expect(rows.map((r) => r.request_id)).toContain(requestIdA);
    expect(idsOfB.length).toBeGreaterThanOrEqual(10);
    for (const row of rows) expect(idsOfB).not.toContain(row.request_id);
    for (const id of idsOfB) {
      const asA = await api(t.url, 'GET', `/v1/payment/transactions/${id}`, { token: a.token });
      expect(asA.status).toBe(404);
    }
  });
});
