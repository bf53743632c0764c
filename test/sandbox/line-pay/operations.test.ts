import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxHandle, startSandbox } from '../../../src/sandbox/index.js';
import {
  control,
  line,
  newChannel,
  newKey,
  newOrderId,
  payBody,
  type TestChannel,
} from './helpers.js';

let sandbox: SandboxHandle;
let channel: TestChannel;

beforeAll(async () => {
  sandbox = await startSandbox();
  channel = await newChannel(sandbox);
});

afterAll(async () => {
  await sandbox.close();
});

async function paid(
  amount = 100,
  version: 'v2' | 'v4' = 'v2',
): Promise<{ orderId: string; key: string }> {
  const key = await newKey(sandbox, channel, 1000);
  const orderId = newOrderId();
  const reply = await line(
    sandbox,
    channel,
    'POST',
    '/payments/oneTimeKeys/pay',
    payBody(key, orderId, amount),
    {
      version,
    },
  );
  expect(reply.returnCode).toBe('0000');
  return { orderId, key };
}

describe('pay, check, details', () => {
  it('v2 pay answers LINE v2 shape with a bare 19-digit transactionId and the balance left', async () => {
    const key = await newKey(sandbox, channel, 1000);
    const orderId = newOrderId();
    const reply = await line(
      sandbox,
      channel,
      'POST',
      '/payments/oneTimeKeys/pay',
      payBody(key, orderId, 250),
    );
    expect(reply.status).toBe(200);
    expect(reply.text).toMatch(/"transactionId":\d{19},/);
    expect(reply.body).toMatchObject({
      returnCode: '0000',
      info: { orderId, payInfo: [{ method: 'BALANCE', amount: 250 }], balance: 750 },
    });
    const check = await line(sandbox, channel, 'GET', `/payments/orders/${orderId}/check`);
    expect(check.body).toMatchObject({ returnCode: '0000', info: { status: 'COMPLETE', orderId } });
    expect(check.text).toMatch(/"transactionId":\d{19},/);
  });

  it('v4 pay takes packages[] and answers with paymentProvider, no balance', async () => {
    const key = await newKey(sandbox, channel, 1000);
    const orderId = newOrderId();
    const body = {
      amount: 100,
      currency: 'TWD',
      orderId,
      oneTimeKey: key,
      packages: [{ id: 'p1', amount: 100, products: [{ name: 'tea', quantity: 1, price: 100 }] }],
    };
    const reply = await line(sandbox, channel, 'POST', '/payments/oneTimeKeys/pay', body, {
      version: 'v4',
    });
    expect(reply.body).toMatchObject({
      returnCode: '0000',
      info: { orderId, paymentProvider: 'TSP' },
    });
    expect(reply.body?.info).not.toHaveProperty('balance');
    const details = await line(sandbox, channel, 'GET', `/payments?orderId=${orderId}`, undefined, {
      version: 'v4',
    });
    expect(details.body).toMatchObject({
      returnCode: '0000',
      info: [{ orderId, productName: 'tea', transactionType: 'PAYMENT' }],
    });
  });

  it('details by transactionId; with neither → 2101; unknown → 1150', async () => {
    const { orderId } = await paid();
    const check = await line(sandbox, channel, 'GET', `/payments/orders/${orderId}/check`);
    const id = /"transactionId":(\d{19})/.exec(check.text)![1]!;
    const byId = await line(sandbox, channel, 'GET', `/payments?transactionId=${id}`);
    expect(byId.body).toMatchObject({ returnCode: '0000', info: [{ orderId }] });
    expect((await line(sandbox, channel, 'GET', '/payments')).returnCode).toBe('2101');
    expect((await line(sandbox, channel, 'GET', '/payments?orderId=NOPE')).returnCode).toBe('1150');
    expect(
      (await line(sandbox, channel, 'GET', `/payments?orderId=${orderId}&transactionId=1`))
        .returnCode,
    ).toBe('1150');
    expect((await line(sandbox, channel, 'GET', '/payments/orders/NOPE/check')).returnCode).toBe(
      '1150',
    );
  });

  it('an orderId with special characters is percent-encoded in the path', async () => {
    const key = await newKey(sandbox, channel);
    const orderId = `A/B ${newOrderId()}`;
    await line(sandbox, channel, 'POST', '/payments/oneTimeKeys/pay', payBody(key, orderId));
    const check = await line(
      sandbox,
      channel,
      'GET',
      `/payments/orders/${encodeURIComponent(orderId)}/check`,
      undefined,
      {
        version: 'v4',
      },
    );
    expect(check.body).toMatchObject({ returnCode: '0000', info: { status: 'COMPLETE', orderId } });
  });
});

