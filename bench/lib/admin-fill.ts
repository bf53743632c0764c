import SQLite from 'better-sqlite3';
import pg from 'pg';

/**
 * A year of ledger history for several companies, written straight into a
 * provisioned (migrated) database before the gateway starts: what the operators'
 * list and CSV are measured on (`npm run bench -- --admin`, docs/performance.md).
 *
 * Deterministic (a seeded generator), so two runs measure the same rows. Rows
 * are generated oldest first with UUIDv7 request ids of their own creation time,
 * as the gateway writes them.
 */

export const ADMIN_STATES = ['succeeded', 'declined', 'rejected', 'failed', 'unknown'] as const;

export interface FillCompany {
  companyId: string;
  clientId: string;
  /** Share of the rows (the shares are normalised). */
  share: number;
}

export interface AdminFillPlan {
  companies: FillCompany[];
  rows: number;
  /** Stores per company: `S001`… with a long tail (store k gets weight 1/k). */
  stores: number;
  seed: number;
  /** The newest row's time; the oldest is a year before. */
  now: number;
}

/** What the bench needs to know of one company's generated rows to aim its queries. */
export interface CompanyRows {
  rows: number;
  byState: Record<string, number>;
  byStore: Record<string, number>;
  /** About 256 request ids and pay order numbers spread over the company's history. */
  requestIds: string[];
  tradeNos: string[];
  /** The creation time of the company's row 0, 1000, 2000, …: where N newest rows begin. */
  createdAtPer1000: number[];
}

export interface FillSummary {
  rows: number;
  companies: Record<string, CompanyRows>;
  firstAt: number;
  lastAt: number;
}

/** The columns in the order `values()` gives them. */
export const FILL_COLUMNS = [
  'request_id',
  'company_id',
  'client_id',
  'operation',
  'type',
  'env',
  'scenario',
  'store_id',
  'credential_id',
  'account_id',
  'merchant_trade_no',
  'state',
  'rtn_code',
  'rtn_msg',
  'error_code',
  'http_status',
  'upstream_latency_ms',
  'created_at',
  'updated_at',
  'instance_id',
  'next_check_at',
  'check_attempts',
  'claimed_until',
  'amount',
  'currency',
  'original_trade_no',
  'upstream_id',
] as const;

type Cell = string | number | null;

/** mulberry32: small, fast, and the same sequence for the same seed. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HEX = '0123456789abcdef';

/** A UUIDv7 of `ms` with the generator's bits, as src/core/ids.ts lays one out. */
function uuidv7(ms: number, random: () => number): string {
  let time = ms.toString(16).padStart(12, '0');
  time = `${time.slice(0, 8)}-${time.slice(8, 12)}`;
  let tail = '';
  for (let i = 0; i < 19; i += 1) tail += HEX[Math.floor(random() * 16)];
  const variant = HEX[8 + Math.floor(random() * 4)];
  return `${time}-7${tail.slice(0, 3)}-${variant}${tail.slice(3, 6)}-${tail.slice(6, 18)}`;
}

/** Picks from `choices` by cumulative weight. */
function weighted<T>(choices: readonly (readonly [T, number])[]): (r: number) => T {
  const total = choices.reduce((s, [, w]) => s + w, 0);
  const edges: number[] = [];
  let sum = 0;
  for (const [, w] of choices) {
    sum += w / total;
    edges.push(sum);
  }
  return (r) => {
    for (let i = 0; i < edges.length; i += 1) if (r < edges[i]!) return choices[i]![0];
    return choices[choices.length - 1]![0];
  };
}

const OPERATION = weighted([
  ['pay', 55],
  ['search', 25],
  ['cancel', 12],
  ['refund', 8],
] as const);
const STATE = weighted([
  ['succeeded', 90],
  ['declined', 6],
  ['rejected', 2.5],
  ['failed', 1.45],
  ['unknown', 0.05],
] as const);
const TYPE = weighted([
  ['I_CASH_QRCODE_PAY', 70],
  ['LINE_QRCODE_PAY', 30],
] as const);

