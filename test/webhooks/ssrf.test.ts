import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusal } from '../../src/webhooks/address.js';
import { WebhookEndpoints, WebhookError } from '../../src/webhooks/endpoints.js';
import {
  api,
  newBarcode,
  payRequest,
  startStoreScenario,
  tradeNo,
  TYPE,
  type StoreScenario,
} from '../gateway/helpers.js';
import { waitFor } from '../reliability/helpers.js';
import { startReceiver, type Receiver } from './receiver.js';

const PRODUCTION = { httpsOnly: true, allowPrivate: false };

describe('webhook destinations (SSRF)', () => {
  it('classifies loopback, private, link-local, CGNAT, unique-local and metadata addresses', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.9',
      '192.168.1.1',
      '169.254.10.10',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fc00::1',
      'fd12:3456::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
    ]) {
      expect(refusal(address, PRODUCTION), address).not.toBeNull();
      expect(refusal(address, { ...PRODUCTION, allowPrivate: true }), address).toBeNull();
    }
    for (const address of ['169.254.169.254', 'fd00:ec2::254', 'fd00:ec2:0:0:0:0:0:254']) {
      // Metadata services stay refused even where private addresses are allowed.
      expect(refusal(address, { ...PRODUCTION, allowPrivate: true }), address).toMatch(/metadata/);
    }
    for (const address of ['93.184.216.34', '2606:4700::1111', '8.8.8.8']) {
      expect(refusal(address, PRODUCTION), address).toBeNull();
    }
  });
});

describe('webhook destinations through the gateway', () => {
  let s: StoreScenario;
  let receiver: Receiver;
  let other: Receiver;

  beforeAll(async () => {
    s = await startStoreScenario({
      OMNIGATE_WEBHOOK_SCHEDULE: '0s,100ms',
      OMNIGATE_WEBHOOK_INTERVAL_MS: '50',
      OMNIGATE_WEBHOOK_ALLOW_PRIVATE: 'off',
    });
    receiver = await startReceiver();
    other = await startReceiver();
  });

  afterAll(async () => {
    await s.t.close();
    await s.sandbox.close();
    await receiver.close();
    await other.close();
  });

  it('refuses at creation: http in production, and names or literals of refused addresses', async () => {
    const endpoints = new WebhookEndpoints(s.t.gateway.services.store, PRODUCTION);
    const company = s.company.companyId;
    for (const url of [
      'http://example.com/hooks',
      'https://127.0.0.1/hooks',
      'https://localhost/hooks',
      'https://10.0.0.8/hooks',
      'https://100.64.1.1/hooks',
      'https://[::1]/hooks',
      'https://[fd00:ec2::254]/latest',
      'https://169.254.169.254/latest/meta-data',
      'https://user:pw@example.com/hooks',
      'ftp://example.com/hooks',
    ]) {
      await expect(endpoints.create(company, url, null), url).rejects.toBeInstanceOf(WebhookError);
    }
    const dev = new WebhookEndpoints(s.t.gateway.services.store, {
      httpsOnly: false,
      allowPrivate: true,
    });
    await expect(
      dev.create(company, 'http://169.254.169.254/latest/meta-data', null),
    ).rejects.toThrow(/metadata/);
    await expect(dev.create(company, receiver.url, ['transaction.nope'])).rejects.toThrow(
      /unknown event/,
    );
    expect(await s.t.gateway.services.store.webhooks.listEndpoints(company)).toEqual([]);
  });

  it('refuses at delivery time an endpoint whose address is refused now, sending nothing', async () => {
    const { store } = s.t.gateway.services;
    const port = new URL(receiver.url).port;
    // Stored directly, as if the name had resolved to a public address at creation.
    const byName = await store.webhooks.createEndpoint(
      s.company.companyId,
      `http://localhost:${port}/by-name`,
      null,
    );
    const byLiteral = await store.webhooks.createEndpoint(
      s.company.companyId,
      `http://127.0.0.1:${port}/by-literal`,
      null,
    );
    const paid = await api(s.t.url, 'POST', '/v1/payment/integrate/pay', {
      token: s.company.token,
      body: {
        type: TYPE,
        store_id: 'S1',
        request: payRequest(await newBarcode(s.sandbox), tradeNo('SS')),
      },
    });
    const id = String(paid.headers.get('x-request-id'));
    const failed = await waitFor(
      'both deliveries failed',
      async () => {
        const all = (await store.webhooks.deliveries({ companyId: s.company.companyId })).filter(
          (d) => d.requestId === id,
        );
        return all.length === 2 && all.every((d) => d.state === 'failed') ? all : undefined;
      },
      10_000,
    );
    for (const d of failed) {
      expect(d.attempts).toHaveLength(2);
      for (const a of d.attempts) {
        expect(a.status).toBeNull();
        expect(a.error).toMatch(/^refused: /);
      }
    }
    expect(receiver.received).toHaveLength(0);
    await store.webhooks.deleteEndpoint(byName.endpointId);
    await store.webhooks.deleteEndpoint(byLiteral.endpointId);
  });

  it('does not follow a redirect', async () => {
    const { store } = s.t.gateway.services;
    const redirecting = await startReceiver();
    redirecting.answer = () => ({ redirect: other.url });
    try {
      // Private addresses allowed for this check: the receivers listen on 127.0.0.1.
      const endpoints = new WebhookEndpoints(store, { httpsOnly: false, allowPrivate: true });
      const created = await endpoints.create(s.company.companyId, redirecting.url, null);
      const worker = s.t.gateway.services.webhooks;
      // This gateway refuses private addresses; an identical worker that allows them delivers.
      const { WebhookWorker } = await import('../../src/webhooks/worker.js');
      const { TransactionQueries } = await import('../../src/integrate/transactions.js');
      const permissive = new WebhookWorker({
        store,
        transactions: new TransactionQueries(store, s.t.gateway.services.registry),
        scheduleMs: [0, 100],
        intervalMs: 50,
        policy: { httpsOnly: false, allowPrivate: true },
        logger: s.t.gateway.app.log,
      });
      await worker.stop();
      permissive.start();
      try {
        const paid = await api(s.t.url, 'POST', '/v1/payment/integrate/pay', {
          token: s.company.token,
          body: {
            type: TYPE,
            store_id: 'S1',
            request: payRequest(await newBarcode(s.sandbox), tradeNo('SR')),
          },
        });
        const id = String(paid.headers.get('x-request-id'));
        const [delivery] = await waitFor(
          'the redirect recorded',
          async () => {
            const d = (await endpoints.deliveries({ companyId: s.company.companyId })).filter(
              (x) => x.requestId === id && x.endpointId === created.endpointId,
            );
            return d[0]?.state === 'failed' ? d : undefined;
          },
          10_000,
        );
        expect(delivery!.attempts.map((a) => [a.status, a.error])).toEqual([
          [302, 'redirect not followed'],
          [302, 'redirect not followed'],
        ]);
        expect(redirecting.received).toHaveLength(2);
        expect(other.received).toHaveLength(0);
      } finally {
        await permissive.stop();
      }
    } finally {
      await redirecting.close();
    }
  });
});
