/**
 * `npm run soak`: 10,000 mixed Integrate calls (pay, search, cancel; some with an
 * Idempotency-Key and a retry) against `omnigate serve` as a child process, with a
 * random sandbox fault before ~5% of them. Afterwards it waits (bounded) for the
 * reconciler and reports calls, statuses, ledger rows, rows missing, rows still
 * unsettled and the gateway's memory. Not part of the test suite.
 *
 *   npm run soak -- --calls 10000 --concurrency 16 --fault-rate 0.05
 *   (or SOAK_CALLS, SOAK_CONCURRENCY, SOAK_FAULT_RATE, SOAK_WALLETS, SOAK_UPSTREAM_TIMEOUT_MS;
 *   --upstream-timeout-ms defaults to 300, a delay fault holds the answer twice that)
 *
 * Everything it talks to is on 127.0.0.1; every loop is bounded in count and time.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  api,
  cancelBody,
  clearFaults,
  injectFault,
  issueToken,
  newMerchant,
  payBody,
  provision,
  removeDir,
  searchPath,
  sleep,
  spawnGateway,
  startSandbox,
  tempDir,
  tradeNo,
  withLedgerFile,
  type ApiAnswer,
  type FaultKind,
  type FaultSpec,
  type SandboxHandle,
} from '../test/reliability/helpers.js';

function option(name: string, fallback: number): number {
  const flag = `--${name}`;
  const at = process.argv.indexOf(flag);
  const raw =
    at >= 0 ? process.argv[at + 1] : process.env[`SOAK_${name.toUpperCase().replace(/-/g, '_')}`];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${flag} must be a number`);
  return value;
}

const CALLS = Math.min(Math.floor(option('calls', 10_000)), 1_000_000);
const CONCURRENCY = Math.max(1, Math.min(Math.floor(option('concurrency', 16)), 256));
const FAULT_RATE = Math.min(option('fault-rate', 0.05), 1);
const WALLETS = Math.max(1, Math.min(Math.floor(option('wallets', 300)), 5000));
const UPSTREAM_TIMEOUT_MS = Math.max(
  100,
  Math.min(Math.floor(option('upstream-timeout-ms', 300)), 10_000),
);
/** A delay fault holds the answer beyond the gateway's time-out. */
const FAULT_DELAY_MS = UPSTREAM_TIMEOUT_MS * 2;
/** Hard limits: the traffic phase, the wait for reconciliation, one call. */
const TRAFFIC_LIMIT_MS = 240_000;
const SETTLE_LIMIT_MS = 60_000;
const CALL_TIMEOUT_MS = 15_000;
const WARM_UP_CALLS = Math.min(500, Math.floor(CALLS / 10));

