import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../../src/core/secret.js';
import {
  checkPayment,
  type LineOutcome,
  type LinePayTarget,
  pay,
  refund,
} from '../../../src/providers/line-pay/operations.js';
import { type SandboxHandle, startSandbox } from '../../../src/sandbox/index.js';
import { UpstreamClient } from '../../../src/upstream/client.js';
import { control, newChannel, newKey, newOrderId, type TestChannel } from './helpers.js';

/** Each LINE Pay fault kind, seen through the wire-level client over real sockets. */

let sandbox: SandboxHandle;
let channel: TestChannel;
let client: UpstreamClient;
let to: LinePayTarget;

beforeAll(async () => {
  sandbox = await startSandbox();
  channel = await newChannel(sandbox);
  client = new UpstreamClient({ timeoutMs: 5_000 });
  to = {
    baseUrl: sandbox.url,
    channel: {
      channelId: channel.channelId,
      channelSecret: new Secret(channel.channelSecret),
      apiVersion: 'v4',
    },
  };
});

afterEach(async () => {
  await control(sandbox, 'DELETE', '/sandbox/faults');
});

afterAll(async () => {
  await client.close();
  await sandbox.close();
});

async function inject(fault: Record<string, unknown>): Promise<void> {
  const reply = await control(sandbox, 'POST', '/sandbox/faults', {
    channelId: channel.channelId,
    ...fault,
  });
  expect(reply.status).toBe(201);
}

async function payOnce(
  timeoutMs?: number,
): Promise<{ outcome: LineOutcome; orderId: string; key: string }> {
  const key = await newKey(sandbox, channel, 1000);
  const orderId = newOrderId();
  const outcome = await pay(
    client,
    to,
    { productName: 'p', amount: 100, currency: 'TWD', orderId, oneTimeKey: key },
    timeoutMs === undefined ? {} : { timeoutMs },
  );
  return { outcome, orderId, key };
}

async function status(orderId: string): Promise<unknown> {
  const check = await checkPayment(client, to, orderId);
  if (check.kind !== 'answered') return check.kind;
  if (check.returnCode !== '0000') return check.returnCode;
  return (check.body.info as Record<string, unknown>).status;
}

async function balance(key: string): Promise<unknown> {
  return (await control(sandbox, 'GET', `/sandbox/line-pay/one-time-keys/${key}`)).body.balance;
}

describe('LINE Pay faults', () => {
  it('delay: the answer comes after the client gave up, yet the pay committed', async () => {
    await inject({ fault: 'delay', delayMs: 2_000, operation: 'pay' });
    const { outcome, orderId, key } = await payOnce(200);
    expect(outcome).toMatchObject({ kind: 'unknown', reason: 'TimeoutError' });
    expect(await status(orderId)).toBe('COMPLETE');
    expect(await balance(key)).toBe(900);
  });

  it('drop: the connection closes without an answer; committed unless process is false', async () => {
    await inject({ fault: 'drop', operation: 'pay' });
    const first = await payOnce();
    expect(first.outcome.kind).toBe('unknown');
    expect(await status(first.orderId)).toBe('COMPLETE');

    await inject({ fault: 'drop', operation: 'pay', process: false });
    const second = await payOnce();
    expect(second.outcome.kind).toBe('unknown');
    expect(await status(second.orderId)).toBe('1150');
    expect(await balance(second.key)).toBe(1000);
  });

  it('http5xx: an HTML error page from a proxy is unknown; the refund committed', async () => {
    const { orderId } = await payOnce();
    await inject({ fault: 'http5xx', httpStatus: 504, operation: 'refund' });
    const outcome = await refund(client, to, orderId, { refundAmount: 10 });
    expect(outcome).toMatchObject({ kind: 'unknown', httpStatus: 504 });
    const order = await control(
      sandbox,
      'GET',
      `/sandbox/line-pay/orders/${orderId}?channelId=${channel.channelId}`,
    );
    expect(order.body).toMatchObject({ refunded: 10 });
  });

  it('auth_ready: check says AUTH_READY while the customer confirms, then COMPLETE', async () => {
    await inject({ fault: 'auth_ready', delayMs: 400, operation: 'pay' });
    const { outcome, orderId } = await payOnce(100);
    expect(outcome.kind).toBe('unknown');
    expect(await status(orderId)).toBe('AUTH_READY');
    let seen = await status(orderId);
    for (let i = 0; i < 100 && seen === 'AUTH_READY'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      seen = await status(orderId);
    }
    expect(seen).toBe('COMPLETE');
  });

  it('auth_ready then CANCEL: the pay answers when settled, and the balance is back', async () => {
    await inject({ fault: 'auth_ready', delayMs: 100, then: 'CANCEL' });
    const { outcome, orderId, key } = await payOnce();
    expect(outcome).toMatchObject({ kind: 'answered', returnCode: '1179' });
    expect(await status(orderId)).toBe('CANCEL');
    expect(await balance(key)).toBe(1000);
  });

  it('not_found: 1150 for the first N checks after a committed pay', async () => {
    const { orderId } = await payOnce();
    await inject({ fault: 'not_found', operation: 'check', count: 2 });
    expect(await status(orderId)).toBe('1150');
    expect(await status(orderId)).toBe('1150');
    expect(await status(orderId)).toBe('COMPLETE');
  });

  it('lists LINE faults beside icash ones and clears by channelId', async () => {
    await inject({ fault: 'drop', count: 3 });
    const listed = await control<unknown[]>(sandbox, 'GET', '/sandbox/faults');
    expect(listed.body).toEqual([
      {
        channelId: channel.channelId,
        fault: 'drop',
        count: 3,
        delayMs: 5000,
        operation: null,
        process: true,
        httpStatus: 502,
        then: 'COMPLETE',
      },
    ]);
    expect((await control(sandbox, 'DELETE', '/sandbox/faults?channelId=1000000000')).body).toEqual(
      { cleared: 0 },
    );
    expect(
      (await control(sandbox, 'DELETE', `/sandbox/faults?channelId=${channel.channelId}`)).body,
    ).toEqual({
      cleared: 1,
    });
    expect((await control(sandbox, 'DELETE', '/sandbox/faults?channelId=x')).status).toBe(400);
  });

  it.each([
    [{ fault: 'explode' }],
    [{ fault: 'drop', operation: 'DeductICPOF' }],
    [{ fault: 'http5xx', httpStatus: 404 }],
    [{ fault: 'auth_ready', then: 'LATER' }],
    [{ fault: 'drop', channelId: '12' }],
  ])('refuses the fault %j with 400', async (body) => {
    const reply = await control(sandbox, 'POST', '/sandbox/faults', {
      channelId: channel.channelId,
      ...body,
    });
    expect(reply.status).toBe(400);
    expect(reply.body).toHaveProperty('message');
  });

  it('a fault naming no account is refused', async () => {
    expect((await control(sandbox, 'POST', '/sandbox/faults', { fault: 'drop' })).status).toBe(400);
  });
});