describe('refunds', () => {
  it('partial, repeated, then the rest with no refundAmount; refundList grows; then 1165', async () => {
    const { orderId, key } = await paid(100);
    const r1 = await line(sandbox, channel, 'POST', `/payments/orders/${orderId}/refund`, {
      refundAmount: 30,
    });
    expect(r1.body).toMatchObject({ returnCode: '0000' });
    expect(r1.text).toMatch(/"refundTransactionId":\d{19},"refundTransactionDate":"[^"]+Z"/);
    const r2 = await line(sandbox, channel, 'POST', `/payments/orders/${orderId}/refund`, {
      refundAmount: 30,
    });
    expect(r2.returnCode).toBe('0000');
    expect(
      (
        await line(sandbox, channel, 'POST', `/payments/orders/${orderId}/refund`, {
          refundAmount: 41,
        })
      ).returnCode,
    ).toBe('1164');
    const rest = await line(sandbox, channel, 'POST', `/payments/orders/${orderId}/refund`);
    expect(rest.returnCode).toBe('0000');
    const details = await line(sandbox, channel, 'GET', `/payments?orderId=${orderId}`);
    expect(details.body).toMatchObject({
      info: [
        {
          refundList: [
            { transactionType: 'PARTIAL_REFUND', refundAmount: -30 },
            { transactionType: 'PARTIAL_REFUND', refundAmount: -30 },
            { transactionType: 'PARTIAL_REFUND', refundAmount: -40 },
          ],
        },
      ],
    });
    expect(details.text).toMatch(/"refundTransactionId":\d{19}/);
    expect(
      (await line(sandbox, channel, 'GET', `/payments/orders/${orderId}/check`)).body,
    ).toMatchObject({
      info: { status: 'REFUND' },
    });
    expect(
      (await line(sandbox, channel, 'POST', `/payments/orders/${orderId}/refund`)).returnCode,
    ).toBe('1165');
    const wallet = await control<{ balance: number }>(
      sandbox,
      'GET',
      `/sandbox/line-pay/one-time-keys/${key}`,
    );
    expect(wallet.body.balance).toBe(1000);
  });

  it('a whole refund in one go is a PAYMENT_REFUND', async () => {
    const { orderId } = await paid(80);
    expect(
      (await line(sandbox, channel, 'POST', `/payments/orders/${orderId}/refund`)).returnCode,
    ).toBe('0000');
    const details = await line(sandbox, channel, 'GET', `/payments?orderId=${orderId}`);
    expect(details.body).toMatchObject({
      info: [{ refundList: [{ transactionType: 'PAYMENT_REFUND', refundAmount: -80 }] }],
    });
  });

  it.each([
    [{ refundAmount: 0 }, '1183'],
    [{ refundAmount: 1.5 }, '1124'],
    [{ refundAmount: '10' }, '2101'],
    ['{"refundAmount":', '2102'],
  ])('refund %j → %s', async (body, code) => {
    const { orderId } = await paid();
    expect(
      (await line(sandbox, channel, 'POST', `/payments/orders/${orderId}/refund`, body)).returnCode,
    ).toBe(code);
  });

  it('refund of an unknown order → 1150; void of a captured payment → 1179', async () => {
    expect((await line(sandbox, channel, 'POST', '/payments/orders/NOPE/refund')).returnCode).toBe(
      '1150',
    );
    const { orderId } = await paid();
    expect(
      (await line(sandbox, channel, 'POST', `/payments/orders/${orderId}/void`)).returnCode,
    ).toBe('1179');
    expect((await line(sandbox, channel, 'POST', '/payments/orders/NOPE/void')).returnCode).toBe(
      '1150',
    );
  });
});

