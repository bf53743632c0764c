/**
 * `npm run bench`: the gateway's cost per cancel, against the cryptographic floor,
 * and (mode `line`, opt-in) its cost per LINE Pay pay.
 *
 *   npm run bench [-- --duration 10 --warmup 3 --connections 16 --rows 1000000 --quick
 *                     --modes max,half,ledger,skeleton,sandbox,multi,postgres,line --cpu-prof DIR]
 *   (or BENCH_DURATION, BENCH_WARMUP, BENCH_CONNECTIONS, BENCH_ROWS, BENCH_MODES)
 *   npm run bench -- --quick --modes max,line     # LINE pay and icash cancel CPU side by side
 *
 * Starts `omnigate serve` from the built bundle as `npm start` does (NODE_ENV=production, SQLite file,
 * no sandbox, log level warn) as a child process, and an upstream stand-in
 * (another child) that answers DeductCancelICPOF with one signed and encrypted
 * answer prepared once. Drives the gateway with autocannon and reads the
 * gateway's CPU time and memory from its own /proc accounting. Mode `line` provisions
 * a LINE_QRCODE_PAY store (v4 HMAC) and drives `POST /v1/payment/integrate/pay` against
 * a LINE stand-in (bench/lib/line-stub.ts: one fixed success answer, a 19-digit
 * transactionId); `cpu_ms_per_call` then holds the LINE pay's and the icash cancel's
 * (mode `max`) CPU per call side by side, also printed as a table on stderr.
 * Everything is on 127.0.0.1, every phase is bounded in time, and every child is
 * stopped at the end. The last line printed is one JSON object; the same object is
 * written to bench/results/cancel-<time>.json. See docs/performance.md.
 */
import { createCipheriv, createSign } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { formatTaiwanTime } from '../src/core/taiwan-time.js';
import type { MerchantCredentials } from '../src/sandbox/icash-pay/index.js';
import { measureFloor, type CryptoFloor } from './lib/floor.js';
import {
  type Deployment,
  type GatewayProcess,
  type MerchantKeys,
  STORE_ID,
  TYPE,
  generateLineChannel,
  generateMerchantKeys,
  issueToken,
  provision,
  provisionLine,
  startGateway,
  startScriptNodeFlags,
} from './lib/gateway.js';
import { fillLedger } from './lib/ledger-fill.js';
import { pacedDrive } from './lib/paced.js';
import { POSTGRES_ADMIN_URL, createBenchDatabase } from './lib/postgres.js';
import {
  type LoadOptions,
  type LoadResult,
  PAY_PATH,
  drive,
  storeCancelBody,
  storeLinePayBody,
} from './lib/load.js';
import {
  ROOT,
  childEnv,
  cpuMs,
  machineBusyMs,
  memoryMb,
  round,
  startChild,
  stopAll,
  stopChild,
} from './lib/processes.js';
import { flag, numberOption, option } from './lib/options.js';
import { type BenchTarget, log, runBench } from './lib/run.js';

// ---------------------------------------------------------------- options

const QUICK = flag('quick');
const DURATION = numberOption('duration', QUICK ? 3 : 10, 1, 300);
const WARMUP = numberOption('warmup', QUICK ? 1 : 3, 0, 60);
const CONNECTIONS = Math.floor(numberOption('connections', 16, 1, 1024));
const ROWS = Math.floor(numberOption('rows', QUICK ? 200_000 : 1_000_000, 0, 10_000_000));
const SIGN_ITERATIONS = QUICK ? 300 : 2000;
const SANDBOX_TRADES = QUICK ? 30 : 200;
const ALL_MODES = [
  'max',
  'half',
  'ledger',
  'skeleton',
  'sandbox',
  'multi',
  'postgres',
  'line',
] as const;
type Mode = (typeof ALL_MODES)[number];
/** `line` is opt-in: the default modes' windows and start-ups already add up to 2–2.5 minutes. */
const DEFAULT_MODES: readonly Mode[] = ALL_MODES.filter((m) => m !== 'line');
const MODES = new Set<Mode>(
  (option('modes') ?? DEFAULT_MODES.join(','))
    .split(',')
    .filter((m): m is Mode => (ALL_MODES as readonly string[]).includes(m)),
);
const CPU_PROFILE_DIR = option('cpu-prof');
/** The whole run, whatever happens: then everything is killed. */
const HARD_LIMIT_MS = 20 * 60_000;

