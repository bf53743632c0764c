/**
 * `npm run soak:webhooks`: N pays (and a cancel of every fifth) through `omnigate
 * serve` as a child process, with a webhook receiver that fails 20 % of the
 * deliveries it gets (HTTP 500). Afterwards it waits (bounded) until every
 * event was accepted once at least and the outbox backlog is back to 0, then
 * reports calls, events, attempts, failures answered, duplicates and the
 * backlog. Not part of the test suite.
 *
 *   npm run soak:webhooks -- --calls 300 --concurrency 8 --fail-rate 0.2 --baseline 60
 *   (or SOAK_CALLS, SOAK_CONCURRENCY, SOAK_FAIL_RATE, SOAK_BASELINE)
 *
 * First `--baseline` pays (default a fifth of --calls, at most 1000) run before
 * the endpoint exists (no events), then the endpoint is created and the
 * `--calls` run: the pay latencies of both phases (p50, p99) and the gateway's
 * resident memory, sampled every second, are reported side by side.
 *
 * Everything it talks to is on 127.0.0.1; every loop is bounded in count and time.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/config.js';
import { loadSecretBox } from '../src/runtime/master-key.js';
import { openStore } from '../src/store/index.js';
import {
  api,
  cancelBody,
  cli,
  issueToken,
  newBarcode,
  newMerchant,
  payBody,
  provision,
  removeDir,
  sleep,
  spawnGateway,
  startSandbox,
  tempDir,
  tradeNo,
} from '../test/reliability/helpers.js';
import { eventOf, startReceiver, verifyByHand } from '../test/webhooks/receiver.js';

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

const CALLS = Math.max(1, Math.min(Math.floor(option('calls', 300)), 100_000));
const CONCURRENCY = Math.max(1, Math.min(Math.floor(option('concurrency', 8)), 64));
const FAIL_RATE = Math.min(option('fail-rate', 0.2), 0.9);
const BASELINE = Math.max(
  0,
  Math.min(Math.floor(option('baseline', Math.min(1000, CALLS / 5))), 20_000),
);
const TRAFFIC_LIMIT_MS = 600_000;
const DRAIN_LIMIT_MS = 120_000;

/** The process's resident memory in MB, from /proc (Linux). */
function rssMb(pid: number): number | null {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
    return line ? Math.round(Number(line[1]) / 102.4) / 10 : null;
  } catch {
    return null;
  }
}

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return (
    Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 10) /
    10
  );
}

