import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  injectFault,
  issueToken,
  newBarcode,
  payBody,
  tradeNo,
  upstreamCalls,
  newMasterKey,
  newMerchant,
  provision,
  removeDir,
  sleep,
  spawnGateway,
  startSandbox,
  stopAll,
  tempDir,
  waitFor,
  type Deployment,
  type GatewayChild,
  type Provisioned,
  type SandboxHandle,
  type SandboxMerchant,
} from '../multi-instance/helpers.js';
import { Load, compareLedger, figures, sandboxTrades, type LedgerEntry } from './load.js';
import { postgresBinDir, startPrivatePostgres, type PrivatePostgres } from './services.js';

/**
 * Issue 13: PostgreSQL stopped (`pg_ctl stop -m fast`, as a restart or failover)
 * for 3 s and started again while two gateway instances serve steady traffic.
 * A private cluster of the test's own, never the machine's service.
 */
describe.skipIf(postgresBinDir() === undefined)('PostgreSQL stopped and started under load', () => {
  let cluster: PrivatePostgres | undefined;
  let sandbox: SandboxHandle | undefined;
  let dir: string;
  let deployment: Deployment;
  let company: Provisioned;
  let merchant: SandboxMerchant;
  const children: GatewayChild[] = [];

  beforeAll(async () => {
    dir = tempDir();
    cluster = await startPrivatePostgres();
    sandbox = await startSandbox({ dbPath: join(dir, 'sandbox.sqlite') });
    merchant = await newMerchant(sandbox);
    deployment = {
      dataDir: dir,
      databaseUrl: await cluster.createDatabase('omnigate'),
      masterKey: newMasterKey(),
    };
    company = await provision(deployment, merchant);
    const env = {
      OMNIGATE_ICASH_TEST_URL: sandbox.baseUrls.icash,
      OMNIGATE_UPSTREAM_TIMEOUT_MS: '2500',
      // Rows whose completion the outage swallowed are swept and reconciled quickly.
      OMNIGATE_PENDING_STALE_AFTER_MS: '3500',
      OMNIGATE_RECONCILE_SCHEDULE: '200ms',
      OMNIGATE_RECONCILE_INTERVAL_MS: '100',
      OMNIGATE_RATE_LIMIT_PER_MINUTE: '0',
      OMNIGATE_DATABASE_POOL_SIZE: '4',
    };
    children.push(
      ...(await Promise.all([spawnGateway(deployment, env), spawnGateway(deployment, env)])),
    );
  }, 180_000);

  afterAll(async () => {
    await stopAll(children);
    await sandbox?.close();
    await cluster?.destroy();
    if (dir) removeDir(dir);
  }, 60_000);

  it('a call icash answered while the database went away is answered with what icash said and reconciled later', async () => {
    const [a] = children as [GatewayChild];
    const token = await issueToken(a.url, company);
    const no = tradeNo('HELD');
    const barcode = await newBarcode(sandbox!);
    // icash holds the deduct while the database stops: the completion write then fails.
    await injectFault(sandbox!, {
      MerchantID: merchant.MerchantID,
      fault: 'delay',
      delayMs: 1800,
      count: 1,
      operation: 'DeductICPOF',
    });
    const answer = api(a.url, 'POST', '/v1/payment/integrate/pay', {
      token,
      body: payBody(barcode, no),
      headers: { 'idempotency-key': `held-${no}` },
    });
    await waitFor(
      'the deduct upstream',
      () => (upstreamCalls(sandbox!, 'DeductICPOF', no).length > 0 ? true : undefined),
      10_000,
      10,
    );
    await cluster!.stop();
    const stoppedAt = Date.now();
    const paid = await answer;
    const answeredAt = Date.now();
    await cluster!.start();
    expect(stoppedAt).toBeLessThan(answeredAt);
    expect(paid.status).toBe(200);
    expect(paid.body.RtnCode).toBe(1);
    const db = new pg.Client({ connectionString: deployment.databaseUrl });
    await db.connect();
    try {
      const state = await waitFor(
        'the row reconciled',
        async () => {
          const rows = (
            await db.query<{ state: string }>(
              'select state from transactions where merchant_trade_no = $1',
              [no],
            )
          ).rows;
          return rows.length === 1 && rows[0]!.state !== 'pending' && rows[0]!.state !== 'unknown'
            ? rows[0]!.state
            : undefined;
        },
        60_000,
        200,
      );
      expect(state).toBe('succeeded');
    } finally {
      await db.end();
    }
    // One deduct: the reconciler asked, it never paid again.
    expect(upstreamCalls(sandbox!, 'DeductICPOF', no)).toHaveLength(1);
  }, 120_000);

  it('answers 503 database_unavailable during the outage, never crashes, and settles everything after', async () => {
    const [a, b] = children as [GatewayChild, GatewayChild];
    const targets = await Promise.all(
      [a, b].map(async (c) => ({ url: c.url, token: await issueToken(c.url, company) })),
    );
    const load = new Load(sandbox!, () => targets, { workers: 4, cancelShare: 0.5 });
    const probes: { ready: number; health: number }[] = [];
    try {
      await sleep(2000);
      await cluster!.stop();
      const outageEnds = Date.now() + 3000;
      while (Date.now() < outageEnds) {
        for (const c of [a, b]) {
          const [ready, health] = await Promise.all([
            api(c.url, 'GET', '/readyz', { timeoutMs: 5000 }),
            api(c.url, 'GET', '/healthz', { timeoutMs: 5000 }),
          ]);
          probes.push({ ready: ready.status, health: health.status });
        }
        await sleep(300);
      }
      await cluster!.start();
      // Both instances find the database again by themselves.
      for (const c of [a, b]) {
        await waitFor(
          'readyz 200 after the restart',
          async () => ((await api(c.url, 'GET', '/readyz')).status === 200 ? true : undefined),
          30_000,
          200,
        );
      }
      await sleep(2000);
    } finally {
      await load.stop();
    }

    expect(probes.every((p) => p.health === 200)).toBe(true);
    expect(probes.some((p) => p.ready === 503)).toBe(true);

    const seen = figures(load.records, sandbox!);
    const after = load.records.filter((r) => r.status === 200);
    expect(seen.answers503).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    expect(seen).toMatchObject({
      noAnswer: 0,
      answers500: 0,
      slow: 0,
      bad503: 0,
      upstreamAfter503: 0,
    });

    const db = new pg.Client({ connectionString: deployment.databaseUrl });
    await db.connect();
    try {
      const ledger = async () =>
        (
          await db.query<LedgerEntry>(
            'select operation, state, merchant_trade_no from transactions where merchant_trade_no = any($1)',
            [load.tradeNos],
          )
        ).rows;
      await waitFor(
        'every row settled',
        async () =>
          (await ledger()).every((r) => r.state !== 'pending' && r.state !== 'unknown')
            ? true
            : undefined,
        60_000,
        250,
      );
      const comparison = compareLedger(
        load.tradeNos,
        await ledger(),
        sandboxTrades(join(dir, 'sandbox.sqlite')),
      );
      expect(comparison).toMatchObject({ unsettled: 0, mismatches: [], lost: [] });
    } finally {
      await db.end();
    }
    // Neither instance exited.
    expect(a.child.exitCode).toBeNull();
    expect(b.child.exitCode).toBeNull();
    expect(a.child.signalCode).toBeNull();
    expect(b.child.signalCode).toBeNull();
  }, 180_000);
});
