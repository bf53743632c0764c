/**
 * `npm run bench -- --admin`: the operators' transaction list and CSV export on a
 * ledger of 1,000,000 rows (docs/performance.md, "Operators' list and CSV").
 *
 *   npm run bench -- --admin [--rows 1000000 --requests 300 --csv-rows 100000 --pg --quick]
 *   (or BENCH_ROWS, BENCH_REQUESTS, BENCH_CSV_ROWS, BENCH_PG=1, BENCH_QUICK=1)
 *
 * Per backend (SQLite; PostgreSQL too with `--pg`, when it answers): provisions a
 * deployment with the real CLI (four companies, an operator of the largest, a platform
 * viewer), fills the ledger with a year of rows over the four companies (40 stores each,
 * five states, four operations, two wallets, two environments; bench/lib/admin-fill.ts),
 * starts the gateway as `npm start` does (a child process: its memory is its own), logs
 * the two users in over HTTP, and then
 *   - asks `GET /admin/v1/transactions` `--requests` times per variant, one at a time on
 *     one kept-alive connection (newest 50 of a company, of every company, by state,
 *     store, order number, order-number prefix, request-id prefix, one day, a deep
 *     page), timing each answer to its last byte: p50, p90, p99, max;
 *   - streams `GET /admin/v1/transactions.csv` filtered to the company's newest
 *     `--csv-rows` rows (a time range), sampling the gateway's RSS (/proc, every 50 ms)
 *     and V8 heap (its /metrics, every 250 ms) from before the first byte to after
 *     the last: start, peak and end, and RSS at each tenth of the rows.
 * Prints a table on stderr; the last line on stdout is one JSON object, also written
 * to bench/results/admin-<time>.json. Targets: list p99 <= 20 ms, CSV memory flat.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { Pool } from 'undici';
import {
  type AdminFillPlan,
  type FillCompany,
  type FillSummary,
  fillPostgres,
  fillSqlite,
} from './lib/admin-fill.js';
import {
  type Deployment,
  type GatewayProcess,
  productionEnv,
  startGateway,
} from './lib/gateway.js';
import { POSTGRES_ADMIN_URL, createBenchDatabase } from './lib/postgres.js';
import {
  cpuMs,
  machineBusyMs,
  omnigateCli,
  round,
  sleep,
  stopAll,
  stopChild,
} from './lib/processes.js';
import { flag, numberOption } from './lib/options.js';
import { type BenchTarget, log, runBench } from './lib/run.js';

// ---------------------------------------------------------------- options

const QUICK = flag('quick');
const ROWS = numberOption('rows', QUICK ? 200_000 : 1_000_000, 10_000, 10_000_000, true);
const REQUESTS = numberOption('requests', QUICK ? 100 : 300, 10, 100_000, true);
const CSV_ROWS = numberOption('csv-rows', QUICK ? 20_000 : 100_000, 1_000, 5_000_000, true);
const WITH_POSTGRES = flag('pg');
const WARMUP_REQUESTS = 20;
const HARD_LIMIT_MS = 20 * 60_000;

const TARGETS = {
  listP99Ms: 20,
  /** "Flat": the stream adds no more than this to the RSS it started with. */
  csvRssGrowthMb: 50,
};

/** The largest company has over half the rows; the smallest one twentieth. */
const COMPANIES = [
  { name: 'Bench Big Co', share: 0.55 },
  { name: 'Bench Mid Co', share: 0.25 },
  { name: 'Bench Small Co', share: 0.15 },
  { name: 'Bench Tiny Co', share: 0.05 },
];

// ---------------------------------------------------------------- pieces

/** A port free now, for the gateway's metrics listener. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * CPU time (ms) of the PostgreSQL backends serving `databaseUrl` now (the gateway's
 * pool), from their /proc accounting; 0 for SQLite (in the gateway's own process).
 */
