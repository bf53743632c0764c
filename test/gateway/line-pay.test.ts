import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLosslessObject, stringifyLossless } from '../../src/core/lossless-json.js';
import { control, newChannel, newKey, type TestChannel } from '../sandbox/line-pay/helpers.js';
import {
  api,
  newCompany,
  searchPath,
  startSandbox,
  startTestGateway,
  type SandboxHandle,
  type TestCompany,
  type TestGateway,
} from './helpers.js';

const LINE = 'LINE_QRCODE_PAY';

/**
 * LINE_QRCODE_PAY through the same Integrate endpoints, over real sockets
 * against the LINE Pay simulator: both scenarios, both auth versions, LINE's
 * answers passed on with every digit of its 19-digit ids, refusals passed
 * through, the ledger's amounts, and no channel secret anywhere it should not be.
 */
describe('LINE_QRCODE_PAY through the Integrate API', () => {
  let sandbox: SandboxHandle;
  let t: TestGateway;
  let company: TestCompany;
  let v2: TestChannel;
  let v4: TestChannel;

  beforeAll(async () => {
    sandbox = await startSandbox();
    t = await startTestGateway({
      OMNIGATE_LINEPAY_TEST_URL: sandbox.url,
      OMNIGATE_LINEPAY_PAY_TIMEOUT_MS: '1000',
      OMNIGATE_LINEPAY_TIMEOUT_MS: '1000',
      OMNIGATE_LOG_LEVEL: 'trace',
    });
    company = await newCompany(t);
    v2 = await newChannel(sandbox, { apiVersion: 'v2' });
    v4 = await newChannel(sandbox, { apiVersion: 'v4' });
    for (const [store, channel, version] of [
      ['L2', v2, 'v2'],
      ['L4', v4, 'v4'],
    ] as const) {
      await t.gateway.services.provisioning.setStore({
        companyId: company.companyId,
        storeId: store,
        type: LINE,
        env: 'test',
        input: {
          'channel-id': channel.channelId,
          'channel-secret': channel.channelSecret,
          'api-version': version,
        },
      });
    }
  });

  afterAll(async () => {
    await t?.close();
    await sandbox?.close();
  });

  let seq = 0;
  const orderId = () => `LP-${Date.now()}-${(seq += 1)}`;
  /** The raw answer text too: LINE's ids must arrive with the digits LINE sent. */
  const post = async (operation: string, body: object, headers: Record<string, string> = {}) => {
    const res = await fetch(`${t.url}/v1/payment/integrate/${operation}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${company.token}`,
        'content-type': 'application/json',
        ...headers,
      },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, text, body: parseLosslessObject(text) ?? {} };
  };
  const search = async (store: string, request: string) => {
    const res = await fetch(
      `${t.url}${searchPath({ type: LINE, store_id: store, is_test: 'true', request })}`,
      { headers: { authorization: `Bearer ${company.token}` } },
    );
    const text = await res.text();
    return { status: res.status, text, body: parseLosslessObject(text) ?? {} };
  };
  const payRequest = async (
    channel: TestChannel,
    id: string,
    amount: number,
    balance = 10_000,
  ) => ({
    productName: '測試商品',
    amount,
    currency: 'TWD',
    orderId: id,
    oneTimeKey: await newKey(sandbox, channel, balance),
  });
  const queueIds = (ids: string[]) =>
    control(sandbox, 'POST', '/sandbox/line-pay/transaction-ids', { transactionIds: ids });
  const lineCalls = async (channel: TestChannel) =>
    (
      await control<{ path: string; operation: string | null }[]>(
        sandbox,
        'GET',
        `/sandbox/line-pay/calls?channelId=${channel.channelId}`,
      )
    ).body;

  for (const [store, version] of [
    ['L2', 'v2'],
    ['L4', 'v4'],
  ] as const) {
    it(`${version} channel: pay, search, partial refunds, cancel of the rest; ids above 2^63 exact`, async () => {
      const id = orderId();
      const payId = version === 'v2' ? '9223372036854775808' : '9999999999999999999';
      const refundIds =
        version === 'v2'
          ? ['9223372036854775809', '9223372036854775810', '9223372036854775811']
          : ['9999999999999999998', '9999999999999999997', '9999999999999999996'];
      expect((await queueIds([payId, ...refundIds])).status).toBe(201);
      const channel = version === 'v2' ? v2 : v4;

      const paid = await post('pay', {
        type: LINE,
        store_id: store,
        is_test: true,
        request: await payRequest(channel, id, 1280),
      });
      expect(paid.status).toBe(200);
      expect(paid.body).toMatchObject({ returnCode: '0000' });
      // The bare number with every digit, exactly as LINE sent it.
      expect(paid.text).toContain(`"transactionId":${payId}`);
      expect(stringifyLossless(paid.body)).toBe(paid.text);

      const byOrder = await search(store, JSON.stringify({ orderId: id }));
      expect(byOrder.body.returnCode).toBe('0000');
      expect(byOrder.text).toContain(`"transactionId":${payId}`);
      // transactionId as a bare 19-digit number in the query, and as a string.
      for (const request of [`{"transactionId":${payId}}`, `{"transactionId":"${payId}"}`]) {
        const byId = await search(store, request);
        expect(byId.body.returnCode).toBe('0000');
        expect(byId.text).toContain(`"orderId":"${id}"`);
      }

      const refund1 = await post('refund', {
        type: LINE,
        store_id: store,
        request: { orderId: id, refundAmount: 300 },
      });
      expect(refund1.body.returnCode).toBe('0000');
      expect(refund1.text).toContain(`"refundTransactionId":${refundIds[0]}`);
      const refund2 = await post('refund', {
        type: LINE,
        store_id: store,
        request: { orderId: id, refundAmount: 480 },
      });
      expect(refund2.text).toContain(`"refundTransactionId":${refundIds[1]}`);
      const over = await post('refund', {
        type: LINE,
        store_id: store,
        request: { orderId: id, refundAmount: 501 },
      });
      expect(over.status).toBe(200);
      expect(over.body.returnCode).toBe('1164');

      const cancel = await post('cancel', {
        type: LINE,
        store_id: store,
        request: { orderId: id },
      });
      expect(cancel.body.returnCode).toBe('0000');
      expect(cancel.text).toContain(`"refundTransactionId":${refundIds[2]}`);
      const again = await post('cancel', { type: LINE, store_id: store, request: { orderId: id } });
      expect(again.body.returnCode).toBe('1165');

      const details = await search(store, JSON.stringify({ orderId: id }));
      for (const refundId of refundIds)
        expect(details.text).toContain(`"refundTransactionId":${refundId}`);

      // The ledger: amounts and currency, ids as text with every digit, refunds naming the order.
      const view = await api(t.url, 'GET', `/v1/payment/transactions?orderId=${id}`, {
        token: company.token,
      });
      const rows = (view.body.transactions as Record<string, unknown>[]).filter(
        (r) => r.operation !== 'search',
      );
      expect(rows.map((r) => [r.operation, r.state])).toEqual([
        ['pay', 'succeeded'],
        ['refund', 'succeeded'],
        ['refund', 'succeeded'],
        ['refund', 'declined'],
        ['cancel', 'succeeded'],
        ['cancel', 'declined'],
      ]);
      expect(rows[0]).toMatchObject({
        type: LINE,
        channel_id: channel.channelId,
        orderId: id,
        transactionId: payId,
        amount: 1280,
        currency: 'TWD',
        returnCode: '0000',
        refunded_amount: 1280,
        refundable_amount: 0,
      });
      expect(rows[1]).toMatchObject({ amount: 300, transactionId: refundIds[0] });
      expect(rows[4]).toMatchObject({ amount: 500, transactionId: refundIds[2] });
      expect(rows[5]).toMatchObject({ returnCode: '1165' });
      // The channel used the version it was configured with.
      const paths = (await lineCalls(channel)).map((c) => c.path);
      expect(paths.every((p) => p.startsWith(`/${version}/`))).toBe(true);
    });
  }

  it('vendor scenario: channel_id and channel_secret in the request; the secret is never stored, logged or echoed', async () => {
    const channel = await newChannel(sandbox, { apiVersion: 'both' });
    const id = orderId();
    const credentials = { channel_id: channel.channelId, channel_secret: channel.channelSecret };
    const paid = await post('pay', {
      type: LINE,
      store_id: '0',
      request: { ...credentials, ...(await payRequest(channel, id, 100)) },
    });
    expect(paid.body.returnCode).toBe('0000');
    const refunded = await post('refund', {
      type: LINE,
      request: { ...credentials, orderId: id, refundAmount: 40 },
    });
    expect(refunded.body.returnCode).toBe('0000');
    const found = await search('0', JSON.stringify({ ...credentials, orderId: id }));
    expect(found.body.returnCode).toBe('0000');
    for (const text of [paid.text, refunded.text, found.text]) {
      expect(text).not.toContain(channel.channelSecret);
    }
    // Neither this secret (never stored) nor the stores' (sealed) is in the database's bytes.
    for (const secret of [channel.channelSecret, v2.channelSecret, v4.channelSecret]) {
      expect(t.databaseBytes().includes(Buffer.from(secret))).toBe(false);
    }
    expect(t.logs.filter((line) => line.includes(channel.channelSecret))).toEqual([]);
    // Only one of the two: the missing one is named.
    const half = await post('pay', {
      type: LINE,
      request: { channel_id: channel.channelId, ...(await payRequest(channel, orderId(), 1)) },
    });
    expect(half).toMatchObject({ status: 400, body: { message: 'channel_secret 不可為空' } });
  });

  it("LINE's refusals pass through at HTTP 200: 1133 key used, 1142 low balance, 1172 orderId taken", async () => {
    const id = orderId();
    const request = await payRequest(v2, id, 500, 100);
    const low = await post('pay', { type: LINE, store_id: 'L2', request });
    expect(low).toMatchObject({ status: 200, body: { returnCode: '1142' } });
    const reused = await post('pay', {
      type: LINE,
      store_id: 'L2',
      request: { ...request, orderId: orderId() },
    });
    expect(reused.body.returnCode).toBe('1133');
    const ok = await post('pay', {
      type: LINE,
      store_id: 'L2',
      request: await payRequest(v2, orderId(), 10),
    });
    expect(ok.body.returnCode).toBe('0000');
    const taken = await post('pay', {
      type: LINE,
      store_id: 'L2',
      request: { ...(await payRequest(v2, id, 10)) },
    });
    expect(taken.body.returnCode).toBe('1172');
  });

  it('validation: every LINE field, in the contract order', async () => {
    const base = await payRequest(v2, orderId(), 100);
    const refuse = async (request: Record<string, unknown>, message: string | RegExp) => {
      const res = await post('pay', { type: LINE, store_id: 'L2', request });
      expect(res.status).toBe(400);
      if (typeof message === 'string') expect(res.body.message).toBe(message);
      else expect(String(res.body.message)).toMatch(message);
    };
    for (const field of ['productName', 'amount', 'currency', 'orderId', 'oneTimeKey']) {
      const request = Object.fromEntries(Object.entries(base).filter(([k]) => k !== field));
      await refuse(request, `${field} 不可為空`);
    }
    await refuse({ ...base, currency: 'EUR' }, 'currency 格式錯誤');
    await refuse({ ...base, amount: 1.5 }, 'amount 格式錯誤');
    await refuse({ ...base, amount: 0 }, /^amount 格式錯誤/);
    await refuse({ ...base, oneTimeKey: '12345' }, /^oneTimeKey 格式錯誤/);
    await refuse({ ...base, oneTimeKey: 'abcdefabcdef' }, 'oneTimeKey 格式錯誤');
    await refuse({ ...base, orderId: 'X'.repeat(101) }, 'orderId 格式錯誤');
    await refuse({ ...base, productName: 'x'.repeat(4001) }, 'productName 格式錯誤');
    await refuse({ ...base, MerchantTradeNo: 'X1' }, '不支援的欄位 MerchantTradeNo');
    const refund = await post('refund', {
      type: LINE,
      store_id: 'L2',
      request: { orderId: 'A1', refundAmount: -1 },
    });
    expect(refund.body.message).toBe('refundAmount 格式錯誤');
    const noKey = await search('L2', JSON.stringify({}));
    expect(noKey.body.message).toBe('orderId 不可為空');
    const badId = await search('L2', JSON.stringify({ transactionId: '12ab' }));
    expect(badId.body.message).toBe('transactionId 格式錯誤');
    const unconfigured = await post('pay', { type: LINE, store_id: 'NOPE', request: base });
    expect(unconfigured).toMatchObject({ status: 404, body: { message: '門市 NOPE 不存在' } });
  });

  it('an Idempotency-Key replays a LINE pay byte for byte with exactly one upstream pay', async () => {
    const channel = await newChannel(sandbox, { apiVersion: 'v2' });
    const id = orderId();
    const body = {
      type: LINE,
      request: {
        channel_id: channel.channelId,
        channel_secret: channel.channelSecret,
        ...(await payRequest(channel, id, 100)),
      },
    };
    const first = await post('pay', body, { 'idempotency-key': `line-${id}` });
    const second = await post('pay', body, { 'idempotency-key': `line-${id}` });
    expect(first.body.returnCode).toBe('0000');
    expect(second.text).toBe(first.text);
    expect((await lineCalls(channel)).filter((c) => c.operation === 'pay')).toHaveLength(1);
  });

  it('another company sees neither the store nor the calls', async () => {
    const other = await newCompany(t, 'other');
    const res = await api(t.url, 'POST', '/v1/payment/integrate/pay', {
      token: other.token,
      body: { type: LINE, store_id: 'L2', request: await payRequest(v2, orderId(), 1) },
    });
    expect(res).toMatchObject({ status: 404, body: { message: '門市 L2 不存在' } });
  });
});