async function main(): Promise<number> {
  const started = performance.now();
  const sandbox = await startSandbox();
  const receiver = await startReceiver();
  receiver.answer = () => (Math.random() < FAIL_RATE ? 500 : 204);
  const dataDir = tempDir('omnigate-webhook-soak-');
  let gateway: Awaited<ReturnType<typeof spawnGateway>> | undefined;
  try {
    const provisioned = await provision(dataDir, await newMerchant(sandbox));
    gateway = await spawnGateway(dataDir, {
      OMNIGATE_ICASH_TEST_URL: sandbox.baseUrls.icash,
      OMNIGATE_LOG_LEVEL: 'error',
      OMNIGATE_RATE_LIMIT_PER_MINUTE: '0',
      OMNIGATE_WEBHOOK_INTERVAL_MS: '100',
      // Short, like the default's shape: at once, then growing waits.
      OMNIGATE_WEBHOOK_SCHEDULE: '0s,200ms,500ms,1s,2s,2s,2s,2s,2s,2s',
    });
    const token = await issueToken(gateway.url, provisioned);
    const pid = gateway.pid;
    const memory: { phase: 'baseline' | 'webhooks'; mb: number }[] = [];
    let phase: 'baseline' | 'webhooks' = 'baseline';
    const sampler = setInterval(() => {
      const mb = rssMb(pid);
      if (mb !== null) memory.push({ phase, mb });
    }, 1000);

    // Traffic: pays, and a cancel of every fifth; each succeeded call is one event.
    const expected = new Set<string>();
    const latency = { baseline: [] as number[], webhooks: [] as number[] };
    let next = 0;
    let limit = BASELINE;
    let refused = 0;
    const trafficEnd = Date.now() + TRAFFIC_LIMIT_MS;
    const url = gateway.url;
    const worker = async () => {
      while (next < limit && Date.now() < trafficEnd) {
        const i = next++;
        const no = tradeNo('WS');
        const barcode = await newBarcode(sandbox);
        const sent = performance.now();
        const paid = await api(url, 'POST', '/v1/payment/integrate/pay', {
          token,
          body: payBody(barcode, no),
          timeoutMs: 15_000,
        });
        latency[phase].push(performance.now() - sent);
        if (paid.status === 200) {
          if (phase === 'webhooks') expected.add(String(paid.headers.get('x-request-id')));
        } else refused += 1;
        if (i % 5 === 0 && paid.status === 200) {
          const cancelled = await api(url, 'POST', '/v1/payment/integrate/cancel', {
            token,
            body: cancelBody(no),
            timeoutMs: 15_000,
          });
          if (cancelled.status === 200) {
            if (phase === 'webhooks') expected.add(String(cancelled.headers.get('x-request-id')));
          } else refused += 1;
        }
      }
    };
    // The baseline: no endpoint, so no event is written or sent.
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const created = await cli(dataDir, [
      'webhook',
      'create',
      '--company',
      provisioned.companyId,
      '--url',
      receiver.url,
    ]);
    const secret = String(created.secret);
    phase = 'webhooks';
    next = 0;
    limit = CALLS;
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const trafficMs = performance.now() - started;

    // Drain: every event accepted once at least, and nothing left in the outbox.
    const store = await openStore(
      join(dataDir, 'omnigate.sqlite'),
      loadSecretBox(loadConfig({ OMNIGATE_DATA_DIR: dataDir })),
      { migrate: false },
    );
    const drainStart = performance.now();
    let backlog = await store.webhooks.backlog();
    let accepted = new Set<string>();
    const drainEnd = Date.now() + DRAIN_LIMIT_MS;
    while (Date.now() < drainEnd) {
      accepted = new Set(
        receiver.received.filter((r) => r.answered === 204).map((r) => eventOf(r).data.request_id),
      );
      backlog = await store.webhooks.backlog();
      if (
        [...expected].every((id) => accepted.has(id)) &&
        backlog.events + backlog.deliveries === 0
      )
        break;
      await sleep(200);
    }
    const drainMs = performance.now() - drainStart;
    clearInterval(sampler);
    const mbOf = (which: 'baseline' | 'webhooks') =>
      memory.filter((m) => m.phase === which).map((m) => m.mb);
    const memoryOf = (which: 'baseline' | 'webhooks') => {
      const mb = mbOf(which);
      return mb.length === 0
        ? null
        : { first: mb[0], max: Math.max(...mb), last: mb[mb.length - 1], samples: mb.length };
    };
    const deliveries = await store.webhooks.deliveries(
      { companyId: provisioned.companyId },
      1_000_000,
    );
    await store.close();

    const attempts = deliveries.reduce((n, d) => n + d.attempts.length, 0);
    const perEvent = new Map<string, number>();
    for (const r of receiver.received) {
      const id = String(r.headers['webhook-id']);
      perEvent.set(id, (perEvent.get(id) ?? 0) + 1);
    }
    const acceptedPerEvent = new Map<string, number>();
    for (const r of receiver.received.filter((x) => x.answered === 204)) {
      const id = String(r.headers['webhook-id']);
      acceptedPerEvent.set(id, (acceptedPerEvent.get(id) ?? 0) + 1);
    }
    const badSignatures = receiver.received.filter((r) => !verifyByHand(secret, r)).length;
    const missing = [...expected].filter((id) => !accepted.has(id)).length;
    const report = {
      calls: CALLS,
      concurrency: CONCURRENCY,
      fail_rate: FAIL_RATE,
      calls_refused: refused,
      events_expected: expected.size,
      events_accepted: accepted.size,
      events_missing: missing,
      deliveries: deliveries.length,
      deliveries_failed: deliveries.filter((d) => d.state === 'failed').length,
      requests_received: receiver.received.length,
      answered_500: receiver.received.filter((r) => r.answered === 500).length,
      attempts_recorded: attempts,
      accepted_more_than_once: [...acceptedPerEvent.values()].filter((n) => n > 1).length,
      max_attempts_one_event: Math.max(0, ...perEvent.values()),
      bad_signatures: badSignatures,
      backlog_after: backlog,
      baseline_pays: latency.baseline.length,
      pay_ms_baseline: {
        p50: percentile(latency.baseline, 50),
        p99: percentile(latency.baseline, 99),
      },
      pay_ms_with_webhooks: {
        p50: percentile(latency.webhooks, 50),
        p99: percentile(latency.webhooks, 99),
      },
      gateway_rss_mb: { baseline: memoryOf('baseline'), with_webhooks: memoryOf('webhooks') },
      traffic_s: Number((trafficMs / 1000).toFixed(1)),
      drain_s: Number((drainMs / 1000).toFixed(1)),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    const ok =
      missing === 0 &&
      backlog.events + backlog.deliveries === 0 &&
      badSignatures === 0 &&
      attempts === receiver.received.length;
    process.stdout.write(ok ? 'webhook soak: OK\n' : 'webhook soak: FAILED\n');
    return ok ? 0 : 1;
  } finally {
    await gateway?.stop('SIGTERM', 20_000).catch(() => undefined);
    await receiver.close();
    await sandbox.close();
    removeDir(dataDir);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`webhook soak failed: ${String(error)}\n`);
    process.exit(1);
  },
);