function databaseCpu(databaseUrl: string | undefined): () => Promise<number> {
  if (databaseUrl === undefined) return () => Promise.resolve(0);
  return async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ pid: number }>(
        'select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
      );
      let total = 0;
      for (const { pid } of rows) {
        try {
          total += cpuMs(pid);
        } catch {
          // ended in between
        }
      }
      return total;
    } finally {
      await client.end();
    }
  };
}

interface Provisioned {
  deployment: Deployment;
  companies: (FillCompany & { name: string })[];
  operator: { email: string; password: string };
  platform: { email: string; password: string };
}

/** Four companies, a client each, an operator of the largest and a platform viewer: the CLI. */
function provisionOperators(dataDir: string, databaseUrl?: string): Provisioned {
  const base = {
    dataDir,
    databaseFile: databaseUrl ?? join(dataDir, 'omnigate.sqlite'),
    masterKey: randomBytes(32).toString('base64'),
  };
  const env = productionEnv(base);
  const companies = COMPANIES.map(({ name, share }) => {
    const companyId = String(omnigateCli(['company', 'create', '--name', name], env).company_id);
    const client = omnigateCli(['client', 'create', '--company', companyId, '--name', 'pos'], env);
    return {
      name,
      share,
      companyId,
      clientId: String(client.client_id),
      clientSecret: String(client.client_secret),
    };
  });
  const user = (args: string[]) => {
    const created = omnigateCli(['user', 'create', ...args], env);
    return { email: String(created.email), password: String(created.password) };
  };
  const big = companies[0]!;
  return {
    deployment: {
      ...base,
      companyId: big.companyId,
      clientId: big.clientId,
      clientSecret: big.clientSecret,
    },
    companies,
    operator: user([
      '--email',
      'operator@bench.example',
      '--role',
      'operator',
      '--company',
      big.companyId,
    ]),
    platform: user(['--email', 'platform@bench.example', '--role', 'viewer', '--platform']),
  };
}

/** A session cookie, by `POST /admin/v1/session`. */
async function login(pool: Pool, who: { email: string; password: string }): Promise<string> {
  const response = await pool.request({
    path: '/admin/v1/session',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(who),
  });
  const text = await response.body.text();
  const cookie = response.headers['set-cookie'];
  const first = Array.isArray(cookie) ? cookie[0] : cookie;
  if (response.statusCode !== 200 || !first)
    throw new Error(`login ${who.email}: HTTP ${response.statusCode} ${text}`);
  return first.split(';')[0]!;
}

function quantiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number): number =>
    round(sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1))]!);
  return {
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: round(sorted.at(-1)!),
    mean: round(sorted.reduce((s, v) => s + v, 0) / sorted.length),
  };
}

/** mulberry32 again (the fill's): the same picks on every run. */
function picker(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!,
  };
}

interface Variant {
  name: string;
  /** Which session asks. */
  as: 'operator' | 'platform';
  /** The path and query of request `i`. */
  path: (i: number) => string;
  /** Rows a page must hold (checked on every answer). */
  expectRows?: number;
}