describe('LINE_QRCODE_PAY unknown outcomes, settled by the reconciler', () => {
  let sandbox: SandboxHandle;
  let t: TestGateway;
  let company: TestCompany;
  let channel: TestChannel;

  beforeAll(async () => {
    sandbox = await startSandbox();
    t = await startTestGateway({
      OMNIGATE_LINEPAY_TEST_URL: sandbox.url,
      OMNIGATE_LINEPAY_PAY_TIMEOUT_MS: '300',
      OMNIGATE_LINEPAY_TIMEOUT_MS: '300',
      OMNIGATE_RECONCILE_SCHEDULE: '100ms,200ms',
      OMNIGATE_RECONCILE_INTERVAL_MS: '50',
    });
    company = await newCompany(t);
    channel = await newChannel(sandbox, { apiVersion: 'v4' });
    await t.gateway.services.provisioning.setStore({
      companyId: company.companyId,
      storeId: 'L',
      type: LINE,
      env: 'test',
      input: {
        'channel-id': channel.channelId,
        'channel-secret': channel.channelSecret,
        'api-version': 'v4',
      },
    });
  });

  afterAll(async () => {
    await t?.close();
    await sandbox?.close();
  });

  const post = (operation: string, request: object) =>
    api(t.url, 'POST', `/v1/payment/integrate/${operation}`, {
      token: company.token,
      body: { type: LINE, store_id: 'L', request },
    });
  const fault = (body: object) =>
    control(sandbox, 'POST', '/sandbox/faults', { channelId: channel.channelId, ...body });
  async function settled(requestId: string): Promise<Record<string, unknown>> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const res = await api(t.url, 'GET', `/v1/payment/transactions/${requestId}`, {
        token: company.token,
      });
      if (res.body.state !== 'unknown' && res.body.state !== 'pending') return res.body;
      if (Date.now() > deadline) throw new Error(`still ${String(res.body.state)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  let seq = 0;
  const orderId = () => `LU-${Date.now()}-${(seq += 1)}`;

  it('a pay answered too late (it committed): 504, then succeeded from the order check, with its transactionId', async () => {
    const id = orderId();
    await fault({ fault: 'delay', operation: 'pay', delayMs: 800 });
    const res = await post('pay', {
      productName: 'p',
      amount: 100,
      currency: 'TWD',
      orderId: id,
      oneTimeKey: await newKey(sandbox, channel, 1000),
    });
    expect(res.status).toBe(504);
    expect(res.body.message).toBe('LINE Pay 未在時限內回應，交易結果未知，請以查詢確認');
    const view = await settled(res.body.request_id as string);
    expect(view).toMatchObject({ state: 'succeeded', orderId: id });
    expect(view.transactionId).toMatch(/^\d{19}$/);
    expect((view.reconciliation as Record<string, unknown>[]).at(-1)).toMatchObject({
      payStatus: 'COMPLETE',
      returnCode: '0000',
      result: 'succeeded',
    });
  });

  it('a check that first says AUTH_READY keeps the pay unknown until it completes', async () => {
    const id = orderId();
    // The pay stays AUTH_READY at LINE for 800 ms (past the 300 ms time-out), then completes.
    await fault({ fault: 'auth_ready', operation: 'pay', delayMs: 800, then: 'COMPLETE' });
    const res = await post('pay', {
      productName: 'p',
      amount: 100,
      currency: 'TWD',
      orderId: id,
      oneTimeKey: await newKey(sandbox, channel, 1000),
    });
    expect([502, 504]).toContain(res.status);
    const view = await settled(res.body.request_id as string);
    expect(view.state).toBe('succeeded');
    const attempts = view.reconciliation as Record<string, unknown>[];
    expect(attempts.some((a) => a.payStatus === 'AUTH_READY' && a.result === 'unknown')).toBe(true);
  });

  it('a refund whose answer was lost (a 5xx page) is settled from refundList, its id claimed', async () => {
    const id = orderId();
    const paid = await post('pay', {
      productName: 'p',
      amount: 500,
      currency: 'TWD',
      orderId: id,
      oneTimeKey: await newKey(sandbox, channel, 1000),
    });
    expect(paid.body.returnCode).toBe('0000');
    expect((await post('refund', { orderId: id, refundAmount: 100 })).body.returnCode).toBe('0000');
    await fault({ fault: 'http5xx', operation: 'refund', httpStatus: 502 });
    const lost = await post('refund', { orderId: id, refundAmount: 100 });
    expect(lost.status).toBe(502);
    const view = await settled(lost.body.request_id as string);
    expect(view).toMatchObject({ state: 'succeeded', amount: 100 });
    const first = await api(t.url, 'GET', `/v1/payment/transactions?orderId=${id}`, {
      token: company.token,
    });
    const rows = (first.body.transactions as Record<string, unknown>[]).filter(
      (r) => r.operation !== 'search',
    );
    // Two refunds of 100: each has its own refundTransactionId, none claimed twice.
    const ids = rows.filter((r) => r.operation === 'refund').map((r) => r.transactionId);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    expect(rows[0]).toMatchObject({ refunded_amount: 200, refundable_amount: 300 });
  });
});