const TARGETS = {
  efficiency: 0.6,
  p99AtHalfMs: 10,
  peakRssMb: 200,
  ledgerCpuGrowth: 0.1,
};

// ---------------------------------------------------------------- pieces

/** The stand-in's one answer: `{"EncData","RtnCode","RtnMsg"}` signed by the server key. */
function preparedAnswer(keys: MerchantKeys): { body: Buffer; signature: string } {
  const inner = JSON.stringify({
    PlatformID: keys.platformId,
    MerchantID: keys.merchantId,
    MMemberID: 'MM0000000001',
    MobileInvoiceCarry: '/ABC1234',
    Timestamp: formatTaiwanTime(new Date()),
  });
  const cipher = createCipheriv(
    'aes-256-cbc',
    Buffer.from(keys.aesKey, 'ascii'),
    Buffer.from(keys.aesIv, 'ascii'),
  );
  const encData = Buffer.concat([cipher.update(inner, 'utf8'), cipher.final()]).toString('base64');
  const body = Buffer.from(
    JSON.stringify({ EncData: encData, RtnCode: 1, RtnMsg: '成功' }),
    'utf8',
  );
  const signature = createSign('sha256').update(body).sign(keys.serverPrivateKey, 'base64');
  return { body, signature };
}

interface Stub {
  pid: number;
  baseUrl: string;
  stop(): Promise<void>;
}

async function startStub(keys: MerchantKeys): Promise<Stub> {
  const answer = preparedAnswer(keys);
  const started = await startChild(
    ['--import', 'tsx', 'bench/lib/upstream-stub.ts'],
    childEnv({
      BENCH_STUB_BODY: answer.body.toString('base64'),
      BENCH_STUB_SIGNATURE: answer.signature,
    }),
    'upstream stand-in',
  );
  return {
    pid: started.pid,
    baseUrl: `http://127.0.0.1:${String(started.hello.port)}/api/V2/Payment`,
    stop: () => stopChild(started.child),
  };
}

export interface Measured extends LoadResult {
  /** The gateway processes' utime + stime over the window, divided by the answered calls. */
  gatewayCpuMsPerRequest: number;
  /** Fraction of one core the gateway processes used during the window. */
  gatewayCores: number;
  upstreamCpuMsPerRequest: number | null;
  peakRssMb: number;
  rssMb: number;
  /** CPU used on the machine by processes other than the gateways, the stand-in and the bench. */
  otherProcessesCores: number;
  benchCores: number;
}

/** One measured window: CPU of `pids` before and after, autocannon in between. */
async function measure(
  gateways: GatewayProcess[],
  upstreamPid: number | null,
  runs: () => Promise<LoadResult[]>,
): Promise<Measured> {
  const before = gateways.map((g) => cpuMs(g.pid));
  const upstreamBefore = upstreamPid === null ? 0 : cpuMs(upstreamPid);
  const machineBefore = machineBusyMs();
  const benchBefore = process.cpuUsage();
  const wallStart = performance.now();
  const results = await runs();
  const wallMs = performance.now() - wallStart;
  const bench = process.cpuUsage(benchBefore);
  const benchUsed = (bench.user + bench.system) / 1000;
  const machineUsed = machineBusyMs() - machineBefore;
  const used = gateways.reduce((sum, g, i) => sum + cpuMs(g.pid) - before[i]!, 0);
  const upstreamUsed = upstreamPid === null ? null : cpuMs(upstreamPid) - upstreamBefore;
  const merged = mergeLoads(results);
  const memory = gateways.map((g) => memoryMb(g.pid));
  return {
    ...merged,
    gatewayCpuMsPerRequest: round(used / Math.max(1, merged.requests), 4),
    gatewayCores: round(used / wallMs, 2),
    upstreamCpuMsPerRequest:
      upstreamUsed === null ? null : round(upstreamUsed / Math.max(1, merged.requests), 4),
    peakRssMb: Math.max(...memory.map((m) => m.peakRssMb)),
    rssMb: Math.max(...memory.map((m) => m.rssMb)),
    benchCores: round(benchUsed / wallMs, 2),
    otherProcessesCores: round(
      Math.max(0, machineUsed - used - (upstreamUsed ?? 0) - benchUsed) / wallMs,
      2,
    ),
  };
}

