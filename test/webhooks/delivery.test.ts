import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookEndpoints } from '../../src/webhooks/endpoints.js';
import {
  api,
  newBarcode,
  payRequest,
  searchPath,
  startStoreScenario,
  tradeNo,
  TYPE,
  type StoreScenario,
} from '../gateway/helpers.js';
import { freePort, injectFault, waitFor } from '../reliability/helpers.js';
import {
  eventOf,
  startReceiver,
  verifyByHand,
  verifyWithLibrary,
  type Receiver,
  type Received,
} from './receiver.js';

/**
 * Webhooks end to end: a real gateway (SQLite file, or PostgreSQL in the postgres
 * project) with its delivery worker, the real sandbox, and a real HTTP receiver;
 * every signature checked with the standardwebhooks library and by hand.
 */
describe('webhook delivery', () => {
  let s: StoreScenario;
  let receiver: Receiver;
  let endpoints: WebhookEndpoints;
  let secret: string;
  let endpointId: string;

  beforeAll(async () => {
    s = await startStoreScenario({
      OMNIGATE_WEBHOOK_SCHEDULE: '0s,100ms,100ms',
      OMNIGATE_WEBHOOK_INTERVAL_MS: '50',
      OMNIGATE_WEBHOOK_TIMEOUT_MS: '500',
      OMNIGATE_RECONCILE_SCHEDULE: '100ms,200ms',
      OMNIGATE_RECONCILE_INTERVAL_MS: '50',
    });
    receiver = await startReceiver();
    endpoints = new WebhookEndpoints(s.t.gateway.services.store, {
      httpsOnly: false,
      allowPrivate: true,
    });
    const created = await endpoints.create(s.company.companyId, receiver.url, null);
    secret = created.secret.reveal();
    endpointId = created.endpointId;
  });

  afterAll(async () => {
    await s.t.close();
    await s.sandbox.close();
    await receiver.close();
  });

  const call = (operation: 'pay' | 'cancel' | 'refund', request: object) =>
    api(s.t.url, 'POST', `/v1/payment/integrate/${operation}`, {
      token: s.company.token,
      body: { type: TYPE, store_id: 'S1', request },
    });

  /** The receiver's requests for one ledger row, once `count` arrived. */
  const eventsFor = (requestId: string, count = 1): Promise<Received[]> =>
    waitFor(
      `${count} webhook(s) for ${requestId}`,
      () => {
        const got = receiver.received.filter((r) => eventOf(r).data.request_id === requestId);
        return got.length >= count ? got : undefined;
      },
      10_000,
    );

  it('sends signed events for pay, cancel and refund, none for a search or a validation refusal', async () => {
    const payNo = tradeNo('WP');
    const cancelNo = tradeNo('WC');
    const paid = await call('pay', payRequest(await newBarcode(s.sandbox), payNo, 300));
    expect(paid.status).toBe(200);
    const payId = String(paid.headers.get('x-request-id'));
    const refund = await call('refund', {
      OMerchantTradeNo: payNo,
      MerchantTradeNo: tradeNo('WR'),
      MerchantTradeDate: payRequest('', '').MerchantTradeDate,
      RefundTotalAmount: 100,
      RefundItemAmt: 100,
      RefundUtilityAmt: 0,
      RefundCommAmt: 0,
    });
    expect(refund.body.RtnCode).toBe(1);
    const second = await call('pay', payRequest(await newBarcode(s.sandbox), cancelNo));
    const cancelled = await call('cancel', {
      MerchantTradeNo: cancelNo,
      MerchantTradeDate: payRequest('', '').MerchantTradeDate,
    });
    expect(cancelled.body.RtnCode).toBe(1);
    const searched = await api(
      s.t.url,
      'GET',
      searchPath({
        type: TYPE,
        store_id: 'S1',
        request: JSON.stringify({ MerchantTradeNo: cancelNo }),
      }),
      { token: s.company.token },
    );
    expect(searched.status).toBe(200);
    const refused = await call('pay', { MerchantTradeNo: '' });
    expect(refused.status).toBe(400);

    const ids = [paid, refund, second, cancelled].map((r) => String(r.headers.get('x-request-id')));
    for (const id of ids) {
      const [event] = await eventsFor(id);
      expect(verifyWithLibrary(secret, event!)).toMatchObject({ type: 'transaction.succeeded' });
      expect(verifyByHand(secret, event!)).toBe(true);
      expect(event!.headers['webhook-id']).toMatch(/^msg_/);
      const body = eventOf(event!);
      const view = await api(s.t.url, 'GET', `/v1/payment/transactions/${id}`, {
        token: s.company.token,
      });
      // The transaction as GET /v1/payment/transactions/{id} shows it (a pay's refund
      // figures may have moved since), plus whether the reconciler settled it.
      const moving = ['refunded_amount', 'refundable_amount', 'refunds_unsettled'];
      const stable = Object.fromEntries(
        Object.entries(view.body).filter(([k]) => !moving.includes(k)),
      );
      expect(body.data).toMatchObject(stable);
      expect(body).toMatchObject({ type: 'transaction.succeeded', data: { reconciled: false } });
      expect(new Date(body.timestamp).toISOString()).toBe(body.timestamp);
      expect(event!.body).not.toContain(secret);
      expect(event!.body).not.toContain(secret.slice('whsec_'.length));
    }
    expect(eventOf((await eventsFor(payId))[0]!).data.operation).toBe('pay');
    // Let the worker pass a few more times: nothing for the search or the refusal.
    await new Promise((r) => setTimeout(r, 500));
    const searchId = String(searched.headers.get('x-request-id'));
    const refusedId = String(refused.headers.get('x-request-id'));
    const all = receiver.received.map((r) => eventOf(r).data.request_id);
    expect(all).not.toContain(searchId);
    expect(all).not.toContain(refusedId);
    expect(all.filter((id) => ids.includes(id))).toHaveLength(ids.length);
  });

  it('announces a declined pay (the wallet answered no)', async () => {
    // A barcode holding NT$10 cannot pay NT$100.
    const paid = await call('pay', payRequest(await newBarcode(s.sandbox, 10), tradeNo('WD')));
    expect(paid.status).toBe(200);
    expect(paid.body.RtnCode).not.toBe(1);
    const [event] = await eventsFor(String(paid.headers.get('x-request-id')));
    expect(verifyWithLibrary(secret, event!)).toMatchObject({
      type: 'transaction.declined',
      data: { state: 'declined', operation: 'pay', reconciled: false },
    });
  });

  it('announces an unknown call and then its reconciliation (data.reconciled)', async () => {
    await injectFault(s.sandbox, {
      MerchantID: s.merchant.MerchantID,
      fault: 'http500',
      count: 1,
      operation: 'DeductICPOF',
      process: true,
    });
    const paid = await call('pay', payRequest(await newBarcode(s.sandbox), tradeNo('WU')));
    const id = String(paid.headers.get('x-request-id'));
    const events = (await eventsFor(id, 2)).map(eventOf);
    expect(events.map((e) => [e.type, e.data.reconciled])).toEqual([
      ['transaction.unknown', false],
      ['transaction.succeeded', true],
    ]);
    expect(events[0]!.data.state).toBe('unknown');
  });

  it('retries a 500, a time-out and a refused connection with the same webhook-id, recording every attempt', async () => {
    receiver.script.push(500, 'hang');
    const paid = await call('pay', payRequest(await newBarcode(s.sandbox), tradeNo('WT')));
    const id = String(paid.headers.get('x-request-id'));
    const got = await eventsFor(id, 3);
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(1);
    for (const r of got) expect(verifyWithLibrary(secret, r)).toBeTruthy();
    expect(got.map((r) => r.body)).toEqual([got[0]!.body, got[0]!.body, got[0]!.body]);
    const eventId = String(got[0]!.headers['webhook-id']);
    const [delivery] = await waitFor(
      'delivered',
      async () => {
        const d = await endpoints.deliveries({ eventId });
        return d[0]?.state === 'delivered' ? d : undefined;
      },
      10_000,
    );
    expect(delivery!.attempts.map((a) => [a.status, a.error])).toEqual([
      [500, null],
      [null, 'timeout'],
      [204, null],
    ]);
    for (const a of delivery!.attempts) expect(a.latencyMs).toBeGreaterThanOrEqual(0);

    // Nothing listens on the endpoint's port at first: refused, then it comes up.
    const port = await freePort();
    const late = await endpoints.create(s.company.companyId, `http://127.0.0.1:${port}/late`, [
      'transaction.succeeded',
    ]);
    const paid2 = await call('pay', payRequest(await newBarcode(s.sandbox), tradeNo('WL')));
    const id2 = String(paid2.headers.get('x-request-id'));
    const refusedOnce = await waitFor(
      'a refused attempt',
      async () => {
        const d = (await endpoints.deliveries({ companyId: s.company.companyId })).find(
          (x) => x.endpointId === late.endpointId && x.requestId === id2,
        );
        return d && d.attempts.length > 0 ? d : undefined;
      },
      10_000,
    );
    expect(refusedOnce.attempts[0]!.error).toMatch(/ECONNREFUSED/);
    const lateReceiver = await startReceiver(port);
    try {
      if (refusedOnce.state === 'failed')
        await endpoints.resend({ deliveryId: refusedOnce.deliveryId });
      const arrived = await waitFor(
        'the late endpoint',
        () => (lateReceiver.received.length > 0 ? lateReceiver.received : undefined),
        10_000,
      );
      expect(arrived[0]!.headers['webhook-id']).toBe(refusedOnce.eventId);
      expect(verifyByHand(late.secret.reveal(), arrived[0]!)).toBe(true);
    } finally {
      await endpoints.delete(late.endpointId);
      await lateReceiver.close();
    }
  });

  it('marks a delivery failed after the last attempt, and resends it by hand with the same id', async () => {
    receiver.script.push(500, 500, 503);
    const paid = await call('pay', payRequest(await newBarcode(s.sandbox), tradeNo('WF')));
    const id = String(paid.headers.get('x-request-id'));
    const got = await eventsFor(id, 3);
    const eventId = String(got[0]!.headers['webhook-id']);
    const failed = await waitFor(
      'failed',
      async () => {
        const d = await endpoints.deliveries({ eventId });
        return d[0]?.state === 'failed' ? d[0] : undefined;
      },
      10_000,
    );
    expect(failed.attempts.map((a) => a.status)).toEqual([500, 500, 503]);
    expect(await endpoints.resend({ eventId })).toEqual([failed.deliveryId]);
    const again = await eventsFor(id, 4);
    expect(again[3]!.headers['webhook-id']).toBe(eventId);
    expect(verifyWithLibrary(secret, again[3]!)).toBeTruthy();
    const delivered = await waitFor(
      'delivered after resend',
      async () => {
        const d = await endpoints.deliveries({ eventId });
        return d[0]?.state === 'delivered' ? d[0] : undefined;
      },
      10_000,
    );
    expect(delivered.attempts.map((a) => a.status)).toEqual([500, 500, 503, 204]);
  });

  it('signs with the new secret after a rotation, never the old one', async () => {
    const rotated = (await endpoints.rotateSecret(endpointId)).reveal();
    expect(rotated).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const paid = await call('pay', payRequest(await newBarcode(s.sandbox), tradeNo('WS')));
    const [event] = await eventsFor(String(paid.headers.get('x-request-id')));
    expect(verifyWithLibrary(rotated, event!)).toBeTruthy();
    expect(verifyByHand(rotated, event!)).toBe(true);
    expect(() => verifyWithLibrary(secret, event!)).toThrow();
    expect(verifyByHand(secret, event!)).toBe(false);
    secret = rotated;
  });

  it('keeps every secret out of payloads, delivery records and logs', async () => {
    const records = JSON.stringify(await endpoints.deliveries({ companyId: s.company.companyId }));
    const listed = JSON.stringify(await endpoints.list(s.company.companyId));
    for (const text of [
      records,
      listed,
      s.t.logs.join('\n'),
      ...receiver.received.map((r) => r.body),
    ]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice('whsec_'.length));
    }
    // At rest it is sealed: the database's bytes never hold it.
    expect(s.t.databaseBytes().includes(Buffer.from(secret.slice('whsec_'.length)))).toBe(false);
  });
});
