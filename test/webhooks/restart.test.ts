import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  cli,
  gatewayEnv,
  issueToken,
  newBarcode,
  newMerchant,
  payBody,
  provision,
  removeDir,
  spawnGateway,
  startSandbox,
  tempDir,
  tradeNo,
  waitFor,
  type GatewayChild,
  type Provisioned,
  type SandboxHandle,
} from '../reliability/helpers.js';
import {
  eventOf,
  startReceiver,
  verifyByHand,
  verifyWithLibrary,
  type Receiver,
} from './receiver.js';

/**
 * The outbox survives kill -9: events written with their ledger rows by a
 * gateway process that dies before sending them are sent by the next one.
 * Endpoints are managed with the real `omnigate webhook` CLI.
 */
describe('webhooks across kill -9 (child-process gateway, SQLite)', () => {
  let sandbox: SandboxHandle;
  let receiver: Receiver;
  let dataDir: string;
  let p: Provisioned;
  let gateway: GatewayChild | undefined;
  let secret: string;
  let endpointId: string;

  beforeAll(async () => {
    sandbox = await startSandbox();
    receiver = await startReceiver();
    dataDir = tempDir('omnigate-hooks-');
    p = await provision(dataDir, await newMerchant(sandbox));
    const created = await cli(dataDir, [
      'webhook',
      'create',
      '--company',
      p.companyId,
      '--url',
      receiver.url,
      '--events',
      'transaction.succeeded,transaction.declined',
    ]);
    secret = String(created.secret);
    endpointId = String(created.endpoint_id);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  });

  afterAll(async () => {
    await gateway?.stop('SIGKILL').catch(() => undefined);
    await receiver.close();
    await sandbox.close();
    removeDir(dataDir);
  });

  it('lists the endpoint without its secret', async () => {
    const listed = await cli(dataDir, ['webhook', 'list', '--company', p.companyId]);
    expect(listed).toEqual({
      endpoints: [
        expect.objectContaining({
          endpoint_id: endpointId,
          url: receiver.url,
          events: ['transaction.succeeded', 'transaction.declined'],
        }),
      ],
    });
    expect(JSON.stringify(listed)).not.toContain(secret.slice('whsec_'.length));
  });

  it('delivers after a restart the events a killed process left in the outbox', async () => {
    // A worker that never looks (its interval is 10 minutes): the events stay in the outbox.
    gateway = await spawnGateway(
      dataDir,
      gatewayEnv(sandbox, { OMNIGATE_WEBHOOK_INTERVAL_MS: '600000' }),
    );
    const token = await issueToken(gateway.url, p);
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const paid = await api(gateway.url, 'POST', '/v1/payment/integrate/pay', {
        token,
        body: payBody(await newBarcode(sandbox), tradeNo('K')),
      });
      expect(paid.status).toBe(200);
      ids.push(String(paid.headers.get('x-request-id')));
    }
    expect((await gateway.stop('SIGKILL')).signal).toBe('SIGKILL');
    expect(receiver.received).toHaveLength(0);

    gateway = await spawnGateway(
      dataDir,
      gatewayEnv(sandbox, {
        OMNIGATE_WEBHOOK_INTERVAL_MS: '50',
        OMNIGATE_WEBHOOK_SCHEDULE: '0s,100ms',
      }),
    );
    const got = await waitFor(
      'the 5 events',
      () => (receiver.received.length >= 5 ? receiver.received : undefined),
      20_000,
    );
    expect(got.map((r) => eventOf(r).data.request_id).sort()).toEqual([...ids].sort());
    for (const r of got) {
      expect(verifyWithLibrary(secret, r)).toMatchObject({ type: 'transaction.succeeded' });
      expect(verifyByHand(secret, r)).toBe(true);
    }
    const deliveries = await waitFor(
      'every delivery recorded as delivered',
      async () => {
        const d = (await cli(dataDir, ['webhook', 'deliveries', '--company', p.companyId]))
          .deliveries as { state: string; event_id: string; attempts: { status: number }[] }[];
        return d.length === 5 && d.every((x) => x.state === 'delivered') ? d : undefined;
      },
      20_000,
      200,
    );
    expect(deliveries.map((d) => d.attempts.map((a) => a.status))).toEqual(
      Array.from({ length: 5 }, () => [204]),
    );

    // Resent by hand through the CLI: the same webhook-id again.
    const eventId = deliveries[0]!.event_id;
    const resent = await cli(dataDir, ['webhook', 'resend', '--event', eventId]);
    expect(resent.resent).toHaveLength(1);
    const again = await waitFor(
      'the resent event',
      () => (receiver.received.length >= 6 ? receiver.received[5] : undefined),
      20_000,
    );
    expect(again.headers['webhook-id']).toBe(eventId);

    // A new secret from the CLI signs what follows.
    const rotated = String(
      (await cli(dataDir, ['webhook', 'rotate-secret', '--endpoint', endpointId])).secret,
    );
    const token2 = await issueToken(gateway.url, p);
    await api(gateway.url, 'POST', '/v1/payment/integrate/pay', {
      token: token2,
      body: payBody(await newBarcode(sandbox), tradeNo('K')),
    });
    const last = await waitFor(
      'the event after rotation',
      () => (receiver.received.length >= 7 ? receiver.received[6] : undefined),
      20_000,
    );
    expect(verifyByHand(rotated, last)).toBe(true);
    expect(verifyByHand(secret, last)).toBe(false);

    expect(await cli(dataDir, ['webhook', 'delete', '--endpoint', endpointId])).toEqual({
      endpoint_id: endpointId,
      deleted: true,
    });
    expect(await cli(dataDir, ['webhook', 'list'])).toEqual({ endpoints: [] });
  }, 120_000);
});
