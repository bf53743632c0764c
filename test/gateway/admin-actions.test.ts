import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserService } from '../../src/admin/users.js';
import { control, newChannel, newKey, type TestChannel } from '../sandbox/line-pay/helpers.js';
import {
  TYPE,
  api,
  newBarcode,
  newCompany,
  newMerchant,
  payRequest,
  registerKeys,
  registerStore,
  sandboxPost,
  startSandbox,
  startTestGateway,
  tradeNo,
  type SandboxHandle,
  type SandboxMerchant,
  type TestCompany,
  type TestGateway,
} from './helpers.js';
import { PASSWORD, adminFetch, adminLogin, type Login } from './admin-helpers.js';

const LINE = 'LINE_QRCODE_PAY';

interface AdminRow {
  request_id: string;
  scenario: string;
  operation: string;
  type: string;
  state: string;
  amount: number | null;
  trade_no: string | null;
  original_trade_no: string | null;
  result_code: number | null;
}

/**
 * The operator's money actions (refund, cancel) over a real socket: built by the
 * payment's wallet from the ledger, sent through the Integrate pipeline against the
 * sandbox, written to the ledger like any call, replayed under an Idempotency-Key,
 * settled by the reconciler when the answer is lost, and audited.
 */
describe('admin API: refund and cancel from the ledger', () => {
  let sandbox: SandboxHandle;
  let t: TestGateway;
  let company: TestCompany;
  let other: TestCompany;
  let merchant: SandboxMerchant;
  let channel: TestChannel;
  let operatorLogin: Login;
  let viewerLogin: Login;
  let strangerLogin: Login;

  beforeAll(async () => {
    sandbox = await startSandbox();
    t = await startTestGateway({
      OMNIGATE_ICASH_TEST_URL: sandbox.baseUrls.icash,
      OMNIGATE_LINEPAY_TEST_URL: sandbox.url,
      OMNIGATE_UPSTREAM_TIMEOUT_MS: '400',
      OMNIGATE_RECONCILE_SCHEDULE: '100ms,200ms',
      OMNIGATE_RECONCILE_INTERVAL_MS: '50',
    });
    company = await newCompany(t);
    other = await newCompany(t, 'other company');
    merchant = await newMerchant(sandbox);
    await registerKeys(t, company.companyId, merchant);
    await registerStore(t, company.companyId, 'S1', merchant);
    channel = await newChannel(sandbox, { apiVersion: 'v4' });
    await t.gateway.services.provisioning.setStore({
      companyId: company.companyId,
      storeId: 'L1',
      type: LINE,
      env: 'test',
      input: {
        'channel-id': channel.channelId,
        'channel-secret': channel.channelSecret,
        'api-version': 'v4',
      },
    });
    const users = new UserService(t.gateway.services.store, { actor: 'system' });
    for (const [email, role, companyId] of [
      ['operator@a.example', 'operator', company.companyId],
      ['viewer@a.example', 'viewer', company.companyId],
      ['operator@b.example', 'operator', other.companyId],
    ] as const) {
      await users.create({ email, role, companyId, password: PASSWORD });
    }
    operatorLogin = await login('operator@a.example');
    viewerLogin = await login('viewer@a.example');
    strangerLogin = await login('operator@b.example');
  });

  afterAll(async () => {
    await t?.close();
    await sandbox?.close();
  });

  const login = (email: string): Promise<Login> => adminLogin(t.url, email);

  async function act(
    session: Login,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await adminFetch(t.url, 'POST', path, { session, body, headers });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  async function icashPay(amount = 100): Promise<{ requestId: string; no: string }> {
    const no = tradeNo('OPR');
    const res = await api(t.url, 'POST', '/v1/payment/integrate/pay', {
      token: company.token,
      body: {
        type: TYPE,
        store_id: 'S1',
        request: payRequest(await newBarcode(sandbox), no, amount),
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.RtnCode).toBe(1);
    return { requestId: res.headers.get('x-request-id')!, no };
  }

  const refundsOf = async (no: string) =>
    (await t.gateway.services.store.ledger.refundsOf(company.companyId, no)).filter(
      (r) => r.operation === 'refund',
    );

  it('an operator refunds part of an icash payment: a refund call in the ledger, the detail shows it, audited', async () => {
    const pay = await icashPay(100);
    const res = await act(operatorLogin, `/admin/v1/transactions/${pay.requestId}/refund`, {
      amount: 40,
    });
    expect(res.status).toBe(200);
    const row = res.body.transaction as AdminRow;
    expect(row).toMatchObject({
      operation: 'refund',
      type: TYPE,
      state: 'succeeded',
      amount: 40,
      original_trade_no: pay.no,
      result_code: 1,
    });
    expect(res.body.answer).toMatchObject({ code: 1 });
    expect(res.body.replayed).toBe(false);

    // The pay's view counts it as refunded, and its timeline lists it.
    const detail = await fetch(`${t.url}/admin/v1/transactions/${pay.requestId}`, {
      headers: { cookie: viewerLogin.cookie },
    });
    const timeline = (
      (await detail.json()) as { timeline: { refunds: AdminRow[]; audit: unknown[] } }
    ).timeline;
    expect(timeline.refunds.map((r) => r.request_id)).toEqual([row.request_id]);
    expect(timeline.audit).toMatchObject([
      {
        action: 'transaction.refund',
        target: pay.requestId,
        request_id: row.request_id,
        changes: { amount: 40, currency: 'TWD', state: 'succeeded' },
      },
    ]);
    const view = await api(t.url, 'GET', `/v1/payment/transactions/${pay.requestId}`, {
      token: company.token,
    });
    expect(view.body).toMatchObject({ refunded_amount: 40, refundable_amount: 60 });

    // icash holds it as a refund of that payment.
    const search = await api(
      t.url,
      'GET',
      `/v1/payment/integrate/search?${new URLSearchParams({
        type: TYPE,
        store_id: 'S1',
        request: JSON.stringify({ MerchantTradeNo: pay.no }),
      }).toString()}`,
      { token: company.token },
    );
    expect(search.body.RtnCode).toBe(1);

    // Over the rest: icash refuses it (2033), and the refusal is the row's outcome.
    const over = await act(operatorLogin, `/admin/v1/transactions/${pay.requestId}/refund`, {
      amount: 61,
    });
    expect(over.status).toBe(200);
    expect(over.body.transaction).toMatchObject({ state: 'declined', result_code: 2033 });
  });

  it('the same Idempotency-Key replays the first refund without a second call; another amount is 422', async () => {
    const pay = await icashPay(100);
    const path = `/admin/v1/transactions/${pay.requestId}/refund`;
    const key = { 'idempotency-key': `op-${pay.no}` };
    const first = await act(operatorLogin, path, { amount: 10 }, key);
    const again = await act(operatorLogin, path, { amount: 10 }, key);
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body.replayed).toBe(true);
    expect((again.body.transaction as AdminRow).request_id).toBe(
      (first.body.transaction as AdminRow).request_id,
    );
    expect(await refundsOf(pay.no)).toHaveLength(1);
    const reused = await act(operatorLogin, path, { amount: 11 }, key);
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('idempotency_key_reused');
    expect(await refundsOf(pay.no)).toHaveLength(1);
  });

  it('an operator cancels a payment; a cancelled payment refuses a refund; only a succeeded payment takes an action', async () => {
    const pay = await icashPay(100);
    const cancel = await act(operatorLogin, `/admin/v1/transactions/${pay.requestId}/cancel`);
    expect(cancel.status).toBe(200);
    expect(cancel.body.transaction).toMatchObject({
      operation: 'cancel',
      state: 'succeeded',
      trade_no: pay.no,
    });
    const refund = await act(operatorLogin, `/admin/v1/transactions/${pay.requestId}/refund`, {
      amount: 1,
    });
    expect(refund.status).toBe(200);
    expect(refund.body.transaction).toMatchObject({ state: 'declined', result_code: 2046 });

    const cancelId = (cancel.body.transaction as AdminRow).request_id;
    const notPay = await act(operatorLogin, `/admin/v1/transactions/${cancelId}/cancel`);
    expect(notPay.status).toBe(409);
    expect(notPay.body).toMatchObject({ code: 'not_cancellable' });
    expect(notPay.body.request_id).toEqual(expect.any(String));
    const notPay2 = await act(operatorLogin, `/admin/v1/transactions/${cancelId}/refund`, {
      amount: 1,
    });
    expect(notPay2.body).toMatchObject({ code: 'not_refundable' });
  });

  it('roles, companies, CSRF and amounts: viewer 403, another company 404, no token 403, bad amounts 400; nothing sent', async () => {
    const pay = await icashPay(100);
    const path = `/admin/v1/transactions/${pay.requestId}/refund`;
    expect((await act(viewerLogin, path, { amount: 1 })).status).toBe(403);
    expect((await act(strangerLogin, path, { amount: 1 })).status).toBe(404);
    const noCsrf = await act({ ...operatorLogin, csrf: 'x' }, path, { amount: 1 });
    expect(noCsrf).toMatchObject({ status: 403, body: { code: 'csrf_failed' } });
    for (const amount of [0, -1, 1.5, 'ten', null, 1e12, [1], { n: 1 }]) {
      const res = await act(operatorLogin, path, { amount });
      expect(res.status, JSON.stringify(amount)).toBe(400);
      expect(res.body.code).toEqual(expect.any(String));
    }
    expect((await act(operatorLogin, path, {})).status).toBe(400);
    expect((await act(operatorLogin, path, { amount: 1, extra: 1 })).status).toBe(400);
    expect(
      (await act(operatorLogin, `/admin/v1/transactions/${pay.requestId}/cancel`, { amount: 1 }))
        .status,
    ).toBe(400);
    expect(await refundsOf(pay.no)).toHaveLength(0);
  });

  it('a refund whose answer is lost is unknown (504), then settled by the reconciler like any other', async () => {
    const pay = await icashPay(100);
    await sandboxPost(sandbox, '/sandbox/faults', {
      MerchantID: merchant.MerchantID,
      fault: 'delay',
      operation: 'RefundICPO',
      delayMs: 1000,
    });
    const res = await act(operatorLogin, `/admin/v1/transactions/${pay.requestId}/refund`, {
      amount: 25,
    });
    expect(res.status).toBe(504);
    const id = res.body.request_id as string;
    const deadline = Date.now() + 10_000;
    let state = 'unknown';
    while (Date.now() < deadline) {
      state = (await t.gateway.services.store.ledger.find(id))!.state;
      if (state !== 'unknown' && state !== 'pending') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(state).toBe('succeeded');
    const attempts = await t.gateway.services.store.ledger.attempts(id);
    expect(attempts.length).toBeGreaterThan(0);
    const audit = await t.gateway.services.store.audit.list({ target: pay.requestId });
    expect(audit[0]).toMatchObject({
      action: 'transaction.refund',
      requestId: id,
      changes: { state: 'unknown', error_code: 'upstream_timeout' },
    });
  });

  it('LINE Pay: a partial refund, then a cancel of the rest, from the ledger', async () => {
    const orderId = `OP-${Date.now()}`;
    const pay = await api(t.url, 'POST', '/v1/payment/integrate/pay', {
      token: company.token,
      body: {
        type: LINE,
        store_id: 'L1',
        request: {
          productName: '測試商品',
          amount: 1280,
          currency: 'TWD',
          orderId,
          oneTimeKey: await newKey(sandbox, channel, 10_000),
        },
      },
    });
    expect(pay.status).toBe(200);
    const payId = pay.headers.get('x-request-id')!;
    const refund = await act(operatorLogin, `/admin/v1/transactions/${payId}/refund`, {
      amount: 280,
    });
    expect(refund.status).toBe(200);
    expect(refund.body.transaction).toMatchObject({
      operation: 'refund',
      type: LINE,
      state: 'succeeded',
      amount: 280,
    });
    const cancel = await act(operatorLogin, `/admin/v1/transactions/${payId}/cancel`);
    expect(cancel.body.transaction).toMatchObject({
      operation: 'cancel',
      state: 'succeeded',
      amount: 1000,
    });
    const calls = (
      await control<{ operation: string | null; body?: unknown }[]>(
        sandbox,
        'GET',
        `/sandbox/line-pay/calls?channelId=${channel.channelId}`,
      )
    ).body.filter((c) => c.operation === 'refund');
    expect(calls).toHaveLength(2);
  });

  it('an icash vendor-scenario payment is refunded with the key set it used (stored), the ids from its row', async () => {
    const no = tradeNo('VND');
    const pay = await api(t.url, 'POST', '/v1/payment/integrate/pay', {
      token: company.token,
      body: {
        type: TYPE,
        is_test: true,
        request: {
          PlatformID: merchant.PlatformID,
          MerchantID: merchant.MerchantID,
          ...payRequest(await newBarcode(sandbox), no, 300),
        },
      },
    });
    expect(pay.body.RtnCode).toBe(1);
    const res = await act(
      operatorLogin,
      `/admin/v1/transactions/${pay.headers.get('x-request-id')!}/refund`,
      { amount: 300 },
    );
    expect(res.status).toBe(200);
    expect(res.body.transaction).toMatchObject({
      operation: 'refund',
      scenario: 'vendor',
      state: 'succeeded',
      original_trade_no: no,
    });
  });

  it('a vendor-scenario payment whose secret was never stored cannot be acted on: 409, nothing sent', async () => {
    const vendor = await newChannel(sandbox, { apiVersion: 'both' });
    const orderId = `OV-${Date.now()}`;
    const pay = await api(t.url, 'POST', '/v1/payment/integrate/pay', {
      token: company.token,
      body: {
        type: LINE,
        is_test: true,
        request: {
          channel_id: vendor.channelId,
          channel_secret: vendor.channelSecret,
          productName: 'p',
          amount: 100,
          currency: 'TWD',
          orderId,
          oneTimeKey: await newKey(sandbox, vendor, 1000),
        },
      },
    });
    expect(pay.status).toBe(200);
    const res = await act(
      operatorLogin,
      `/admin/v1/transactions/${pay.headers.get('x-request-id')!}/refund`,
      { amount: 10 },
    );
    expect(pay.body.returnCode).toBe('0000');
    expect(res).toMatchObject({ status: 409, body: { code: 'credentials_not_stored' } });
  });
});
