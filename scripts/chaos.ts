/**
 * `npm run chaos`: the gateway (`omnigate serve` child processes) with the
 * sandbox under steady load, while it injects, in turn: upstream faults (delay,
 * drop, HTTP 500, bad signature, non-JSON), kill -9 of an instance (restarted at
 * once), an outage of the database (PostgreSQL: `pg_ctl stop -m fast` for 3 s on
 * a private cluster with two instances; SQLite: the data dir's disk filled for
 * 3 s, on a tmpfs of its own, root only) and of Redis (a private redis-server
 * killed for 3 s). Then it waits (bounded) for the reconciler and compares the
 * ledger with the sandbox's trades, trade by trade. Prints the figures and exits
 * non-zero on any lost call, unsettled row or mismatch. Not part of the test suite.
 *
 *   npm run chaos -- --database sqlite|postgres --redis on|off --duration 40 --workers 4
 *   (or CHAOS_DATABASE, CHAOS_REDIS, CHAOS_DURATION, CHAOS_WORKERS)
 *
 * Everything it starts listens on 127.0.0.1 and is stopped at the end, whatever happens.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import {
  type Deployment,
  newMasterKey,
  provision as provisionDeployment,
} from '../test/multi-instance/helpers.js';
import {
  type FaultKind,
  type GatewayChild,
  type SandboxHandle,
  clearFaults,
  injectFault,
  issueToken,
  newMerchant,
  provision as provisionDataDir,
  removeDir,
  sleep,
  spawnGateway,
  startGatewayProcess,
  startSandbox,
  tempDir,
  withLedgerFile,
} from '../test/reliability/helpers.js';
import {
  Load,
  type LedgerEntry,
  type Target,
  compareLedger,
  figures,
  sandboxTrades,
} from '../test/dependencies/load.js';
import {
  type PrivatePostgres,
  type PrivateRedis,
  fillDisk,
  mountSmallDisk,
  postgresBinDir,
  redisServerAvailable,
  startPrivatePostgres,
  startPrivateRedis,
} from '../test/dependencies/services.js';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  if (at >= 0 && process.argv[at + 1] !== undefined) return process.argv[at + 1]!;
  return process.env[`CHAOS_${name.toUpperCase()}`] ?? fallback;
}
function numberOption(name: string, fallback: number, min: number, max: number): number {
  const value = Number(option(name, String(fallback)));
  if (!Number.isFinite(value) || value < min || value > max)
    throw new Error(`--${name} must be a number from ${min} to ${max}`);
  return value;
}

const DATABASE = option('database', 'sqlite');
if (DATABASE !== 'sqlite' && DATABASE !== 'postgres')
  throw new Error('--database must be sqlite or postgres');
const REDIS = option('redis', redisServerAvailable() ? 'on' : 'off') === 'on';
const DURATION_S = numberOption('duration', 40, 10, 600);
const WORKERS = Math.floor(numberOption('workers', 4, 1, 32));
const UPSTREAM_TIMEOUT_MS = 1500;
const OUTAGE_MS = 3000;
const SETTLE_LIMIT_MS = 90_000;
const UPSTREAM_FAULTS: readonly FaultKind[] = [
  'delay',
  'drop',
  'http500',
  'bad_signature',
  'non_json',
];

type Event = 'upstream' | 'kill' | 'database' | 'redis';

/** The children alive right now, for the hard time limit. */
const live = new Set<GatewayChild>();