/** Several concurrent autocannon runs (one per gateway process) as one result. */
function mergeLoads(results: LoadResult[]): LoadResult {
  if (results.length === 1) return results[0]!;
  const statusCodes: Record<string, number> = {};
  for (const r of results)
    for (const [code, n] of Object.entries(r.statusCodes))
      statusCodes[code] = (statusCodes[code] ?? 0) + n;
  const requests = results.reduce((s, r) => s + r.requests, 0);
  const weighted = (pick: (r: LoadResult) => number): number =>
    round(results.reduce((s, r) => s + pick(r) * r.requests, 0) / Math.max(1, requests));
  return {
    requests,
    requestsPerSecond: round(
      results.reduce((s, r) => s + r.requestsPerSecond, 0),
      1,
    ),
    // Percentiles of two runs cannot be merged exactly: the worse of the two is reported.
    latencyMs: {
      p50: Math.max(...results.map((r) => r.latencyMs.p50)),
      p90: Math.max(...results.map((r) => r.latencyMs.p90)),
      p99: Math.max(...results.map((r) => r.latencyMs.p99)),
      max: Math.max(...results.map((r) => r.latencyMs.max)),
      mean: weighted((r) => r.latencyMs.mean),
    },
    autocannonP99Ms: Math.max(...results.map((r) => r.autocannonP99Ms)),
    statusCodes,
    non2xx: results.reduce((s, r) => s + r.non2xx, 0),
    errors: results.reduce((s, r) => s + r.errors, 0),
    timeouts: results.reduce((s, r) => s + r.timeouts, 0),
    durationSeconds: Math.max(...results.map((r) => r.durationSeconds)),
  };
}

let runTag = 0;
const tradePrefix = (): string => {
  runTag += 1;
  return `BN${Date.now().toString(36).toUpperCase()}R${runTag}N`;
};

/** What is driven: the endpoint and the body per trade number (default: the icash cancel). */
type Workload = Pick<LoadOptions, 'path' | 'body'>;

async function warmUp(
  url: string,
  token: string,
  connections: number,
  workload: Workload = {},
): Promise<void> {
  if (WARMUP <= 0) return;
  const result = await drive({
    url,
    token,
    connections,
    durationSeconds: WARMUP,
    tradePrefix: tradePrefix(),
    ...workload,
  });
  if (result.requests === 0 || result.non2xx > 0)
    throw new Error(`warm-up failed: ${JSON.stringify(result.statusCodes)}`);
}

/** Warm-up, then one measured window at `--connections` against one process. */
async function measureOne(
  target: GatewayProcess,
  token: string,
  upstreamPid: number,
  workload: Workload = {},
): Promise<Measured> {
  await warmUp(target.url, token, CONNECTIONS, workload);
  return measure([target], upstreamPid, async () => [
    await drive({
      url: target.url,
      token,
      connections: CONNECTIONS,
      durationSeconds: DURATION,
      tradePrefix: tradePrefix(),
      ...workload,
    }),
  ]);
}

function summary(name: string, m: Measured): string {
  return (
    `${name}: ${m.requestsPerSecond} req/s, p50 ${m.latencyMs.p50} ms, p90 ${m.latencyMs.p90} ms, ` +
    `p99 ${m.latencyMs.p99} ms, max ${m.latencyMs.max} ms, gateway CPU ${m.gatewayCpuMsPerRequest} ms/req ` +
    `(${m.gatewayCores} cores; load generator ${m.benchCores}, other processes ${m.otherProcessesCores}), peak RSS ${m.peakRssMb} MB, non-2xx ${m.non2xx}, errors ${m.errors}`
  );
}

// ---------------------------------------------------------------- sandbox mode

type SandboxMerchant = MerchantCredentials;

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  return { status: response.status, json, ms: performance.now() - started };
}

