import type { Store, TransactionRecord } from '../store/index.js';

export type Bucket = 'hour' | 'day';

/** Buckets start on Taiwan time (UTC+8, no daylight saving): a "day" is the merchant's day. */
const TAIWAN_OFFSET_MS = 8 * 3_600_000;
const SIZE: Record<Bucket, number> = { hour: 3_600_000, day: 86_400_000 };
const PAGE = 1000;

export const bucketStart = (ms: number, bucket: Bucket): number =>
  Math.floor((ms + TAIWAN_OFFSET_MS) / SIZE[bucket]) * SIZE[bucket] - TAIWAN_OFFSET_MS;

interface Accumulator {
  start: number;
  byState: Record<string, number>;
  byOperation: Record<string, number>;
  paid: Record<string, number>;
  refunded: Record<string, number>;
  latencies: number[];
}

/** The value below which `q` of the sorted values lie (nearest rank); null when there are none. */
function percentile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

const add = (into: Record<string, number>, key: string, n = 1): void => {
  into[key] = (into[key] ?? 0) + n;
};

const empty = (start: number): Accumulator => ({
  start,
  byState: {},
  byOperation: {},
  paid: {},
  refunded: {},
  latencies: [],
});

function count(b: Accumulator, row: TransactionRecord): void {
  add(b.byState, row.state);
  add(b.byOperation, row.operation);
  if (row.state === 'succeeded' && row.amount !== null && row.currency !== null) {
    if (row.operation === 'pay') add(b.paid, row.currency, row.amount);
    else if (row.operation === 'refund' || row.operation === 'cancel')
      add(b.refunded, row.currency, row.amount);
  }
  if (row.upstreamLatencyMs !== null) b.latencies.push(row.upstreamLatencyMs);
}

function summary(b: Accumulator) {
  const sorted = b.latencies.sort((x, y) => x - y);
  return {
    count: Object.values(b.byState).reduce((x, y) => x + y, 0),
    by_state: b.byState,
    by_operation: b.byOperation,
    paid: b.paid,
    refunded: b.refunded,
    upstream_latency_ms: { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) },
  };
}

/**
 * Per bucket, and for the whole range (`total`): calls by state and by operation, amounts paid and refunded per
 * currency (succeeded calls only; a cancel counts as refunded when it names an
 * amount), upstream latency p50/p99; and the unknown backlog now. The rows are
 * read in pages, so only the buckets are held in memory, not the rows.
 */
export async function transactionStats(
  store: Pick<Store, 'ledger'>,
  p: { companyId: string | null; from: number; to: number; bucket: Bucket },
) {
  const buckets = new Map<number, Accumulator>();
  /** The whole range at once: its percentiles are not a mix of the buckets'. */
  const total = empty(p.from);
  let before: string | undefined;
  for (;;) {
    const rows: TransactionRecord[] = await store.ledger.list({
      companyId: p.companyId,
      from: p.from,
      to: p.to,
      limit: PAGE,
      ...(before === undefined ? {} : { before }),
    });
    for (const row of rows) {
      const start = bucketStart(row.createdAt, p.bucket);
      let b = buckets.get(start);
      if (!b) {
        b = empty(start);
        buckets.set(start, b);
      }
      count(b, row);
      count(total, row);
    }
    if (rows.length < PAGE) break;
    before = rows[rows.length - 1]!.requestId;
  }
  const backlog = await store.ledger.unknownBacklog(p.companyId ?? undefined);
  return {
    from: new Date(p.from).toISOString(),
    to: new Date(p.to).toISOString(),
    bucket: p.bucket,
    buckets: [...buckets.values()]
      .sort((a, b) => a.start - b.start)
      .map((b) => ({ start: new Date(b.start).toISOString(), ...summary(b) })),
    total: summary(total),
    unknown_backlog: {
      count: backlog.count,
      oldest_age_seconds:
        backlog.oldestCreatedAt === null
          ? null
          : Math.max(0, Math.round((Date.now() - backlog.oldestCreatedAt) / 1000)),
    },
  };
}