const FAULTS: readonly FaultKind[] = ['delay', 'drop', 'http500', 'bad_signature', 'non_json'];
const UPSTREAM = {
  pay: 'DeductICPOF',
  cancel: 'DeductCancelICPOF',
  search: 'QueryTradeICPO',
} as const;
type Operation = keyof typeof UPSTREAM;

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/** The gateway's resident memory in KiB, from /proc (Linux). */
function rssKiB(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

const mib = (kib: number | null): string =>
  kib === null ? 'n/a' : `${(kib / 1024).toFixed(1)} MiB`;

interface Stats {
  sent: number;
  answered: number;
  replayed: number;
  noAnswer: number;
  faults: number;
  statuses: Record<string, number>;
  byOperation: Record<string, number>;
}

/** The gateway child, so that the hard time limit can stop it too. */
let liveGatewayPid: number | undefined;

async function main(): Promise<number> {
  const started = performance.now();
  const sandbox: SandboxHandle = await startSandbox();
  const dataDir = tempDir('omnigate-soak-');
  let gateway: Awaited<ReturnType<typeof spawnGateway>> | undefined;
  try {
    const merchant = await newMerchant(sandbox);
    const provisioned = await provision(dataDir, merchant);
    gateway = await spawnGateway(dataDir, {
      OMNIGATE_ICASH_TEST_URL: sandbox.baseUrls.icash,
      OMNIGATE_UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
      OMNIGATE_RECONCILE_SCHEDULE: '250ms,500ms,1s,2s',
      OMNIGATE_RECONCILE_INTERVAL_MS: '100',
      OMNIGATE_SHUTDOWN_GRACE_MS: '5000',
      OMNIGATE_LOG_LEVEL: 'error',
      // A soak measures money-safety and memory, not the per-client rate limit (0 = off).
      OMNIGATE_RATE_LIMIT_PER_MINUTE: '0',
    });
    const url = gateway.url;
    const pid = gateway.pid;
    liveGatewayPid = pid;
    const token = await issueToken(url, provisioned);

    // Funded wallets; every pay gets a fresh barcode of one of them (a barcode pays once).
    const wallets: string[] = [];
    for (let i = 0; i < WALLETS; i += 1) {
      const res = await fetch(`${sandbox.url}/sandbox/barcodes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ balance: 100_000_000 }),
        signal: AbortSignal.timeout(10_000),
      });
      wallets.push(((await res.json()) as { ICPAccount: string }).ICPAccount);
    }
    const barcode = async (): Promise<string> => {
      const res = await fetch(`${sandbox.url}/sandbox/barcodes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ICPAccount: pick(wallets) }),
        signal: AbortSignal.timeout(10_000),
      });
      return ((await res.json()) as { Barcode: string }).Barcode;
    };

    const stats: Stats = {
      sent: 0,
      answered: 0,
      replayed: 0,
      noAnswer: 0,
      faults: 0,
      statuses: {},
      byOperation: {},
    };
    const trafficDeadline = Date.now() + TRAFFIC_LIMIT_MS;
    let rssStart: number | null = null;
    let rssMax = 0;
    const sampler = setInterval(() => {
      rssMax = Math.max(rssMax, rssKiB(pid) ?? 0);
    }, 1000);

    /** One Integrate call, counted; false when the budget or the time is spent. */
    async function call(
      operation: Operation,
      body: object | string,
      key?: string,
    ): Promise<ApiAnswer | false | undefined> {
      if (stats.sent >= CALLS || Date.now() > trafficDeadline) return false;
      stats.sent += 1;
      if (stats.sent === WARM_UP_CALLS + 1) rssStart = rssKiB(pid);
      stats.byOperation[operation] = (stats.byOperation[operation] ?? 0) + 1;
      if (Math.random() < FAULT_RATE) {
        stats.faults += 1;
        const fault: FaultSpec = {
          MerchantID: merchant.MerchantID,
          fault: pick(FAULTS),
          count: 1,
          operation: UPSTREAM[operation],
          delayMs: FAULT_DELAY_MS,
        };
        await injectFault(sandbox, fault);
      }
      try {
        const res =
          operation === 'search'
            ? await api(url, 'GET', body as string, { token, timeoutMs: CALL_TIMEOUT_MS })
            : await api(url, 'POST', `/v1/payment/integrate/${operation}`, {
                token,
                body,
                headers: key ? { 'idempotency-key': key } : {},
                timeoutMs: CALL_TIMEOUT_MS,
              });
        stats.answered += 1;
        if (res.headers.get('idempotent-replayed') === 'true') stats.replayed += 1;
        stats.statuses[res.status] = (stats.statuses[res.status] ?? 0) + 1;
        return res;
      } catch {
        stats.noAnswer += 1;
        return undefined;
      }
    }

    /** One trade's life, in one of a few shapes. */
    async function flow(): Promise<boolean> {
      const no = tradeNo('SOAK');
      const shape = Math.random();
      const idempotent = Math.random() < 0.2;
      const payKey = idempotent ? `pay-${no}` : undefined;
      const pay = payBody(await barcode(), no, 1 + Math.floor(Math.random() * 500));
      if ((await call('pay', pay, payKey)) === false) return false;
      if (payKey && Math.random() < 0.5 && (await call('pay', pay, payKey)) === false) return false;
      const search = (): Promise<ApiAnswer | false | undefined> => call('search', searchPath(no));
      const cancel = cancelBody(no);
      const cancelKey = idempotent ? `cancel-${no}` : undefined;
      if (shape < 0.5) {
        // pay, search, cancel
        if ((await search()) === false) return false;
        if ((await call('cancel', cancel, cancelKey)) === false) return false;
      } else if (shape < 0.7) {
        // pay, search
        if ((await search()) === false) return false;
      } else if (shape < 0.85) {
        // pay, cancel, search
        if ((await call('cancel', cancel, cancelKey)) === false) return false;
        if ((await search()) === false) return false;
      } else {
        // pay, cancel, cancel again (the same key replays; without one icash answers 2067)
        if ((await call('cancel', cancel, cancelKey)) === false) return false;
        if ((await call('cancel', cancel, cancelKey)) === false) return false;
      }
      return true;
    }

    const worker = async (): Promise<void> => {
      // Each flow sends at least one call, so CALLS bounds the iterations.
      for (let i = 0; i < CALLS; i += 1) {
        if (!(await flow())) return;
      }
    };
    const trafficStarted = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
    const trafficMs = performance.now() - trafficStarted;

    // Reconciliation: no more faults; wait (bounded) until no row is pending or unknown.
    await clearFaults(sandbox);
    const unsettledNow = (): number =>
      withLedgerFile(dataDir, (db) => {
        const row = db
          .prepare("SELECT COUNT(*) AS n FROM transactions WHERE state IN ('pending', 'unknown')")
          .get() as { n: number };
        return row.n;
      });
    const settleStarted = performance.now();
    const settleDeadline = Date.now() + SETTLE_LIMIT_MS;
    let unsettled = unsettledNow();
    while (unsettled > 0 && Date.now() < settleDeadline) {
      await sleep(250);
      unsettled = unsettledNow();
    }
    const settleMs = performance.now() - settleStarted;
    clearInterval(sampler);
    const rssEnd = rssKiB(pid);
    rssMax = Math.max(rssMax, rssEnd ?? 0);

    const { ledgerRows, byState } = withLedgerFile(dataDir, (db) => {
      const total = (db.prepare('SELECT COUNT(*) AS n FROM transactions').get() as { n: number }).n;
      const states = db
        .prepare('SELECT state, COUNT(*) AS n FROM transactions GROUP BY state ORDER BY state')
        .all() as { state: string; n: number }[];
      return {
        ledgerRows: total,
        byState: Object.fromEntries(states.map((s) => [s.state, s.n])),
      };
    });
    // Every answered call has exactly one ledger row, except an idempotent replay (it ran nothing).
    const expectedRows = stats.answered - stats.replayed;
    const rowsMissing = Math.max(0, expectedRows - ledgerRows);
    const extraRows = Math.max(0, ledgerRows - expectedRows);
    const elapsedMs = performance.now() - started;

    const exit = await gateway.stop('SIGTERM', 20_000);
    gateway = undefined;

    const summary = {
      calls_sent: stats.sent,
      calls_answered: stats.answered,
      calls_without_answer: stats.noAnswer,
      idempotent_replays: stats.replayed,
      faults_injected: stats.faults,
      by_operation: stats.byOperation,
      http_status: stats.statuses,
      ledger_rows: ledgerRows,
      ledger_by_state: byState,
      rows_missing: rowsMissing,
      rows_extra: extraRows,
      rows_unsettled: unsettled,
      rss_start_kib: rssStart,
      rss_end_kib: rssEnd,
      rss_max_kib: rssMax,
      traffic_ms: Math.round(trafficMs),
      settle_ms: Math.round(settleMs),
      elapsed_ms: Math.round(elapsedMs),
      calls_per_second: Math.round(stats.sent / (trafficMs / 1000)),
      gateway_exit_code: exit.code,
    };
    const lines = [
      `calls sent:           ${stats.sent} (${stats.answered} answered, ${stats.noAnswer} without an answer, ${stats.replayed} idempotent replays)`,
      `by operation:         ${JSON.stringify(stats.byOperation)}`,
      `faults injected:      ${stats.faults}`,
      `HTTP status:          ${JSON.stringify(stats.statuses)}`,
      `ledger rows:          ${ledgerRows} ${JSON.stringify(byState)}`,
      `rows missing:         ${rowsMissing} (extra: ${extraRows})`,
      `rows unsettled:       ${unsettled} (after ${(settleMs / 1000).toFixed(1)} s of reconciliation)`,
      `gateway RSS:          start ${mib(rssStart)} (after ${WARM_UP_CALLS} warm-up calls), end ${mib(rssEnd)}, max ${mib(rssMax)}`,
      `elapsed:              ${(elapsedMs / 1000).toFixed(1)} s (traffic ${(trafficMs / 1000).toFixed(1)} s, ${summary.calls_per_second} calls/s, concurrency ${CONCURRENCY})`,
      `gateway exit code:    ${exit.code}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n${JSON.stringify(summary)}\n`);
    return rowsMissing === 0 && unsettled === 0 && stats.noAnswer === 0 ? 0 : 1;
  } finally {
    if (gateway) await gateway.stop('SIGKILL', 5000).catch(() => undefined);
    await sandbox.close();
    removeDir(dataDir);
  }
}

const hardStop = setTimeout(
  () => {
    process.stderr.write('soak: hard time limit reached\n');
    if (liveGatewayPid !== undefined) process.kill(liveGatewayPid, 'SIGKILL');
    process.exit(2);
  },
  TRAFFIC_LIMIT_MS + SETTLE_LIMIT_MS + 120_000,
);
hardStop.unref();

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`soak failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
