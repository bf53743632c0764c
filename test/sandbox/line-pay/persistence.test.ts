import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../../src/sandbox/index.js';
import { control, line, newChannel, newKey, newOrderId, payBody } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'omnigate-line-sandbox-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the LINE Pay simulator with a database file', () => {
  it('keeps channels, keys, orders, refunds and chosen ids across a restart, beside icash', async () => {
    const dbPath = join(dir, 'sandbox.sqlite');
    const first = await startSandbox({ dbPath });
    const channel = await newChannel(first);
    const wallet = await control(first, 'POST', '/sandbox/barcodes', { balance: 70 });
    expect(wallet.status).toBe(201);
    const key = await newKey(first, channel, 500);
    const unused = await newKey(first, channel, 500);
    const orderId = newOrderId();
    await control(first, 'POST', '/sandbox/line-pay/transaction-ids', {
      transactionIds: ['9999999999999999999', '9999999999999999998', '9999999999999999997'],
    });
    expect(
      (await line(first, channel, 'POST', '/payments/oneTimeKeys/pay', payBody(key, orderId, 200)))
        .returnCode,
    ).toBe('0000');
    expect(
      (
        await line(first, channel, 'POST', `/payments/orders/${orderId}/refund`, {
          refundAmount: 50,
        })
      ).returnCode,
    ).toBe('0000');
    await first.close();

    const second = await startSandbox({ dbPath });
    try {
      const details = await line(
        second,
        channel,
        'GET',
        `/payments?orderId=${orderId}`,
        undefined,
        { version: 'v4' },
      );
      expect(details.text).toContain('"transactionId":9999999999999999999,');
      expect(details.text).toContain('"refundTransactionId":9999999999999999998,');
      expect(
        (await control(second, 'GET', `/sandbox/line-pay/one-time-keys/${key}`)).body,
      ).toMatchObject({ balance: 350 });
      const again = newOrderId();
      const paid = await line(
        second,
        channel,
        'POST',
        '/payments/oneTimeKeys/pay',
        payBody(unused, again, 10),
      );
      expect(paid.text).toContain('"transactionId":9999999999999999997,');
      expect(
        (
          await line(
            second,
            channel,
            'POST',
            '/payments/oneTimeKeys/pay',
            payBody(key, newOrderId()),
          )
        ).returnCode,
      ).toBe('1133');
      const icash = await control(
        second,
        'GET',
        `/sandbox/wallets/${String(wallet.body.ICPAccount)}`,
      );
      expect(icash.body).toMatchObject({ Balance: 70 });
    } finally {
      await second.close();
    }
  });
});