async function main(): Promise<number> {
  const started = performance.now();
  const work = tempDir('omnigate-chaos-');
  const disk = DATABASE === 'sqlite' ? mountSmallDisk() : undefined;
  let cluster: PrivatePostgres | undefined;
  let redis: PrivateRedis | undefined;
  let sandbox: SandboxHandle | undefined;
  const sandboxDb = join(work, 'sandbox.sqlite');
  try {
    sandbox = await startSandbox({ dbPath: sandboxDb });
    const merchant = await newMerchant(sandbox);
    if (REDIS) redis = await startPrivateRedis();

    // The deployment: SQLite in a data dir (on the small disk when we may mount one), or
    // PostgreSQL on a private cluster with two instances.
    let dataDir: string;
    let client: { clientId: string; clientSecret: string };
    const baseEnv: Record<string, string> = {
      OMNIGATE_ICASH_TEST_URL: sandbox.baseUrls.icash,
      OMNIGATE_UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
      OMNIGATE_PENDING_STALE_AFTER_MS: String(UPSTREAM_TIMEOUT_MS + 2000),
      OMNIGATE_RECONCILE_SCHEDULE: '250ms,500ms,1s,2s',
      OMNIGATE_RECONCILE_INTERVAL_MS: '100',
      OMNIGATE_SHUTDOWN_GRACE_MS: '3000',
      OMNIGATE_RATE_LIMIT_PER_MINUTE: '1000000',
      OMNIGATE_LOG_LEVEL: 'error',
      ...(redis ? { OMNIGATE_REDIS_URL: redis.url } : {}),
    };
    let spawn: () => Promise<GatewayChild>;
    let instances: number;
    let deployment: Deployment | undefined;
    if (DATABASE === 'postgres') {
      if (!postgresBinDir()) throw new Error('PostgreSQL binaries not found (initdb, pg_ctl)');
      cluster = await startPrivatePostgres();
      dataDir = work;
      deployment = {
        dataDir,
        databaseUrl: await cluster.createDatabase('omnigate'),
        masterKey: newMasterKey(),
      };
      client = await provisionDeployment(deployment, merchant);
      const d = deployment;
      spawn = () =>
        startGatewayProcess({
          OMNIGATE_DATA_DIR: d.dataDir,
          OMNIGATE_DATABASE_URL: d.databaseUrl,
          OMNIGATE_MASTER_KEY: d.masterKey,
          ...baseEnv,
        });
      instances = 2;
    } else {
      dataDir = disk ? join(disk.dir, 'data') : join(work, 'data');
      client = await provisionDataDir(dataDir, merchant);
      spawn = () => spawnGateway(dataDir, baseEnv);
      instances = 1;
    }

    const children: GatewayChild[] = [];
    for (let i = 0; i < instances; i += 1) children.push(await spawn());
    for (const c of children) live.add(c);
    const token = await issueToken(children[0]!.url, client);
    let targets: Target[] = children.map((c) => ({ url: c.url, token }));
    const load = new Load(sandbox, () => targets, {
      workers: WORKERS,
      cancelShare: 0.5,
      tokenShare: 0.05,
      client,
    });

    const faults: Record<string, number> = {};
    let kills = 0;
    const outages: Record<string, number> = {};
    const events: Event[] = ['upstream', 'kill', 'upstream', 'database'];
    if (redis) events.push('upstream', 'redis');
    if (DATABASE === 'sqlite' && !disk)
      process.stderr.write('chaos: not root, so no disk-full outage for SQLite\n');

    const trafficEnds = Date.now() + DURATION_S * 1000;
    for (let n = 0; Date.now() < trafficEnds; n += 1) {
      await sleep(1500);
      const event = events[n % events.length]!;
      if (event === 'upstream') {
        // A burst of faults, each on the next call of its operation.
        for (let i = 0; i < 5; i += 1) {
          const fault = UPSTREAM_FAULTS[(n + i) % UPSTREAM_FAULTS.length]!;
          await injectFault(sandbox, {
            MerchantID: merchant.MerchantID,
            fault,
            count: 1,
            delayMs: UPSTREAM_TIMEOUT_MS * 2,
            operation: i % 2 === 0 ? 'DeductICPOF' : 'DeductCancelICPOF',
          });
          faults[fault] = (faults[fault] ?? 0) + 1;
        }
      } else if (event === 'kill') {
        const victim = n % children.length;
        const dead = children[victim]!;
        targets = targets.filter((t) => t.url !== dead.url);
        await dead.stop('SIGKILL', 10_000);
        live.delete(dead);
        kills += 1;
        const fresh = await spawn();
        live.add(fresh);
        children[victim] = fresh;
        targets = [...targets, { url: fresh.url, token }];
      } else if (event === 'database') {
        if (cluster) {
          await cluster.stop();
          await sleep(OUTAGE_MS);
          await cluster.start();
          outages['postgres stopped'] = (outages['postgres stopped'] ?? 0) + 1;
        } else if (disk) {
          const filler = join(disk.dir, 'filler');
          fillDisk(filler);
          await sleep(OUTAGE_MS);
          removeDir(filler);
          outages['disk full'] = (outages['disk full'] ?? 0) + 1;
        }
      } else if (redis) {
        await redis.stop();
        await sleep(OUTAGE_MS);
        await redis.start();
        outages['redis stopped'] = (outages['redis stopped'] ?? 0) + 1;
      }
    }
    await load.stop();
    await clearFaults(sandbox);

    // Reconciliation: wait (bounded) until no row of the run is pending or unknown.
    const ledger = async (): Promise<LedgerEntry[]> => {
      if (deployment) {
        const db = new pg.Client({ connectionString: deployment.databaseUrl });
        await db.connect();
        try {
          return (
            await db.query<LedgerEntry>(
              'select operation, state, merchant_trade_no from transactions',
            )
          ).rows;
        } finally {
          await db.end();
        }
      }
      return withLedgerFile(
        dataDir,
        (db) =>
          db
            .prepare('SELECT operation, state, merchant_trade_no FROM transactions')
            .all() as LedgerEntry[],
      );
    };
    const settleStarted = performance.now();
    let comparison = compareLedger(load.tradeNos, await ledger(), sandboxTrades(sandboxDb));
    while (comparison.unsettled > 0 && performance.now() - settleStarted < SETTLE_LIMIT_MS) {
      await sleep(500);
      comparison = compareLedger(load.tradeNos, await ledger(), sandboxTrades(sandboxDb));
    }
    const settleMs = performance.now() - settleStarted;
    const seen = figures(load.records, sandbox);
    const crashed = children.filter(
      (c) => c.child.exitCode !== null || c.child.signalCode !== null,
    );

    const summary = {
      database: DATABASE,
      redis: REDIS,
      instances,
      calls: seen.calls,
      by_status: seen.byStatus,
      server_errors_by_code: seen.serverErrors,
      no_answer: seen.noAnswer,
      faults_by_kind: faults,
      kills,
      outages,
      trades: comparison.trades,
      lost: comparison.lost.length,
      unsettled: comparison.unsettled,
      mismatches: comparison.mismatches.length,
      upstream_calls_after_503: seen.upstreamAfter503,
      longest_answer_ms: seen.slowest,
      answers_over_2s: seen.slow,
      unexpected_exits: crashed.length,
      settle_ms: Math.round(settleMs),
      elapsed_ms: Math.round(performance.now() - started),
    };
    const lines = [
      `database:             ${DATABASE} (${instances} instance${instances > 1 ? 's' : ''}), Redis ${REDIS ? 'on' : 'off'}`,
      `calls:                ${seen.calls} ${JSON.stringify(seen.byStatus)} (0: no answer, from a killed instance)`,
      `5xx by code:          ${JSON.stringify(seen.serverErrors)}`,
      `faults by kind:       ${JSON.stringify(faults)}`,
      `kills (-9):           ${kills}`,
      `outages:              ${JSON.stringify(outages)}`,
      `trades:               ${comparison.trades}`,
      `lost:                 ${comparison.lost.length}`,
      `unsettled:            ${comparison.unsettled} (after ${(settleMs / 1000).toFixed(1)} s of reconciliation)`,
      `mismatches:           ${comparison.mismatches.length}`,
      `upstream after a 503: ${seen.upstreamAfter503}`,
      `longest answer:       ${seen.slowest} ms (${seen.slow} over 2 s)`,
      `unexpected exits:     ${crashed.length}`,
      ...comparison.mismatches.slice(0, 10).map((m) => `  mismatch ${m}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n${JSON.stringify(summary)}\n`);
    await Promise.all(children.map((c) => c.stop('SIGTERM', 10_000).catch(() => undefined)));
    const failed =
      comparison.lost.length > 0 ||
      comparison.unsettled > 0 ||
      comparison.mismatches.length > 0 ||
      seen.upstreamAfter503 > 0 ||
      crashed.length > 0;
    return failed ? 1 : 0;
  } finally {
    for (const c of live) await c.stop('SIGKILL', 5000).catch(() => undefined);
    await sandbox?.close();
    await redis?.destroy();
    await cluster?.destroy();
    disk?.unmount();
    removeDir(work);
  }
}

const hardStop = setTimeout(
  () => {
    process.stderr.write('chaos: hard time limit reached\n');
    for (const c of live) c.child.kill('SIGKILL');
    process.exit(2);
  },
  DURATION_S * 1000 + SETTLE_LIMIT_MS + 180_000,
);
hardStop.unref();

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`chaos failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