const DAY_MS = 86_400_000;

/** `yyyymmdd` in Taiwan time, as a merchant numbers its orders. */
const taiwanDay = (ms: number): string =>
  new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10).replace(/-/g, '');

/**
 * The rows, oldest first, one array of `FILL_COLUMNS` each; `summary` is
 * complete once the iteration ends.
 */
export function* ledgerRows(plan: AdminFillPlan, summary: FillSummary): Generator<Cell[]> {
  const random = generator(plan.seed);
  const shares = plan.companies.map((c) => c.share);
  const company = weighted(plan.companies.map((c, i) => [i, shares[i]!] as const));
  const store = weighted(Array.from({ length: plan.stores }, (_, k) => [k, 1 / (k + 1)] as const));
  const instances = Array.from({ length: 8 }, () => uuidv7(plan.now, random));
  const span = 365 * DAY_MS;
  const start = plan.now - span;
  /** Each company numbers its orders; cancels and searches name its last paid one. */
  const numbering = plan.companies.map(() => ({ sequence: 0, lastPay: null as string | null }));
  const normalised = shares.reduce((sum, w) => sum + w, 0);
  /** Every how many of its rows a company's sample takes one. */
  const sampleEvery = shares.map((w) =>
    Math.max(1, Math.floor((plan.rows * w) / normalised / 256)),
  );
  summary.rows = plan.rows;
  summary.firstAt = start;
  summary.lastAt = start;
  const own = plan.companies.map((c) => {
    const rows: CompanyRows = {
      rows: 0,
      byState: {},
      byStore: {},
      requestIds: [],
      tradeNos: [],
      createdAtPer1000: [],
    };
    summary.companies[c.companyId] = rows;
    return rows;
  });
  for (let i = 0; i < plan.rows; i += 1) {
    const at = start + Math.floor((i / plan.rows) * span);
    const ci = company(random());
    const owner = plan.companies[ci]!;
    const orders = numbering[ci]!;
    const type = TYPE(random());
    const env = random() < 0.05 ? 'test' : 'prod';
    const storeId = `S${String(store(random()) + 1).padStart(3, '0')}`;
    let operation: string = OPERATION(random());
    if (operation !== 'pay' && orders.lastPay === null) operation = 'pay';
    const state = STATE(random());
    orders.sequence += 1;
    const number = `${type === 'LINE_QRCODE_PAY' ? 'L' : 'T'}${taiwanDay(at)}${String(orders.sequence).padStart(7, '0')}`;
    const tradeNo = operation === 'pay' || operation === 'refund' ? number : orders.lastPay;
    if (operation === 'pay' && state === 'succeeded') orders.lastPay = number;
    const settled = state === 'succeeded' || state === 'declined';
    const amount =
      operation === 'pay' || operation === 'refund' ? 10 + Math.floor(random() * 4990) : null;
    const requestId = uuidv7(at, random);
    const counts = own[ci]!;
    if (counts.rows % 1000 === 0) counts.createdAtPer1000.push(at);
    if (counts.rows % sampleEvery[ci]! === 0) counts.requestIds.push(requestId);
    if (operation === 'pay' && counts.tradeNos.length < counts.requestIds.length)
      counts.tradeNos.push(number);
    counts.rows += 1;
    counts.byState[state] = (counts.byState[state] ?? 0) + 1;
    counts.byStore[storeId] = (counts.byStore[storeId] ?? 0) + 1;
    summary.lastAt = at;
    yield [
      requestId,
      owner.companyId,
      owner.clientId,
      operation,
      type,
      env,
      'store',
      storeId,
      type === 'LINE_QRCODE_PAY' ? '1655000000' : '10000001',
      type === 'LINE_QRCODE_PAY' ? '1655000000' : '10000002',
      tradeNo,
      state,
      settled ? (state === 'succeeded' ? 1 : 2025) : null,
      settled ? (state === 'succeeded' ? '成功' : '查無此訂單') : null,
      state === 'rejected'
        ? 'invalid_field'
        : state === 'failed'
          ? 'upstream_error'
          : state === 'unknown'
            ? 'upstream_timeout'
            : null,
      state === 'rejected' ? 400 : state === 'unknown' ? 504 : state === 'failed' ? 502 : 200,
      state === 'rejected' ? null : 40 + Math.floor(random() * 400),
      at,
      at + 200,
      instances[i % instances.length]!,
      // Unknown rows are not due for a month: the bench measures reads, not the reconciler.
      state === 'unknown' ? plan.now + 30 * DAY_MS : null,
      0,
      null,
      amount,
      amount === null ? null : 'TWD',
      operation === 'refund' ? orders.lastPay : null,
      state === 'succeeded' && operation !== 'search'
        ? String(1e15 + Math.floor(random() * 1e15))
        : null,
    ];
  }
}