describe('capture separation', () => {
  it('capture:false needs the channel setting (2103); then void or capture', async () => {
    const key = await newKey(sandbox, channel);
    const refused = await line(
      sandbox,
      channel,
      'POST',
      '/payments/oneTimeKeys/pay',
      payBody(key, newOrderId(), 100, { capture: false }),
    );
    expect(refused.returnCode).toBe('2103');

    const separated = await newChannel(sandbox, { captureSeparation: true });
    const k1 = await newKey(sandbox, separated, 500);
    const o1 = newOrderId();
    const auth = await line(
      sandbox,
      separated,
      'POST',
      '/payments/oneTimeKeys/pay',
      payBody(k1, o1, 100, { capture: false }),
    );
    expect(auth.body).toMatchObject({
      returnCode: '0000',
      info: { authorizationExpireDate: expect.any(String) },
    });
    expect(
      (await line(sandbox, separated, 'POST', `/payments/orders/${o1}/refund`)).returnCode,
    ).toBe('1179');
    const voided = await line(sandbox, separated, 'POST', `/payments/orders/${o1}/void`);
    expect(voided.text).toBe('{"returnCode":"0000","returnMessage":"OK"}');
    expect((await line(sandbox, separated, 'POST', `/payments/orders/${o1}/void`)).returnCode).toBe(
      '1179',
    );
    expect(
      (await line(sandbox, separated, 'GET', `/payments/orders/${o1}/check`)).body,
    ).toMatchObject({ info: { status: 'CANCEL' } });

    const k2 = await newKey(sandbox, separated, 500);
    const o2 = newOrderId();
    await line(
      sandbox,
      separated,
      'POST',
      '/payments/oneTimeKeys/pay',
      payBody(k2, o2, 100, { capture: false }),
    );
    expect(
      (
        await line(sandbox, separated, 'POST', `/payments/orders/${o2}/capture`, {
          amount: 101,
          currency: 'TWD',
        })
      ).returnCode,
    ).toBe('1184');
    const captured = await line(sandbox, separated, 'POST', `/payments/orders/${o2}/capture`, {
      amount: 60,
      currency: 'TWD',
    });
    expect(captured.body).toMatchObject({
      returnCode: '0000',
      info: { orderId: o2, payInfo: [{ amount: 60 }] },
    });
    const wallet = await control<{ balance: number }>(
      sandbox,
      'GET',
      `/sandbox/line-pay/one-time-keys/${k2}`,
    );
    expect(wallet.body.balance).toBe(440);
  });
});

describe('refusals', () => {
  it('pay refusals: 1172, 1133 (unknown, used, other channel, expired), 1142, 1178, 1183, 1124, 2101, 2102', async () => {
    const pay = (body: string | object, ch = channel) =>
      line(sandbox, ch, 'POST', '/payments/oneTimeKeys/pay', body);
    const { orderId, key } = await paid();
    const fresh = await newKey(sandbox, channel);
    expect((await pay(payBody(fresh, orderId))).returnCode).toBe('1172');
    expect((await pay(payBody('123456789012345678', newOrderId()))).returnCode).toBe('1133');
    expect((await pay(payBody(key, newOrderId()))).returnCode).toBe('1133');
    const other = await newChannel(sandbox);
    expect((await pay(payBody(await newKey(sandbox, other), newOrderId()))).returnCode).toBe(
      '1133',
    );
    expect(
      (await pay(payBody(await newKey(sandbox, channel, 1000, { ttlSeconds: 0 }), newOrderId())))
        .returnCode,
    ).toBe('1133');
    const poor = newOrderId();
    expect((await pay(payBody(await newKey(sandbox, channel, 99), poor, 100))).returnCode).toBe(
      '1142',
    );
    expect(
      (await line(sandbox, channel, 'GET', `/payments/orders/${poor}/check`)).body,
    ).toMatchObject({
      info: { status: 'FAIL', failReturnCode: '1142' },
    });
    expect((await pay(payBody(fresh, newOrderId(), 100, { currency: 'THB' }))).returnCode).toBe(
      '1178',
    );
    expect((await pay(payBody(fresh, newOrderId(), 0))).returnCode).toBe('1183');
    expect((await pay(payBody(fresh, newOrderId(), 10.5))).returnCode).toBe('1124');
    expect(
      (await pay({ amount: 1, currency: 'TWD', orderId: newOrderId(), oneTimeKey: fresh }))
        .returnCode,
    ).toBe('2101');
    expect((await pay('{"amount":')).returnCode).toBe('2102');
    expect((await pay(payBody(fresh, newOrderId()))).returnCode).toBe('0000');
  });

  it('auth refusals: 1106 for missing or unknown channel, missing v4 headers, bad MAC, version off; 1104 for a wrong v2 secret', async () => {
    const check = (options: Parameters<typeof line>[5], ch = channel) =>
      line(sandbox, ch, 'GET', '/payments/orders/X/check', undefined, options);
    expect((await check({ headers: { 'X-LINE-ChannelId': undefined } })).body).toMatchObject({
      returnCode: '1106',
      returnMessage: 'Header information error. X-LINE-ChannelId data is invalid.',
    });
    expect((await check({ headers: { 'X-LINE-ChannelId': '1000000000' } })).returnCode).toBe(
      '1106',
    );
    expect((await check({ headers: { 'X-LINE-ChannelSecret': undefined } })).returnCode).toBe(
      '1106',
    );
    expect((await check({ secret: 'wrong' })).body).toMatchObject({
      returnCode: '1104',
      returnMessage: 'Merchant not found.',
    });
    expect(
      (await check({ version: 'v4', headers: { 'X-LINE-Authorization': undefined } })).returnCode,
    ).toBe('1106');
    expect(
      (await check({ version: 'v4', headers: { 'X-LINE-Authorization-Nonce': undefined } }))
        .returnCode,
    ).toBe('1106');
    expect((await check({ version: 'v4', secret: 'wrong' })).body).toMatchObject({
      returnCode: '1106',
      returnMessage: 'Header information error. request verification Failed',
    });
    const v2only = await newChannel(sandbox, { apiVersion: 'v2' });
    const v4only = await newChannel(sandbox, { apiVersion: 'v4' });
    expect((await check({ version: 'v4' }, v2only)).returnCode).toBe('1106');
    expect((await check({ version: 'v2' }, v2only)).returnCode).toBe('1150');
    expect((await check({ version: 'v2' }, v4only)).returnCode).toBe('1106');
    expect((await check({ version: 'v4' }, v4only)).returnCode).toBe('1150');
  });

  it('v4: the MAC covers the exact body bytes; whitespace or key order breaks it', async () => {
    const key = await newKey(sandbox, channel);
    const orderId = newOrderId();
    const body = JSON.stringify(payBody(key, orderId));
    const ok = await line(sandbox, channel, 'POST', '/payments/oneTimeKeys/pay', ` ${body}`, {
      version: 'v4',
    });
    expect(ok.returnCode).toBe('2101'); // signed as sent: accepted, then v4 wants packages[]
    // A body altered after signing: sign one text, send another.
    const { v4Signature } = await import('../../../src/providers/line-pay/signing.js');
    const nonce = 'n-1';
    const res = await fetch(`${sandbox.url}/v4/payments/oneTimeKeys/pay`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-LINE-ChannelId': channel.channelId,
        'X-LINE-Authorization-Nonce': nonce,
        'X-LINE-Authorization': v4Signature(
          channel.channelSecret,
          '/v4/payments/oneTimeKeys/pay',
          body,
          nonce,
        ),
      },
      body: `${body} `,
    });
    expect(await res.json()).toMatchObject({ returnCode: '1106' });
  });

  it('unknown LINE path → 404, wrong method → 405', async () => {
    expect((await line(sandbox, channel, 'GET', '/payments/nothing')).status).toBe(404);
    expect((await line(sandbox, channel, 'POST', '/payments/orders/X/check')).status).toBe(405);
  });
});

