import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { UpstreamCall, UpstreamObserver } from '../integrate/service.js';
import type { LimitKind, RateLimitObserver } from '../limits/abuse-limits.js';
import type { ReconcileObserver } from '../reconcile/reconciler.js';
import type { TransactionLedger } from '../store/ledger.js';

const PREFIX = 'omnigate_';
/** Seconds: from a fast local answer to the upstream time-out's range. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** What the scrape reads from the ledger when it is taken. */
export type LedgerSource = Pick<TransactionLedger, 'countByState' | 'unknownBacklog'>;

/**
 * The gateway's Prometheus metrics (docs/metrics.md). One registry per
 * gateway; the pipeline, reconciler and rate limits report through the
 * neutral observer interfaces they declare, the HTTP layer through
 * `httpRequest`, and the ledger gauges are read at scrape time.
 */
export class GatewayMetrics implements UpstreamObserver, ReconcileObserver, RateLimitObserver {
  readonly registry = new Registry();
  readonly #httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly #httpDuration: Histogram<'method' | 'route'>;
  readonly #upstreamCalls: Counter<'type' | 'operation' | 'outcome'>;
  readonly #upstreamDuration: Histogram<'type' | 'operation'>;
  readonly #reconcileAttempts: Counter<'outcome' | 'result'>;
  readonly #refusals: Counter<'limit'>;
  #ledger: LedgerSource | undefined;

  constructor(options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.#httpRequests = new Counter({
      name: `${PREFIX}http_requests_total`,
      help: 'HTTP requests answered, by method, route (the matched route pattern) and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.#httpDuration = new Histogram({
      name: `${PREFIX}http_request_duration_seconds`,
      help: 'Time from receiving a request to answering it, by method and route',
      labelNames: ['method', 'route'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#upstreamCalls = new Counter({
      name: `${PREFIX}upstream_calls_total`,
      help: 'Calls to a wallet, by payment type, operation and outcome (answered, not_sent, unknown, untrusted)',
      labelNames: ['type', 'operation', 'outcome'],
      registers,
    });
    this.#upstreamDuration = new Histogram({
      name: `${PREFIX}upstream_call_duration_seconds`,
      help: 'Latency of calls to a wallet, by payment type and operation',
      labelNames: ['type', 'operation'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#reconcileAttempts = new Counter({
      name: `${PREFIX}reconcile_attempts_total`,
      help: "Reconciler checks of unknown calls, by the query's outcome and the row's resulting state",
      labelNames: ['outcome', 'result'],
      registers,
    });
    this.#refusals = new Counter({
      name: `${PREFIX}rate_limit_refusals_total`,
      help: 'Requests refused by a rate limit (token_attempts: failed logins; calls: API calls per client)',
      labelNames: ['limit'],
      registers,
    });
    const ledger = (): LedgerSource | undefined => this.#ledger;
    new Gauge({
      name: `${PREFIX}ledger_transactions`,
      help: 'Ledger rows by state (read from the database at scrape time)',
      labelNames: ['state'],
      registers,
      async collect() {
        const source = ledger();
        if (!source) return;
        try {
          const counts = await source.countByState();
          this.reset();
          for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
        } catch {
          // The database is away: the scrape keeps the last values (readyz says it).
        }
      },
    });
    let backlog: Promise<{ count: number; oldestCreatedAt: number | null }> | undefined;
    /** Both backlog gauges read one query per scrape. */
    const readBacklog = async () => {
      const source = ledger();
      if (!source) return undefined;
      backlog ??= source.unknownBacklog().finally(() => {
        backlog = undefined;
      });
      try {
        return await backlog;
      } catch {
        return undefined;
      }
    };
    new Gauge({
      name: `${PREFIX}unknown_backlog`,
      help: 'Calls whose outcome is unknown and awaits the reconciler',
      registers,
      async collect() {
        const found = await readBacklog();
        if (found) this.set(found.count);
      },
    });
    new Gauge({
      name: `${PREFIX}unknown_oldest_age_seconds`,
      help: 'Age of the oldest unknown call (0 when there is none)',
      registers,
      async collect() {
        const found = await readBacklog();
        if (found)
          this.set(
            found.oldestCreatedAt === null
              ? 0
              : Math.max(0, (Date.now() - found.oldestCreatedAt) / 1000),
          );
      },
    });
    if (options.processMetrics !== false) {
      collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
    }
  }

  /** The ledger the scrape reads (set once the store is open). */
  readLedgerFrom(ledger: LedgerSource): void {
    this.#ledger = ledger;
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    this.#httpRequests.inc({ method, route, status: String(status) });
    this.#httpDuration.observe({ method, route }, seconds);
  }

  upstreamCall(call: UpstreamCall): void {
    this.#upstreamCalls.inc({ type: call.type, operation: call.operation, outcome: call.outcome });
    this.#upstreamDuration.observe(
      { type: call.type, operation: call.operation },
      call.latencyMs / 1000,
    );
  }

  reconcileAttempt(outcome: string, result: string): void {
    this.#reconcileAttempts.inc({ outcome, result });
  }

  refused(limit: LimitKind): void {
    this.#refusals.inc({ limit });
  }

  /** The Prometheus text exposition. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