export function emptySummary(): FillSummary {
  return { rows: 0, companies: {}, firstAt: 0, lastAt: 0 };
}

/** One transaction of prepared inserts into a SQLite file. */
export function fillSqlite(databaseFile: string, plan: AdminFillPlan): FillSummary {
  const summary = emptySummary();
  const db = new SQLite(databaseFile);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    const insert = db.prepare(
      `insert into transactions (${FILL_COLUMNS.join(', ')}) values (${FILL_COLUMNS.map(() => '?').join(', ')})`,
    );
    db.transaction(() => {
      for (const row of ledgerRows(plan, summary)) insert.run(row);
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return summary;
}

/** PostgreSQL column types of `FILL_COLUMNS`, for `unnest`. */
const PG_TYPES: Record<(typeof FILL_COLUMNS)[number], string> = {
  request_id: 'text',
  company_id: 'text',
  client_id: 'text',
  operation: 'text',
  type: 'text',
  env: 'text',
  scenario: 'text',
  store_id: 'text',
  credential_id: 'text',
  account_id: 'text',
  merchant_trade_no: 'text',
  state: 'text',
  rtn_code: 'integer',
  rtn_msg: 'text',
  error_code: 'text',
  http_status: 'integer',
  upstream_latency_ms: 'double precision',
  created_at: 'bigint',
  updated_at: 'bigint',
  instance_id: 'text',
  next_check_at: 'bigint',
  check_attempts: 'integer',
  claimed_until: 'bigint',
  amount: 'bigint',
  currency: 'text',
  original_trade_no: 'text',
  upstream_id: 'text',
};

/**
 * One transaction of `insert … select from unnest(<one array per column>)`, 5,000
 * rows a statement; then VACUUM ANALYZE.
 */
export async function fillPostgres(url: string, plan: AdminFillPlan): Promise<FillSummary> {
  const summary = emptySummary();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const text =
    `insert into transactions (${FILL_COLUMNS.join(', ')}) select * from unnest(` +
    FILL_COLUMNS.map((c, i) => `$${i + 1}::${PG_TYPES[c]}[]`).join(', ') +
    ')';
  try {
    await client.query('begin');
    let columns: Cell[][] = FILL_COLUMNS.map(() => []);
    const flush = async (): Promise<void> => {
      if (columns[0]!.length === 0) return;
      await client.query(text, columns);
      columns = FILL_COLUMNS.map(() => []);
    };
    for (const row of ledgerRows(plan, summary)) {
      for (let i = 0; i < row.length; i += 1) columns[i]!.push(row[i]!);
      if (columns[0]!.length === 5_000) await flush();
    }
    await flush();
    await client.query('commit');
    // What autovacuum has long done to a ledger filled over a year: hint bits, the
    // visibility map, statistics. Without it the first reads pay for it.
    await client.query('vacuum analyze transactions');
  } finally {
    await client.end();
  }
  return summary;
}