function variants(provisioned: Provisioned, summary: FillSummary): Variant[] {
  const big = summary.companies[provisioned.companies[0]!.companyId]!;
  const tiny = provisioned.companies[3]!.companyId;
  const random = picker(11);
  const list = (query: string) => `/admin/v1/transactions${query ? `?${query}` : ''}`;
  const leastStore = Object.entries(big.byStore).sort((a, b) => a[1] - b[1])[0]![0];
  const day = 86_400_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  // Cursors with at least a tenth of the company's rows older than them: a full page.
  const cursors = big.requestIds.slice(Math.ceil(big.requestIds.length / 10));
  return [
    { name: 'newest 50 of a company', as: 'operator', path: () => list(''), expectRows: 50 },
    {
      name: 'newest 50, every company',
      as: 'platform',
      path: () => list(''),
      expectRows: 50,
    },
    {
      name: 'newest 50 of the smallest company',
      as: 'platform',
      path: () => list(`company_id=${tiny}`),
      expectRows: 50,
    },
    { name: 'state=declined (6 %)', as: 'operator', path: () => list('state=declined') },
    { name: 'state=unknown (0.05 %)', as: 'operator', path: () => list('state=unknown') },
    {
      name: `store_id=${leastStore} (least used)`,
      as: 'operator',
      path: () => list(`store_id=${leastStore}`),
    },
    {
      name: 'q = an order number',
      as: 'operator',
      path: () => list(`q=${random.pick(big.tradeNos)}`),
    },
    {
      name: 'q = a day of order numbers',
      as: 'operator',
      path: () => list(`q=${random.pick(big.tradeNos).slice(0, 9)}`),
    },
    { name: 'q = one letter (most rows)', as: 'operator', path: () => list('q=T') },
    {
      name: 'q = a request-id prefix',
      as: 'operator',
      path: () => list(`q=${random.pick(big.requestIds).slice(0, 13)}`),
    },
    {
      name: 'one day (from, to)',
      as: 'operator',
      path: () => {
        const from = summary.firstAt + Math.floor(random.next() * 360) * day;
        return list(`from=${iso(from)}&to=${iso(from + day)}`);
      },
    },
    {
      name: 'a deep page (cursor)',
      as: 'operator',
      path: () => list(`cursor=${random.pick(cursors)}`),
      expectRows: 50,
    },
    {
      name: 'state, store and cursor',
      as: 'operator',
      path: () => list(`state=succeeded&store_id=S001&cursor=${random.pick(cursors)}`),
    },
  ];
}

interface VariantResult {
  name: string;
  requests: number;
  rows_per_page: number;
  latency_ms: ReturnType<typeof quantiles>;
  gateway_cpu_ms_per_request: number;
  /** PostgreSQL's backends (null on SQLite, where the database is the gateway's own CPU). */
  database_cpu_ms_per_request: number | null;
}

async function measureVariant(
  pool: Pool,
  cookie: string,
  variant: Variant,
  gateway: GatewayProcess,
  serverCpu: () => Promise<number>,
  onPostgres: boolean,
): Promise<VariantResult> {
  const ask = async (i: number): Promise<{ ms: number; rows: number }> => {
    const path = variant.path(i);
    const started = performance.now();
    const response = await pool.request({ path, method: 'GET', headers: { cookie } });
    const text = await response.body.text();
    const ms = performance.now() - started;
    if (response.statusCode !== 200)
      throw new Error(`${variant.name}: ${path}: HTTP ${response.statusCode} ${text}`);
    const rows = (JSON.parse(text) as { data: unknown[] }).data.length;
    if (variant.expectRows !== undefined && rows !== variant.expectRows)
      throw new Error(`${variant.name}: ${path}: ${rows} rows, not ${variant.expectRows}`);
    return { ms, rows };
  };
  for (let i = 0; i < WARMUP_REQUESTS; i += 1) await ask(-1 - i);
  const times: number[] = [];
  let rows = 0;
  const serverBefore = await serverCpu();
  const cpuBefore = cpuMs(gateway.pid);
  for (let i = 0; i < REQUESTS; i += 1) {
    const answer = await ask(i);
    times.push(answer.ms);
    rows += answer.rows;
  }
  const gatewayCpu = cpuMs(gateway.pid) - cpuBefore;
  const serverUsed = (await serverCpu()) - serverBefore;
  return {
    name: variant.name,
    requests: REQUESTS,
    rows_per_page: round(rows / REQUESTS, 1),
    latency_ms: quantiles(times),
    gateway_cpu_ms_per_request: round(gatewayCpu / REQUESTS),
    database_cpu_ms_per_request: onPostgres ? round(serverUsed / REQUESTS) : null,
  };
}

/** The gateway's VmRSS now, in MB. */
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return round(Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024, 1);
}

/** The gateway's V8 heap in use, in MB, from its /metrics (prom-client's default metrics). */
async function heapMb(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const match = /^omnigate_nodejs_heap_size_used_bytes (\S+)$/m.exec(text);
  return match ? round(Number(match[1]) / 2 ** 20, 1) : NaN;
}

