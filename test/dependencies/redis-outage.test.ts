import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  gatewayEnv,
  issueToken,
  newMerchant,
  provision,
  removeDir,
  sleep,
  spawnGateway,
  startSandbox,
  tempDir,
  waitFor,
  type GatewayChild,
  type Provisioned,
  type SandboxHandle,
} from '../reliability/helpers.js';
import { Load, compareLedger, figures, sandboxTrades, settledSqliteLedger } from './load.js';
import { redisServerAvailable, startPrivateRedis, type PrivateRedis } from './services.js';

const UNAVAILABLE = /Redis unavailable: rate limits use per-process counters/g;
const BACK = /Redis available again/g;
const count = (text: string, pattern: RegExp): number => text.match(pattern)?.length ?? 0;

/**
 * Issue 13: Redis (the rate-limit counters) killed and started again, then
 * stalled (SIGSTOP) and resumed, under steady traffic with token requests. A
 * private redis-server of the test's own, never the machine's on 6379.
 */
describe.skipIf(!redisServerAvailable())('Redis stopped and started under load', () => {
  let redis: PrivateRedis | undefined;
  let sandbox: SandboxHandle | undefined;
  let gateway: GatewayChild | undefined;
  let dir: string;
  let company: Provisioned;

  beforeAll(async () => {
    dir = tempDir();
    redis = await startPrivateRedis();
    sandbox = await startSandbox({ dbPath: join(dir, 'sandbox.sqlite') });
    company = await provision(dir, await newMerchant(sandbox));
    gateway = await spawnGateway(
      dir,
      gatewayEnv(sandbox, {
        OMNIGATE_REDIS_URL: redis.url,
        OMNIGATE_RATE_LIMIT_PER_MINUTE: '1000000',
        OMNIGATE_LOG_LEVEL: 'info',
      }),
    );
  }, 120_000);

  afterAll(async () => {
    await gateway?.stop('SIGTERM', 10_000).catch(() => undefined);
    await sandbox?.close();
    await redis?.destroy();
    if (dir) removeDir(dir);
  }, 60_000);

  it('calls go on with per-process counters, one warning per outage, shared counters resume', async () => {
    const g = gateway!;
    const target = { url: g.url, token: await issueToken(g.url, company) };
    const load = new Load(sandbox!, () => [target], {
      workers: 4,
      cancelShare: 0.5,
      tokenShare: 0.2,
      client: company,
    });
    const log = () => g.output().stdout;
    try {
      await sleep(1500);
      // A crash: connections refused until it is back.
      await redis!.stop();
      await waitFor(
        'the warning',
        () => (count(log(), UNAVAILABLE) === 1 ? true : undefined),
        10_000,
      );
      await sleep(3000);
      await redis!.start();
      await waitFor('Redis back', () => (count(log(), BACK) === 1 ? true : undefined), 10_000);
      await sleep(1500);
      // A stall: the connection stays open and nothing answers.
      redis!.pause();
      await sleep(3000);
      redis!.resume();
      await waitFor(
        'Redis back again',
        () => (count(log(), BACK) === 2 ? true : undefined),
        10_000,
      );
      await sleep(1000);
    } finally {
      redis!.resume();
      await load.stop();
    }
    // One warning per outage: the crash, then the stall.
    expect(count(log(), UNAVAILABLE)).toBe(2);

    const seen = figures(load.records, sandbox!);
    expect(seen.byStatus['200']).toBeGreaterThan(0);
    expect(
      load.records.filter((r) => r.operation === 'token' && r.status === 200).length,
    ).toBeGreaterThan(0);
    expect(seen).toMatchObject({ noAnswer: 0, answers500: 0, answers503: 0, slow: 0 });
    expect(seen.serverErrors).toEqual({});

    // The shared counter counts again.
    const client = new Redis(redis!.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      const key = `omnigate:rl:calls:${company.clientId}`;
      const before = Number((await client.get(key)) ?? 0);
      await issueToken(g.url, company).then((token) =>
        fetch(`${g.url}/v1/payment/transactions/none`, {
          headers: { authorization: `Bearer ${token}` },
        }),
      );
      expect(Number(await client.get(key))).toBe(before + 1);
    } finally {
      client.disconnect();
    }

    const comparison = compareLedger(
      load.tradeNos,
      await settledSqliteLedger(dir),
      sandboxTrades(join(dir, 'sandbox.sqlite')),
    );
    expect(comparison).toMatchObject({ unsettled: 0, mismatches: [], lost: [] });
    expect(g.child.exitCode).toBeNull();
  }, 120_000);
});
