import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
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
import { fillDisk, mountSmallDisk } from './services.js';

const disk = mountSmallDisk();

/**
 * Issue 13: the SQLite file's disk fills up under load and frees again. Every
 * write then fails (SQLITE_FULL): 503 database_unavailable, nothing upstream, no
 * crash, and recovery by itself once there is room.
 */
describe.skipIf(disk === undefined)('SQLite on a full disk', () => {
  let sandbox: SandboxHandle | undefined;
  let gateway: GatewayChild | undefined;
  let sandboxDir: string;
  let company: Provisioned;
  const dataDir = disk ? join(disk.dir, 'data') : '';

  beforeAll(async () => {
    sandboxDir = tempDir();
    sandbox = await startSandbox({ dbPath: join(sandboxDir, 'sandbox.sqlite') });
    company = await provision(dataDir, await newMerchant(sandbox));
    gateway = await spawnGateway(
      dataDir,
      gatewayEnv(sandbox, {
        OMNIGATE_UPSTREAM_TIMEOUT_MS: '2500',
        OMNIGATE_PENDING_STALE_AFTER_MS: '3500',
        OMNIGATE_RATE_LIMIT_PER_MINUTE: '0',
      }),
    );
  }, 120_000);

  afterAll(async () => {
    await gateway?.stop('SIGTERM', 10_000).catch(() => undefined);
    await sandbox?.close();
    if (sandboxDir) removeDir(sandboxDir);
    disk?.unmount();
  }, 60_000);

  it('answers 503 database_unavailable while the disk is full and recovers when space returns', async () => {
    const g = gateway!;
    const target = { url: g.url, token: await issueToken(g.url, company) };
    const load = new Load(sandbox!, () => [target], { workers: 4, cancelShare: 0.5 });
    const filler = join(disk!.dir, 'filler');
    let readyDuring = 0;
    try {
      await sleep(1500);
      fillDisk(filler);
      // The next writes that need room fail; keep the disk full for a while.
      await waitFor(
        'a 503',
        () => (load.records.some((r) => r.status === 503) ? true : undefined),
        20_000,
        50,
      );
      await sleep(2000);
      readyDuring = (await api(g.url, 'GET', '/readyz')).status;
      expect((await api(g.url, 'GET', '/healthz')).status).toBe(200);
      rmSync(filler);
      const mark = load.records.length;
      await waitFor(
        'answers 200 again',
        () => (load.records.slice(mark).some((r) => r.status === 200) ? true : undefined),
        20_000,
        50,
      );
      await waitFor(
        'readyz 200 again',
        async () => ((await api(g.url, 'GET', '/readyz')).status === 200 ? true : undefined),
        20_000,
        200,
      );
      await sleep(1000);
    } finally {
      rmSync(filler, { force: true });
      await load.stop();
    }
    expect(readyDuring).toBe(503);
    const seen = figures(load.records, sandbox!);
    expect(seen.answers503).toBeGreaterThan(0);
    expect(seen).toMatchObject({
      noAnswer: 0,
      answers500: 0,
      slow: 0,
      bad503: 0,
      upstreamAfter503: 0,
    });

    const comparison = compareLedger(
      load.tradeNos,
      await settledSqliteLedger(dataDir),
      sandboxTrades(join(sandboxDir, 'sandbox.sqlite')),
    );
    expect(comparison).toMatchObject({ unsettled: 0, mismatches: [], lost: [] });
    expect(g.child.exitCode).toBeNull();
  }, 120_000);
});