interface CsvResult {
  filter: string;
  rows: number;
  bytes: number;
  seconds: number;
  first_byte_ms: number;
  rows_per_second: number;
  mb_per_second: number;
  rss_mb: { start: number; peak: number; end: number; growth: number; at_each_tenth: number[] };
  heap_mb: { start: number; peak: number; end: number };
  gateway_cpu_seconds: number;
  database_cpu_seconds: number | null;
}

/** Streams the CSV, counting lines and bytes as they come, memory sampled throughout. */
async function streamCsv(
  pool: Pool,
  cookie: string,
  gateway: GatewayProcess,
  metricsUrl: string,
  summary: FillSummary,
  companyId: string,
  serverCpu: () => Promise<number>,
  onPostgres: boolean,
): Promise<CsvResult> {
  const company = summary.companies[companyId]!;
  // The company's newest CSV_ROWS rows (up to 999 more): from the creation time of its
  // row number k × 1000, counted from the oldest.
  const k = Math.max(0, Math.floor((company.rows - CSV_ROWS) / 1000));
  const from = company.createdAtPer1000[k]!;
  const filter = `from=${new Date(from).toISOString()}`;
  await sleep(500);
  const rssStart = rssMb(gateway.pid);
  const heapStart = await heapMb(metricsUrl);
  let rows = -1; // the header line
  let bytes = 0;
  const rssSamples: { rows: number; rss: number }[] = [];
  let heapPeak = heapStart;
  const rssTimer = setInterval(() => rssSamples.push({ rows, rss: rssMb(gateway.pid) }), 50);
  let heapBusy = false;
  const heapTimer = setInterval(() => {
    if (heapBusy) return;
    heapBusy = true;
    void heapMb(metricsUrl)
      .then((mb) => {
        heapPeak = Math.max(heapPeak, mb);
      })
      .finally(() => {
        heapBusy = false;
      });
  }, 250);
  const serverBefore = await serverCpu();
  const cpuBefore = cpuMs(gateway.pid);
  const started = performance.now();
  let firstByte = 0;
  try {
    const response = await pool.request({
      path: `/admin/v1/transactions.csv?${filter}`,
      method: 'GET',
      headers: { cookie },
    });
    if (response.statusCode !== 200)
      throw new Error(`CSV: HTTP ${response.statusCode} ${await response.body.text()}`);
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      if (firstByte === 0) firstByte = performance.now() - started;
      bytes += chunk.length;
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) rows += 1;
    }
  } finally {
    clearInterval(rssTimer);
    clearInterval(heapTimer);
  }
  const seconds = (performance.now() - started) / 1000;
  const gatewayCpu = (cpuMs(gateway.pid) - cpuBefore) / 1000;
  const serverUsed = ((await serverCpu()) - serverBefore) / 1000;
  rssSamples.push({ rows, rss: rssMb(gateway.pid) });
  while (heapBusy) await sleep(10);
  const heapEnd = await heapMb(metricsUrl);
  const peak = Math.max(rssStart, ...rssSamples.map((s) => s.rss));
  const tenths = Array.from({ length: 10 }, (_, k) => {
    const upTo = ((k + 1) / 10) * rows;
    const seen = rssSamples.filter((s) => s.rows <= upTo);
    return seen.length ? seen[seen.length - 1]!.rss : rssStart;
  });
  return {
    filter,
    rows,
    bytes,
    seconds: round(seconds, 2),
    first_byte_ms: round(firstByte, 1),
    rows_per_second: Math.round(rows / seconds),
    mb_per_second: round(bytes / 2 ** 20 / seconds, 1),
    rss_mb: {
      start: rssStart,
      peak,
      end: rssSamples.at(-1)!.rss,
      growth: round(peak - rssStart, 1),
      at_each_tenth: tenths,
    },
    heap_mb: { start: heapStart, peak: Math.max(heapPeak, heapEnd), end: heapEnd },
    gateway_cpu_seconds: round(gatewayCpu, 2),
    database_cpu_seconds: onPostgres ? round(serverUsed, 2) : null,
  };
}

