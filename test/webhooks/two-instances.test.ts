import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FAST_RECONCILE,
  cli,
  createDatabase,
  issueToken,
  newMasterKey,
  newMerchant,
  pay,
  provision,
  removeDir,
  spawnGateway,
  startSandbox,
  stopAll,
  tempDir,
  tradeNo,
  waitFor,
  type Deployment,
  type GatewayChild,
  type SandboxHandle,
  type TestDatabase,
} from '../multi-instance/helpers.js';
import {
  eventOf,
  startReceiver,
  verifyByHand,
  verifyWithLibrary,
  type Receiver,
} from './receiver.js';

/**
 * Two gateway processes on one PostgreSQL database, both running the delivery
 * worker: every event is delivered, and no delivery is ever sent by both at once.
 */
describe.runIf(process.env.OMNIGATE_TEST_BACKEND === 'postgres')(
  'webhooks from two instances on PostgreSQL',
  () => {
    let sandbox: SandboxHandle;
    let receiver: Receiver;
    let database: TestDatabase;
    let d: Deployment;
    let gateways: GatewayChild[] = [];

    beforeAll(async () => {
      sandbox = await startSandbox();
      receiver = await startReceiver();
      database = await createDatabase();
      d = { dataDir: tempDir(), databaseUrl: database.url, masterKey: newMasterKey() };
    });

    afterAll(async () => {
      await stopAll(gateways);
      await receiver.close();
      await sandbox.close();
      await database.drop();
      removeDir(d.dataDir);
    });

    it('delivers every event at least once, never concurrently twice, each attempt recorded', async () => {
      const p = await provision(d, await newMerchant(sandbox));
      const created = await cli(d, [
        'webhook',
        'create',
        '--company',
        p.companyId,
        '--url',
        receiver.url,
      ]);
      const secret = String(created.secret);
      // Slow answers widen the window two senders could overlap in; every fifth fails.
      receiver.delayMs = 50;
      let n = 0;
      receiver.answer = () => ((n += 1) % 5 === 0 ? 500 : 200);
      const env = {
        ...FAST_RECONCILE,
        OMNIGATE_ICASH_TEST_URL: sandbox.baseUrls.icash,
        OMNIGATE_WEBHOOK_INTERVAL_MS: '20',
        OMNIGATE_WEBHOOK_SCHEDULE: '0s,50ms,100ms,100ms,100ms,100ms',
      };
      gateways = await Promise.all([spawnGateway(d, env), spawnGateway(d, env)]);
      const tokens = await Promise.all(gateways.map((g) => issueToken(g.url, p)));
      const orders: string[] = [];
      for (let i = 0; i < 24; i += 1) {
        const no = tradeNo('MI');
        orders.push(no);
        await pay(sandbox, gateways[i % 2]!.url, tokens[i % 2]!, no);
      }
      const delivered = await waitFor(
        'an accepted event per order',
        () => {
          const ok = new Set(
            receiver.received
              .filter((r) => r.answered === 200)
              .map((r) => String(eventOf(r).data.MerchantTradeNo)),
          );
          return orders.every((o) => ok.has(o)) ? ok : undefined;
        },
        60_000,
        100,
      );
      expect(delivered.size).toBe(orders.length);
      for (const r of receiver.received) {
        expect(verifyWithLibrary(secret, r)).toBeTruthy();
        expect(verifyByHand(secret, r)).toBe(true);
      }
      // Never two sends of one event at the same time.
      expect(Math.max(...receiver.concurrentMax.values())).toBe(1);
      const attempts = await waitFor(
        'every delivery settled',
        async () => {
          const rows = await database.query<{ event_id: string; state: string; n: string }>(
            `select d.event_id, d.state, count(a.attempt) as n from webhook_deliveries d
             left join webhook_attempts a on a.delivery_id = d.id group by d.event_id, d.state`,
          );
          return rows.length === orders.length && rows.every((r) => r.state === 'delivered')
            ? rows
            : undefined;
        },
        30_000,
        200,
      );
      // Every send the receiver saw is one recorded attempt: nothing sent twice unrecorded.
      for (const row of attempts) {
        const seen = receiver.received.filter((r) => r.headers['webhook-id'] === row.event_id);
        expect(seen.length, row.event_id).toBe(Number(row.n));
      }
      const backlog = await database.query<{ n: string }>(
        `select count(*) as n from webhook_deliveries where state = 'pending'`,
      );
      expect(Number(backlog[0]!.n)).toBe(0);
    }, 180_000);
  },
);