describe('controls', () => {
  it('issues channels and 18-digit keys valid 5 minutes; refuses bad input', async () => {
    const ch = await control<Record<string, unknown>>(
      sandbox,
      'POST',
      '/sandbox/line-pay/channels',
      { currency: 'TWD', apiVersion: 'v4' },
    );
    expect(ch.status).toBe(201);
    expect(ch.body).toMatchObject({
      channelId: expect.stringMatching(/^\d{10}$/),
      channelSecret: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    const key = await control<{ oneTimeKey: string; expiresAt: string }>(
      sandbox,
      'POST',
      '/sandbox/line-pay/one-time-keys',
      {
        channelId: ch.body.channelId,
        balance: 10,
        method: 'CREDIT_CARD',
      },
    );
    expect(key.status).toBe(201);
    expect(key.body.oneTimeKey).toMatch(/^\d{18}$/);
    const life = Date.parse(key.body.expiresAt) - Date.now();
    expect(life).toBeGreaterThan(0);
    expect(life).toBeLessThanOrEqual(300_000);
    for (const [path, body] of [
      ['/sandbox/line-pay/channels', { currency: 'EUR' }],
      ['/sandbox/line-pay/channels', { apiVersion: 'v3' }],
      ['/sandbox/line-pay/one-time-keys', { channelId: 'x', balance: 1 }],
      ['/sandbox/line-pay/one-time-keys', { channelId: ch.body.channelId, balance: -1 }],
      [
        '/sandbox/line-pay/one-time-keys',
        { channelId: ch.body.channelId, balance: 1, method: 'CASH' },
      ],
      ['/sandbox/line-pay/transaction-ids', { transactionIds: ['123'] }],
    ] as const) {
      expect((await control(sandbox, 'POST', path, body)).status).toBe(400);
    }
    expect(
      (
        await control(sandbox, 'POST', '/sandbox/line-pay/one-time-keys', {
          channelId: '1000000000',
          balance: 1,
        })
      ).status,
    ).toBe(404);
  });
});
