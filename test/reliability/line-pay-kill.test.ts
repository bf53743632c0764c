import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { control, newChannel, newKey, type TestChannel } from '../sandbox/line-pay/helpers.js';
import {
  api,
  cli,
  issueToken,
  ledgerRows,
  removeDir,
  spawnGateway,
  startSandbox,
  tempDir,
  waitFor,
  type GatewayChild,
  type Provisioned,
  type SandboxHandle,
} from './helpers.js';

/**
 * kill -9 while a LINE Pay pay is held upstream (LINE applied it, its answer is
 * late): the `pending` row survives, and after a restart the reconciler settles
 * it from the order check, with the payment's 19-digit transactionId.
 */
describe('kill -9 during a LINE Pay pay', () => {
  let sandbox: SandboxHandle;
  let channel: TestChannel;
  let dataDir: string;
  let provisioned: Provisioned;
  const children: GatewayChild[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox();
    channel = await newChannel(sandbox, { apiVersion: 'v4' });
    dataDir = tempDir();
    const company = await cli(dataDir, ['company', 'create', '--name', 'line-kill']);
    const companyId = String(company.company_id);
    const secretFile = join(dataDir, 'channel-secret');
    writeFileSync(secretFile, channel.channelSecret, { mode: 0o600 });
    const [client] = await Promise.all([
      cli(dataDir, ['client', 'create', '--company', companyId]),
      cli(dataDir, [
        ...['store', 'set', '--company', companyId, '--store', 'S1', '--type', 'LINE_QRCODE_PAY'],
        ...['--env', 'test', '--channel-id', channel.channelId, '--api-version', 'v4'],
        ...['--channel-secret-file', secretFile],
      ]),
    ]);
    provisioned = {
      companyId,
      clientId: String(client.client_id),
      clientSecret: String(client.client_secret),
      storeId: 'S1',
    };
  }, 120_000);

  afterAll(async () => {
    for (const c of children) await c.stop('SIGKILL', 5000).catch(() => undefined);
    await sandbox?.close();
    if (dataDir) removeDir(dataDir);
  });

  it('restart reconciles the pending pay to succeeded from the order check', async () => {
    const env = {
      OMNIGATE_LINEPAY_TEST_URL: sandbox.url,
      OMNIGATE_RECONCILE_SCHEDULE: '200ms',
      OMNIGATE_RECONCILE_INTERVAL_MS: '100',
    };
    const first = await spawnGateway(dataDir, env);
    children.push(first);
    const token = await issueToken(first.url, provisioned);
    await control(sandbox, 'POST', '/sandbox/faults', {
      channelId: channel.channelId,
      fault: 'delay',
      operation: 'pay',
      delayMs: 20_000,
    });
    const orderId = `KILL-${Date.now()}`;
    const inFlight = api(first.url, 'POST', '/v1/payment/integrate/pay', {
      token,
      body: {
        type: 'LINE_QRCODE_PAY',
        store_id: 'S1',
        request: {
          productName: 'p',
          amount: 250,
          currency: 'TWD',
          orderId,
          oneTimeKey: await newKey(sandbox, channel, 1000),
        },
      },
      timeoutMs: 60_000,
    }).catch((error: unknown) => error);
    await waitFor(
      'the pay at the LINE sandbox',
      async () => {
        const calls = await control<{ operation: string | null }[]>(
          sandbox,
          'GET',
          `/sandbox/line-pay/calls?channelId=${channel.channelId}`,
        );
        return calls.body.some((c) => c.operation === 'pay') ? true : undefined;
      },
      10_000,
    );
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(await inFlight).toBeInstanceOf(Error);
    expect(ledgerRows(dataDir, orderId)).toMatchObject([{ operation: 'pay', state: 'pending' }]);

    await control(sandbox, 'DELETE', '/sandbox/faults');
    const second = await spawnGateway(dataDir, env);
    children.push(second);
    const settled = await waitFor(
      'the pay row to settle',
      async () => {
        const res = await api(second.url, 'GET', `/v1/payment/transactions?orderId=${orderId}`, {
          token,
        });
        const row = (res.body.transactions as Record<string, unknown>[])[0];
        return row && row.state !== 'pending' && row.state !== 'unknown' ? row : undefined;
      },
      30_000,
      100,
    );
    expect(settled).toMatchObject({ state: 'succeeded', amount: 250, orderId });
    expect(settled.transactionId).toMatch(/^\d{19}$/);
    expect((await second.stop('SIGTERM', 20_000)).code).toBe(0);
  }, 120_000);
});
