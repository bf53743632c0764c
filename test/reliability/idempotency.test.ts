import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  TYPE,
  newBarcode,
  newCompany,
  now,
  payRequest,
  registerKeys,
  registerStore,
  sandboxPost,
  startStoreScenario,
  tradeNo,
  type SandboxHandle,
  type SandboxMerchant,
  type TestCompany,
  type TestGateway,
} from '../gateway/helpers.js';

interface Raw {
  status: number;
  text: string;
  replayed: boolean;
}

/** Idempotency-Key with Stripe's semantics, against the real sandbox. */
describe('Idempotency-Key', () => {
  let sandbox: SandboxHandle;
  let t: TestGateway;
  let company: TestCompany;
  let merchant: SandboxMerchant;

  beforeAll(async () => {
    ({ sandbox, t, company, merchant } = await startStoreScenario({
      OMNIGATE_UPSTREAM_TIMEOUT_MS: '400',
      OMNIGATE_RECONCILE_SCHEDULE: '100ms',
      OMNIGATE_RECONCILE_INTERVAL_MS: '50',
    }));
  });

  afterAll(async () => {
    await t.close();
    await sandbox.close();
  });

  beforeEach(async () => {
    await fetch(`${sandbox.url}/sandbox/faults`, { method: 'DELETE' });
  });

  /** The raw answer, so replays can be compared byte for byte. */
  async function post(
    operation: 'pay' | 'cancel' | 'refund',
    body: object,
    key?: string,
    token = company.token,
  ): Promise<Raw> {
    const res = await fetch(`${t.url}/v1/payment/integrate/${operation}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...(key === undefined ? {} : { 'idempotency-key': key }),
      },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      text: await res.text(),
      replayed: res.headers.get('idempotent-replayed') === 'true',
    };
  }

  const upstreamCalls = (no: string, path: RegExp) =>
    sandbox.wallets.icash.log
      .list()
      .filter((c) => path.test(c.path) && c.payload?.MerchantTradeNo === no).length;

  const payBody = async (no: string) => ({
    type: TYPE,
    store_id: 'S1',
    request: payRequest(await newBarcode(sandbox), no),
  });
  const cancelBody = (no: string) => ({
    type: TYPE,
    store_id: 'S1',
    request: { MerchantTradeNo: no, MerchantTradeDate: now() },
  });

  it('replays the first answer byte for byte without calling icash again', async () => {
    const no = tradeNo('IDEM');
    const body = await payBody(no);
    const first = await post('pay', body, `key-${no}`);
    expect(first.status).toBe(200);
    expect(JSON.parse(first.text).RtnCode).toBe(1);
    const second = await post('pay', body, `key-${no}`);
    expect(second).toEqual({ ...first, replayed: true });
    expect(upstreamCalls(no, /DeductICPOF$/)).toBe(1);
  });

  it('a refund: replayed byte for byte, one RefundICPO, and the money refunded once', async () => {
    const original = tradeNo('IDRP');
    await post('pay', await payBody(original));
    const no = tradeNo('IDRF');
    const body = {
      type: TYPE,
      store_id: 'S1',
      request: {
        OMerchantTradeNo: original,
        MerchantTradeNo: no,
        MerchantTradeDate: now(),
        RefundTotalAmount: 60,
        RefundItemAmt: 60,
        RefundUtilityAmt: 0,
        RefundCommAmt: 0,
      },
    };
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => post('refund', body, `refund-${no}`)),
    );
    const first = answers.find((a) => a.status === 200 && !a.replayed)!;
    expect(JSON.parse(first.text).RtnCode).toBe(1);
    const replay = await post('refund', body, `refund-${no}`);
    expect(replay).toEqual({ ...first, replayed: true });
    expect(upstreamCalls(no, /RefundICPO$/)).toBe(1);
    // Only NT$60 of the NT$100 went back: NT$40 is still refundable, NT$41 is not.
    const rest = (amount: number) => ({
      ...body,
      request: {
        ...body.request,
        MerchantTradeNo: tradeNo('IDRF'),
        RefundTotalAmount: amount,
        RefundItemAmt: amount,
      },
    });
    expect(JSON.parse((await post('refund', rest(41))).text).RtnCode).toBe(2033);
    expect(JSON.parse((await post('refund', rest(40))).text).RtnCode).toBe(1);
  });

  it('without the header, a second identical pay reaches icash and is refused there (2027)', async () => {
    const no = tradeNo('NOKEY');
    const body = await payBody(no);
    expect(JSON.parse((await post('pay', body)).text).RtnCode).toBe(1);
    expect(JSON.parse((await post('pay', body)).text).RtnCode).toBe(2027);
    expect(upstreamCalls(no, /DeductICPOF$/)).toBe(2);
  });

  it('answers 422 idempotency_key_reused for the same key with a different body', async () => {
    const no = tradeNo('REUSE');
    const key = `key-${no}`;
    await post('cancel', cancelBody(no), key);
    const other = await post('cancel', cancelBody(tradeNo('OTHER')), key);
    expect(other.status).toBe(422);
    expect(JSON.parse(other.text)).toMatchObject({ code: 'idempotency_key_reused' });
  });

  it('scopes keys to the company', async () => {
    const other = await newCompany(t, 'other');
    await registerKeys(t, other.companyId, merchant);
    await registerStore(t, other.companyId, 'S1', merchant);
    const key = `shared-${tradeNo()}`;
    const a = await post('cancel', cancelBody(tradeNo('A')), key);
    const b = await post('cancel', cancelBody(tradeNo('B')), key, other.token);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.replayed).toBe(false);
  });

  it('replays validation errors too, and rejects a malformed key', async () => {
    const bad = { type: TYPE, store_id: 'S1', request: { MerchantTradeNo: 'X' } };
    const first = await post('cancel', bad, 'bad-body-key');
    expect(first.status).toBe(400);
    expect(await post('cancel', bad, 'bad-body-key')).toEqual({ ...first, replayed: true });
    const malformed = await post('cancel', cancelBody(tradeNo()), 'has space');
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.text).code).toBe('invalid_idempotency_key');
  });

  it('answers 409 while the first call is still running', async () => {
    const no = await (async () => {
      const n = tradeNo('BUSY');
      await post('pay', await payBody(n));
      return n;
    })();
    await sandboxPost(sandbox, '/sandbox/faults', {
      MerchantID: merchant.MerchantID,
      fault: 'delay',
      delayMs: 300,
      operation: 'DeductCancelICPOF',
    });
    const body = cancelBody(no);
    const first = post('cancel', body, `busy-${no}`);
    await new Promise((r) => setTimeout(r, 100));
    const second = await post('cancel', body, `busy-${no}`);
    expect(second.status).toBe(409);
    expect(JSON.parse(second.text).code).toBe('idempotency_in_progress');
    expect((await first).status).toBe(200);
  });

  it('50 concurrent identical requests with one key cause exactly one upstream call', async () => {
    const no = tradeNo('RACE');
    await post('pay', await payBody(no));
    const body = cancelBody(no);
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => post('cancel', body, `race-${no}`)),
    );
    expect(upstreamCalls(no, /DeductCancelICPOF$/)).toBe(1);
    const firstAnswer = answers.find((a) => a.status === 200 && !a.replayed)!;
    expect(JSON.parse(firstAnswer.text).RtnCode).toBe(1);
    for (const a of answers) {
      if (a.status === 409) expect(JSON.parse(a.text).code).toBe('idempotency_in_progress');
      else expect(a.text).toBe(firstAnswer.text);
    }
  });

  it('a replayed call whose outcome was unknown answers with its current, reconciled state', async () => {
    const no = tradeNo('UNK');
    await post('pay', await payBody(no));
    await sandboxPost(sandbox, '/sandbox/faults', {
      MerchantID: merchant.MerchantID,
      fault: 'drop',
      operation: 'DeductCancelICPOF',
    });
    const body = cancelBody(no);
    const first = await post('cancel', body, `unk-${no}`);
    expect(first.status).toBe(504);
    const requestId = JSON.parse(first.text).request_id as string;
    const deadline = Date.now() + 10_000;
    let replay: Raw;
    do {
      await new Promise((r) => setTimeout(r, 100));
      replay = await post('cancel', body, `unk-${no}`);
    } while (JSON.parse(replay.text).state !== 'succeeded' && Date.now() < deadline);
    expect(replay.status).toBe(200);
    expect(replay.replayed).toBe(true);
    expect(JSON.parse(replay.text)).toMatchObject({
      request_id: requestId,
      state: 'succeeded',
      operation: 'cancel',
    });
    expect(upstreamCalls(no, /DeductCancelICPOF$/)).toBe(1);
  });
});