function quantiles(values: number[]): { p50: number; p90: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number): number =>
    round(
      sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1))] ?? NaN,
    );
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: round(sorted.at(-1) ?? NaN) };
}

async function sandboxMode(root: string): Promise<Record<string, unknown>> {
  const sandbox = await startChild(
    [join(ROOT, 'bin/omnigate.mjs'), '--json', 'sandbox', '--port', '0', '--db', ':memory:'],
    childEnv({ OMNIGATE_LOG_LEVEL: 'warn' }),
    'omnigate sandbox',
  );
  const sandboxUrl = String(sandbox.hello.url);
  const icashBaseUrl = String((sandbox.hello.base_urls as Record<string, unknown>).icash);
  const onboarded = await postJson(`${sandboxUrl}/sandbox/merchants`, {});
  if (onboarded.status !== 201) throw new Error(`sandbox onboarding: HTTP ${onboarded.status}`);
  const merchant = onboarded.json as unknown as SandboxMerchant;
  const dir = join(root, 'sandbox');
  mkdirSync(dir);
  const deployment = provision(dir, {
    platformId: merchant.PlatformID,
    merchantId: merchant.MerchantID,
    encKeyId: merchant.EncKeyID,
    aesKey: merchant.AESKey,
    aesIv: merchant.AESIV,
    clientPrivateKeyPem: merchant.ClientPrivateKey,
    serverPublicKeyPem: merchant.ServerPublicKey,
  });
  const gateway = await startGateway(deployment, icashBaseUrl);
  const token = await issueToken(gateway.url, deployment);
  const auth = { authorization: `Bearer ${token}` };

  // A full cancel: pay with a fresh barcode, then cancel that trade (sequential, one at a time).
  const wallet = await postJson(`${sandboxUrl}/sandbox/barcodes`, { balance: 100_000_000 });
  const account = String(wallet.json.ICPAccount);
  const payMs: number[] = [];
  const cancelMs: number[] = [];
  let cancelled = 0;
  const deadline = Date.now() + 30_000;
  for (let i = 0; i < SANDBOX_TRADES && Date.now() < deadline; i += 1) {
    const barcode =
      i === 0
        ? String(wallet.json.Barcode)
        : String(
            (await postJson(`${sandboxUrl}/sandbox/barcodes`, { ICPAccount: account })).json
              .Barcode,
          );
    const tradeNo = `SBX${Date.now().toString(36).toUpperCase()}${i}`;
    const now = formatTaiwanTime(new Date());
    const pay = await postJson(
      `${gateway.url}/v1/payment/integrate/pay`,
      {
        type: TYPE,
        store_id: STORE_ID,
        is_test: false,
        request: {
          MerchantTradeNo: tradeNo,
          StoreName: 'Bench Store',
          MerchantTradeDate: now,
          TotalAmount: 10,
          ItemAmt: 10,
          UtilityAmt: 0,
          CommAmt: 0,
          Barcode: barcode,
        },
      },
      auth,
    );
    if (pay.status !== 200 || pay.json.RtnCode !== 1)
      throw new Error(`sandbox pay failed: ${pay.status} ${JSON.stringify(pay.json)}`);
    payMs.push(pay.ms);
    const cancel = await postJson(
      `${gateway.url}/v1/payment/integrate/cancel`,
      {
        type: TYPE,
        store_id: STORE_ID,
        is_test: false,
        request: { MerchantTradeNo: tradeNo, MerchantTradeDate: formatTaiwanTime(new Date()) },
      },
      auth,
    );
    if (cancel.status !== 200 || cancel.json.RtnCode !== 1)
      throw new Error(`sandbox cancel failed: ${cancel.status} ${JSON.stringify(cancel.json)}`);
    cancelMs.push(cancel.ms);
    cancelled += 1;
  }

  // Under load: cancels of unknown orders (icash 2025), each still a full signed round trip.
  const loaded = await measureOne(gateway, token, sandbox.pid);
  const declined = await postJson(
    `${gateway.url}/v1/payment/integrate/cancel`,
    JSON.parse(storeCancelBody(`${tradePrefix()}X`)) as unknown,
    auth,
  );
  await stopChild(gateway.child);
  await stopChild(sandbox.child);
  const sandboxCpu = loaded.upstreamCpuMsPerRequest;
  log(summary('sandbox, cancel of unknown orders under load', loaded));
  return {
    sequential_pay_then_cancel: {
      trades: cancelled,
      cancel_latency_ms: quantiles(cancelMs),
      pay_latency_ms: quantiles(payMs),
    },
    under_load_cancel_unknown_order: {
      rtn_code: declined.json.RtnCode,
      connections: CONNECTIONS,
      ...loadFields(loaded),
      sandbox_cpu_ms_per_request: sandboxCpu,
    },
  };
}