// ---------------------------------------------------------------- one backend

async function runBackend(
  root: string,
  backend: 'sqlite' | 'postgres',
  databaseUrl?: string,
): Promise<Record<string, unknown>> {
  const dir = join(root, backend);
  mkdirSync(dir);
  log(`${backend}: provisioning (CLI) …`);
  const provisioned = provisionOperators(dir, databaseUrl);
  const plan: AdminFillPlan = {
    companies: provisioned.companies,
    rows: ROWS,
    stores: 40,
    seed: 7,
    now: Date.now(),
  };
  const fillStart = performance.now();
  const summary =
    backend === 'sqlite'
      ? fillSqlite(provisioned.deployment.databaseFile, plan)
      : await fillPostgres(databaseUrl!, plan);
  const fillSeconds = round((performance.now() - fillStart) / 1000, 1);
  log(`${backend}: ${ROWS} ledger rows in ${fillSeconds} s`);

  const metricsPort = await freePort();
  const gateway = await startGateway(provisioned.deployment, 'http://127.0.0.1:9/unused', {
    env: { OMNIGATE_METRICS_PORT: String(metricsPort) },
  });
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const pool = new Pool(gateway.url, { connections: 1, pipelining: 1 });
  try {
    const sessions = {
      operator: await login(pool, provisioned.operator),
      platform: await login(pool, provisioned.platform),
    };
    const results: VariantResult[] = [];
    const serverCpu = databaseCpu(databaseUrl);
    const machineBefore = machineBusyMs();
    const gatewayBefore = cpuMs(gateway.pid);
    const serverBefore = await serverCpu();
    const benchBefore = process.cpuUsage();
    const wallStart = performance.now();
    for (const variant of variants(provisioned, summary)) {
      const result = await measureVariant(
        pool,
        sessions[variant.as],
        variant,
        gateway,
        serverCpu,
        databaseUrl !== undefined,
      );
      results.push(result);
      const l = result.latency_ms;
      log(
        `${backend}: ${variant.name.padEnd(36)} p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms`,
      );
    }
    const wallMs = performance.now() - wallStart;
    const bench = process.cpuUsage(benchBefore);
    const gatewayUsed = cpuMs(gateway.pid) - gatewayBefore + (await serverCpu()) - serverBefore;
    const otherCores = round(
      Math.max(
        0,
        machineBusyMs() - machineBefore - gatewayUsed - (bench.user + bench.system) / 1000,
      ) / wallMs,
      2,
    );
    log(`${backend}: streaming the CSV of the newest ${CSV_ROWS} rows …`);
    const csv = await streamCsv(
      pool,
      sessions.operator,
      gateway,
      metricsUrl,
      summary,
      provisioned.companies[0]!.companyId,
      serverCpu,
      databaseUrl !== undefined,
    );
    log(
      `${backend}: CSV ${csv.rows} rows, ${round(csv.bytes / 2 ** 20, 1)} MB in ${csv.seconds} s; ` +
        `RSS ${csv.rss_mb.start} → peak ${csv.rss_mb.peak} → ${csv.rss_mb.end} MB, ` +
        `heap ${csv.heap_mb.start} → peak ${csv.heap_mb.peak} → ${csv.heap_mb.end} MB`,
    );
    return {
      rows: ROWS,
      fill_seconds: fillSeconds,
      rows_per_company: Object.fromEntries(
        provisioned.companies.map((c) => [c.name, summary.companies[c.companyId]!.rows]),
      ),
      list: results,
      list_other_processes_cores: otherCores,
      csv,
    };
  } finally {
    await pool.close();
    await stopChild(gateway.child);
  }
}

// ---------------------------------------------------------------- main