// ---------------------------------------------------------------- LINE Pay mode

/**
 * LINE_QRCODE_PAY pays at max rate: a deployment whose store `0001` is a LINE channel
 * (API v4, HMAC-SHA256 per call), the gateway's `OMNIGATE_LINEPAY_PROD_URL` at
 * bench/lib/line-stub.ts, one distinct orderId per call. icash is not called.
 */
async function lineMode(
  root: string,
  icashUrl: string,
): Promise<{ measured: Measured; fields: Record<string, unknown> }> {
  const started = await startChild(
    ['--import', 'tsx', 'bench/lib/line-stub.ts'],
    childEnv({}),
    'LINE Pay stand-in',
  );
  const lineUrl = `http://127.0.0.1:${String(started.hello.port)}`;
  const dir = join(root, 'line');
  mkdirSync(dir);
  const deployment = provisionLine(dir, generateLineChannel());
  const gateway = await startGateway(deployment, icashUrl, { linePayProdUrl: lineUrl });
  const token = await issueToken(gateway.url, deployment);
  const workload: Workload = { path: PAY_PATH, body: storeLinePayBody };

  // One pay first: LINE's answer must come back whole, its 19-digit id unrounded.
  const response = await fetch(`${gateway.url}${PAY_PATH}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: storeLinePayBody(`${tradePrefix()}C`),
  });
  const answer = await response.text();
  if (response.status !== 200 || !/"transactionId":9223372036854775808[,}]/.test(answer))
    throw new Error(`LINE pay check failed: HTTP ${response.status} ${answer}`);

  const measured = await measureOne(gateway, token, started.pid, workload);
  await stopChild(gateway.child);
  await stopChild(started.child);
  log(summary('LINE Pay pay (v4), max throughput', measured));
  return {
    measured,
    fields: { api_version: 'v4', connections: CONNECTIONS, ...loadFields(measured) },
  };
}

// ---------------------------------------------------------------- skeleton mode

/**
 * The same load against bench/lib/skeleton-server.ts: the cancel's cryptography
 * and I/O with nothing else, the practical floor for any gateway on this machine.
 */
async function skeletonMode(
  keys: MerchantKeys,
  stub: Stub,
  floor: CryptoFloor,
): Promise<{ cpuMs: number; fields: Record<string, unknown> }> {
  const started = await startChild(
    // The same node flags as the gateway, so the two compare like for like.
    [...startScriptNodeFlags(), '--import', 'tsx', 'bench/lib/skeleton-server.ts'],
    childEnv({
      BENCH_SKELETON_KEYS: JSON.stringify({
        encKeyId: keys.encKeyId,
        aesKey: keys.aesKey,
        aesIv: keys.aesIv,
        clientPrivateKeyPem: keys.clientPrivateKeyPem,
        serverPublicKeyPem: keys.serverPublicKeyPem,
      }),
      BENCH_SKELETON_UPSTREAM: stub.baseUrl,
    }),
    'skeleton server',
  );
  const server: GatewayProcess = { ...started, url: String(started.hello.url) };
  const measured = await measureOne(server, 'unused', stub.pid);
  await stopChild(server.child);
  log(summary('skeleton (crypto + I/O only)', measured));
  return {
    cpuMs: measured.gatewayCpuMsPerRequest,
    fields: {
      connections: CONNECTIONS,
      efficiency: round(floor.signatureCpuMs / measured.gatewayCpuMsPerRequest),
      ...loadFields(measured),
    },
  };
}

function loadFields(m: Measured): Record<string, unknown> {
  return {
    requests: m.requests,
    requests_per_second: m.requestsPerSecond,
    latency_ms: m.latencyMs,
    autocannon_p99_ms: m.autocannonP99Ms,
    gateway_cpu_ms_per_request: m.gatewayCpuMsPerRequest,
    gateway_cores: m.gatewayCores,
    upstream_cpu_ms_per_request: m.upstreamCpuMsPerRequest,
    peak_rss_mb: m.peakRssMb,
    rss_mb: m.rssMb,
    load_generator_cores: m.benchCores,
    other_processes_cores: m.otherProcessesCores,
    status_codes: m.statusCodes,
    non2xx: m.non2xx,
    errors: m.errors,
    timeouts: m.timeouts,
  };
}

// ---------------------------------------------------------------- main

/** The two wallets side by side: one icash cancel (max mode) and one LINE pay (line mode). */
function cpuPerCall(icash: Measured | undefined, line: Measured | undefined) {
  const side = (m: Measured | undefined) =>
    m
      ? {
          gateway_cpu_ms: m.gatewayCpuMsPerRequest,
          requests_per_second: m.requestsPerSecond,
          p50_ms: m.latencyMs.p50,
          p99_ms: m.latencyMs.p99,
          peak_rss_mb: m.peakRssMb,
        }
      : null;
  return {
    icash_cancel: side(icash),
    line_pay: side(line),
    line_pay_over_icash_cancel:
      icash && line ? round(line.gatewayCpuMsPerRequest / icash.gatewayCpuMsPerRequest, 2) : null,
  };
}

/** The side-by-side table, printed to stderr at the end of a run. */
function printCpuTable(perCall: ReturnType<typeof cpuPerCall>): void {
  const rows = [
    ['icash cancel (max)', perCall.icash_cancel],
    ['LINE Pay pay (line)', perCall.line_pay],
  ] as const;
  const cell = (value: number | undefined, width: number): string =>
    (value === undefined ? '-' : String(value)).padStart(width);
  log('per call              CPU ms   req/s  p50 ms  p99 ms  peak RSS MB');
  for (const [name, m] of rows)
    log(
      `${name.padEnd(20)}${cell(m?.gateway_cpu_ms, 8)}${cell(m?.requests_per_second, 8)}` +
        `${cell(m?.p50_ms, 8)}${cell(m?.p99_ms, 8)}${cell(m?.peak_rss_mb, 13)}`,
    );
  if (perCall.line_pay_over_icash_cancel !== null)
    log(`LINE pay / icash cancel CPU: ${perCall.line_pay_over_icash_cancel}`);
}

function machine(): Record<string, unknown> {
  const model = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1];
  return {
    cpus: cpus().length,
    cpu_model: model?.trim() ?? cpus()[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

async function main(): Promise<Record<string, unknown> & { at: string; targets: BenchTarget[] }> {
  const root = mkdtempSync(join(tmpdir(), 'omnigate-bench-'));
  const modes: Record<string, unknown> = {};
  const targets: { name: string; target: string; value: number | null; met: boolean }[] = [];
  try {
    log(`bench: duration ${DURATION} s after ${WARMUP} s warm-up, ${CONNECTIONS} connections`);
    const keys = generateMerchantKeys();
    const floor: CryptoFloor = measureFloor(
      keys.clientPrivateKey,
      keys.serverPrivateKey,
      keys.aesKey,
      keys.aesIv,
      SIGN_ITERATIONS,
    );
    log(
      `floor: RSA-2048 sign ${floor.signatureCpuMs} ms, verify ${floor.verifyCpuMs} ms, AES ${floor.aesCpuMs} ms`,
    );
    const stub = await startStub(keys);

    let max: Measured | undefined;
    let half: Measured | undefined;
    if (MODES.has('max') || MODES.has('half') || MODES.has('ledger')) {
      const dir = join(root, 'empty');
      mkdirSync(dir);
      const deployment = provision(dir, keys);
      const gateway = await startGateway(deployment, stub.baseUrl, {
        ...(CPU_PROFILE_DIR ? { cpuProfileDir: CPU_PROFILE_DIR } : {}),
      });
      const token = await issueToken(gateway.url, deployment);
      max = await measureOne(gateway, token, stub.pid);
      log(summary('max throughput', max));
      if (MODES.has('half')) {
        const rate = Math.max(1, Math.floor(max.requestsPerSecond / 2));
        // Evenly paced (open loop), not autocannon's per-second bursts.
        half = await measure([gateway], stub.pid, async () => [
          await pacedDrive({
            url: gateway.url,
            token,
            connections: CONNECTIONS,
            durationSeconds: DURATION,
            rate,
            tradePrefix: tradePrefix(),
          }),
        ]);
        log(summary(`half of max (${rate} req/s)`, half));
        modes.half_of_max = { overall_rate: rate, connections: CONNECTIONS, ...loadFields(half) };
      }
      await stopChild(gateway.child);
      modes.max_throughput = { connections: CONNECTIONS, ...loadFields(max) };
    }

    let ledger: Measured | undefined;
    if (MODES.has('ledger') && max) {
      const dir = join(root, 'ledger');
      mkdirSync(dir);
      const deployment = provision(dir, keys);
      const fillStart = performance.now();
      fillLedger(
        deployment.databaseFile,
        { ...deployment, platformId: keys.platformId, merchantId: keys.merchantId },
        ROWS,
      );
      const fillSeconds = round((performance.now() - fillStart) / 1000, 1);
      log(`ledger: ${ROWS} rows inserted in ${fillSeconds} s`);
      const gateway = await startGateway(deployment, stub.baseUrl);
      const token = await issueToken(gateway.url, deployment);
      ledger = await measureOne(gateway, token, stub.pid);
      await stopChild(gateway.child);
      log(summary(`max throughput, ${ROWS} ledger rows`, ledger));
      modes.ledger_prefilled = {
        rows: ROWS,
        fill_seconds: fillSeconds,
        connections: CONNECTIONS,
        cpu_growth_vs_empty: round(ledger.gatewayCpuMsPerRequest / max.gatewayCpuMsPerRequest - 1),
        ...loadFields(ledger),
      };
    }

    const extraRuns: Measured[] = [];
    /** `count` gateway processes on one deployment, the connections split between them. */
    const runProcesses = async (deployment: Deployment, count: number, label: string) => {
      const gateways: GatewayProcess[] = [];
      for (let i = 0; i < count; i += 1)
        gateways.push(await startGateway(deployment, stub.baseUrl));
      const token = await issueToken(gateways[0]!.url, deployment);
      const perProcess = Math.max(1, Math.floor(CONNECTIONS / gateways.length));
      await Promise.all(gateways.map((g) => warmUp(g.url, token, perProcess)));
      const measured = await measure(gateways, stub.pid, () =>
        Promise.all(
          gateways.map((g) =>
            drive({
              url: g.url,
              token,
              connections: perProcess,
              durationSeconds: DURATION,
              tradePrefix: tradePrefix(),
            }),
          ),
        ),
      );
      await Promise.all(gateways.map((g) => stopChild(g.child)));
      log(summary(label, measured));
      extraRuns.push(measured);
      return {
        measured,
        fields: {
          processes: gateways.length,
          connections_per_process: perProcess,
          ...loadFields(measured),
        },
      };
    };

    if (MODES.has('multi')) {
      const dir = join(root, 'multi');
      mkdirSync(dir);
      const { measured, fields } = await runProcesses(
        provision(dir, keys),
        2,
        'two processes, one SQLite file',
      );
      modes.two_processes = {
        ...fields,
        speedup_vs_one: max ? round(measured.requestsPerSecond / max.requestsPerSecond, 2) : null,
      };
    }

    if (MODES.has('postgres')) {
      const database = await createBenchDatabase();
      if (!database) {
        log('postgres: not reachable at ' + POSTGRES_ADMIN_URL + ', mode skipped');
      } else {
        try {
          const dir = join(root, 'postgres');
          mkdirSync(dir);
          const deployment = provision(dir, keys, database.url);
          const one = await runProcesses(deployment, 1, 'PostgreSQL, one instance');
          const two = await runProcesses(deployment, 2, 'PostgreSQL, two instances');
          modes.postgres_one_instance = one.fields;
          modes.postgres_two_instances = {
            ...two.fields,
            speedup_vs_one: round(
              two.measured.requestsPerSecond / one.measured.requestsPerSecond,
              2,
            ),
          };
        } finally {
          await database.drop();
        }
      }
    }
    if (MODES.has('skeleton')) {
      const skeleton = await skeletonMode(keys, stub, floor);
      modes.skeleton = {
        ...skeleton.fields,
        ...(max
          ? { gateway_cpu_over_skeleton: round(max.gatewayCpuMsPerRequest / skeleton.cpuMs, 2) }
          : {}),
      };
    }
    let line: Measured | undefined;
    if (MODES.has('line')) {
      // The icash stand-in stays up only as the gateway's (unused) icash URL.
      const result = await lineMode(root, stub.baseUrl);
      line = result.measured;
      modes.line_pay = result.fields;
    }
    await stub.stop();

    if (MODES.has('sandbox')) modes.sandbox_end_to_end = await sandboxMode(root);

    const efficiency = max ? round(floor.signatureCpuMs / max.gatewayCpuMsPerRequest) : null;
    const check = (name: string, target: string, value: number | null, met: boolean): void => {
      targets.push({ name, target, value, met: value !== null && met });
    };
    if (max)
      check(
        'efficiency',
        `>= ${TARGETS.efficiency}`,
        efficiency,
        (efficiency ?? 0) >= TARGETS.efficiency,
      );
    if (half) {
      // Conservative: the worse of our own p99 and autocannon's coordinated-omission-corrected one.
      const p99 = half.latencyMs.p99; // paced, measured from each due time
      check('p99_at_half_max_ms', `<= ${TARGETS.p99AtHalfMs}`, p99, p99 <= TARGETS.p99AtHalfMs);
    }
    const peaks = [max, half, ledger, line].filter((m): m is Measured => m !== undefined);
    if (peaks.length) {
      const peak = Math.max(...peaks.map((m) => m.peakRssMb));
      check('peak_rss_mb', `<= ${TARGETS.peakRssMb}`, peak, peak <= TARGETS.peakRssMb);
    }
    if (ledger && max) {
      const growth = round(ledger.gatewayCpuMsPerRequest / max.gatewayCpuMsPerRequest - 1);
      check(
        'cpu_growth_with_ledger_rows',
        `<= ${TARGETS.ledgerCpuGrowth}`,
        growth,
        growth <= TARGETS.ledgerCpuGrowth,
      );
    }
    const failedCalls = peaks.concat(extraRuns).some((m) => m.non2xx > 0 || m.errors > 0);
    return {
      bench: 'cancel',
      at: new Date().toISOString(),
      machine: machine(),
      settings: {
        duration_s: DURATION,
        warmup_s: WARMUP,
        connections: CONNECTIONS,
        ledger_rows: ROWS,
        quick: QUICK,
      },
      requests_per_second: max?.requestsPerSecond ?? null,
      latency_ms: max
        ? {
            p50: max.latencyMs.p50,
            p90: max.latencyMs.p90,
            p99: max.latencyMs.p99,
            max: max.latencyMs.max,
          }
        : null,
      p99_at_half_max_ms: half ? half.latencyMs.p99 : null,
      gateway_cpu_ms_per_request: max?.gatewayCpuMsPerRequest ?? null,
      cpu_ms_per_call: cpuPerCall(max, line),
      peak_rss_mb: peaks.length ? Math.max(...peaks.map((m) => m.peakRssMb)) : null,
      signature_cpu_ms: floor.signatureCpuMs,
      efficiency,
      crypto_floor: floor,
      modes,
      targets,
      all_targets_met: targets.every((t) => t.met) && !failedCalls,
      failed_calls: failedCalls,
    };
  } finally {
    await stopAll();
    rmSync(root, { recursive: true, force: true });
  }
}

await runBench('cancel', HARD_LIMIT_MS, main, (result) =>
  printCpuTable(result.cpu_ms_per_call as ReturnType<typeof cpuPerCall>),
);