function machine(): Record<string, unknown> {
  const model = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1];
  return {
    cpus: cpus().length,
    cpu_model: model?.trim() ?? cpus()[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

function printTable(backends: Record<string, Record<string, unknown>>): void {
  const names = Object.keys(backends);
  log('');
  log(
    `${'GET /admin/v1/transactions'.padEnd(38)}${names.map((n) => `${n} p50 / p99 ms (CPU ms)`.padStart(34)).join('')}`,
  );
  const lists = names.map((n) => backends[n]!.list as VariantResult[]);
  lists[0]?.forEach((row, i) => {
    const cells = lists.map((l) => {
      const q = l[i]!.latency_ms;
      const db = l[i]!.database_cpu_ms_per_request;
      const cpu = `${l[i]!.gateway_cpu_ms_per_request}${db === null ? '' : ` + ${db}`}`;
      return `${q.p50} / ${q.p99} (${cpu})`.padStart(34);
    });
    log(`${row.name.padEnd(38)}${cells.join('')}`);
  });
  log(
    `other processes' load during the list (cores of ${cpus().length}): ` +
      names.map((n) => `${n} ${String(backends[n]!.list_other_processes_cores)}`).join(', '),
  );
  for (const n of names) {
    const csv = backends[n]!.csv as CsvResult;
    log(
      `${n} CSV: ${csv.rows} rows, ${csv.bytes} bytes, ${csv.seconds} s (${csv.rows_per_second} rows/s); ` +
        `RSS MB start ${csv.rss_mb.start} peak ${csv.rss_mb.peak} end ${csv.rss_mb.end} ` +
        `(each tenth: ${csv.rss_mb.at_each_tenth.join(' ')}); heap MB start ${csv.heap_mb.start} ` +
        `peak ${csv.heap_mb.peak} end ${csv.heap_mb.end}`,
    );
  }
}

async function main(): Promise<Record<string, unknown> & { at: string; targets: BenchTarget[] }> {
  const root = mkdtempSync(join(tmpdir(), 'omnigate-bench-admin-'));
  const backends: Record<string, Record<string, unknown>> = {};
  try {
    backends.sqlite = await runBackend(root, 'sqlite');
    if (WITH_POSTGRES) {
      const database = await createBenchDatabase();
      if (!database) log(`postgres: not reachable at ${POSTGRES_ADMIN_URL}, skipped`);
      else {
        try {
          backends.postgres = await runBackend(root, 'postgres', database.url);
        } finally {
          await database.drop();
        }
      }
    }
  } finally {
    await stopAll();
    rmSync(root, { recursive: true, force: true });
  }
  const targets: { name: string; target: string; value: number; met: boolean }[] = [];
  for (const [name, result] of Object.entries(backends)) {
    const list = result.list as VariantResult[];
    const newest = list[0]!.latency_ms.p99;
    targets.push({
      name: `${name}_list_newest_p99_ms`,
      target: `<= ${TARGETS.listP99Ms}`,
      value: newest,
      met: newest <= TARGETS.listP99Ms,
    });
    const worst = Math.max(...list.map((v) => v.latency_ms.p99));
    targets.push({
      name: `${name}_list_every_variant_p99_ms`,
      target: `<= ${TARGETS.listP99Ms}`,
      value: worst,
      met: worst <= TARGETS.listP99Ms,
    });
    const csv = result.csv as CsvResult;
    targets.push({
      name: `${name}_csv_rss_growth_mb`,
      target: `<= ${TARGETS.csvRssGrowthMb}`,
      value: csv.rss_mb.growth,
      met: csv.rss_mb.growth <= TARGETS.csvRssGrowthMb,
    });
  }
  printTable(backends);
  return {
    bench: 'admin',
    at: new Date().toISOString(),
    machine: machine(),
    settings: { rows: ROWS, requests: REQUESTS, csv_rows: CSV_ROWS, postgres: WITH_POSTGRES },
    backends,
    targets,
    all_targets_met: targets.every((t) => t.met),
  };
}

await runBench('admin', HARD_LIMIT_MS, main);
