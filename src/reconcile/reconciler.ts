import type { FastifyBaseLogger } from 'fastify';
import { DatabaseUnavailableError } from '../core/errors.js';
import type { ProviderRegistry } from '../providers/registry.js';
import { NotConfiguredError } from '../core/errors.js';
import { findStored } from '../integrate/pay-config.js';
import type { Operation, OutcomeCheck } from '../providers/types.js';
import type { Environment, Store, TransactionRecord } from '../store/index.js';
import type { CheckSchedule } from './schedule.js';

export interface ReconcilerOptions {
  store: Pick<Store, 'ledger' | 'credentials'>;
  registry: ProviderRegistry;
  schedule: CheckSchedule;
  /** How often to look for due rows. */
  intervalMs: number;
  /** Before this age, "order not found" does not yet prove a deduct never arrived. */
  safeWaitMs: number;
  /** A `pending` row older than this belongs to a dead process. */
  staleAfterMs: number;
  logger: FastifyBaseLogger;
  batchSize?: number;
  /** Told the result of every check (metrics); must not throw. */
  observer?: ReconcileObserver | undefined;
}

export interface ReconcileObserver {
  /** `outcome`: what the query gave; `result`: the row's state after the check. */
  reconcileAttempt(outcome: string, result: OutcomeCheck['result']): void;
}

/**
 * Settles calls whose outcome is unknown by asking the wallet (each provider's
 * `checkOutcome`) on a back-off schedule. Runs in every
 * instance; each row is claimed atomically in the database before it is checked.
 */
export class Reconciler {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  /** This process's claims (request id → claim end) of rows it has not recorded yet. */
  readonly #claims = new Map<string, number>();
  #unrecorded: { row: TransactionRecord; until: number }[] = [];

  constructor(private readonly options: ReconcilerOptions) {}

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** One pass: stale pending rows become unknown, then due rows are checked. */
  tick(now = Date.now()): Promise<void> {
    this.#running ??= this.#pass(now).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #pass(now: number): Promise<void> {
    const { store, logger } = this.options;
    let due: TransactionRecord[] = [];
    try {
      await store.ledger.recoverPending({ staleBefore: now - this.options.staleAfterMs, now });
      const lease = Math.max(60_000, this.options.intervalMs * 10);
      // Rows this process claimed but could not record while the database was away come
      // first, while the claim still holds; otherwise they would wait for the lease to end.
      due = this.#unrecorded.filter((held) => held.until > now).map((held) => held.row);
      this.#unrecorded = [];
      const claimed = await store.ledger.claimDue(now, lease, this.options.batchSize ?? 50);
      for (const row of claimed) {
        this.#claims.set(row.requestId, now + lease);
        due.push(row);
      }
      while (due.length > 0) {
        await this.#check(due[0]!);
        this.#claims.delete(due.shift()!.requestId);
      }
    } catch (error) {
      if (error instanceof DatabaseUnavailableError) {
        for (const row of due) {
          const until = this.#claims.get(row.requestId);
          if (until !== undefined) this.#unrecorded.push({ row, until });
        }
        // The store's availability warning (once per outage) says it already.
        return;
      }
      for (const row of due) this.#claims.delete(row.requestId);
      logger.error({ err: { type: (error as Error).name } }, 'reconciler pass failed');
    }
  }

  /**
   * An operator's "check now": asks the provider about one `unknown` call at once,
   * with the same judgement and record as a scheduled check. Undefined when the row
   * is not `unknown` or another check holds it.
   */
  async checkNow(requestId: string): Promise<TransactionRecord | undefined> {
    const { store } = this.options;
    const row = await store.ledger.claimNow(requestId, Date.now(), 60_000);
    if (!row) return undefined;
    await this.#check(row);
    return store.ledger.find(requestId);
  }

  async #check(row: TransactionRecord): Promise<void> {
    const { store, schedule, logger } = this.options;
    const attempt = row.checkAttempts + 1;
    const now = Date.now();
    const finding = await this.#ask(row, now);
    const nextCheckAt =
      finding.result === 'unknown' ? schedule.nextAfter(attempt, row.createdAt, now) : null;
    await store.ledger.recordCheck(
      row.requestId,
      { attempt, ...finding },
      { state: finding.result, nextCheckAt, upstreamId: finding.upstreamId ?? null },
    );
    this.options.observer?.reconcileAttempt(finding.outcome, finding.result);
    if (finding.result === 'unknown' && nextCheckAt === null) {
      logger.warn(
        { request_id: row.requestId },
        'call still unknown after the last check: needs review',
      );
    } else if (finding.result !== 'unknown') {
      logger.info({ request_id: row.requestId, state: finding.result, attempt }, 'call reconciled');
    }
  }

  async #ask(row: TransactionRecord, now: number): Promise<OutcomeCheck> {
    const unknown = (outcome: string): OutcomeCheck => ({
      outcome,
      rtnCode: null,
      tradeStatus: null,
      result: 'unknown',
    });
    const provider = row.type ? this.options.registry.get(row.type) : undefined;
    const credentials = provider?.credentials.fromLedger(row);
    if (!provider?.checkOutcome || !credentials || !row.merchantTradeNo) {
      return unknown('not_checkable');
    }
    const env = row.env as Environment;
    let stored;
    try {
      stored = await findStored(this.options.store, provider, row.companyId, env, credentials);
    } catch (error) {
      if (error instanceof NotConfiguredError) return unknown('no_key_set');
      throw error;
    }
    const claimedUpstreamIds =
      row.originalTradeNo && row.accountId && row.type
        ? await this.options.store.ledger.claimedUpstreamIds(
            {
              companyId: row.companyId,
              type: row.type,
              env,
              accountId: row.accountId,
              tradeNo: row.originalTradeNo,
            },
            row.requestId,
          )
        : [];
    try {
      return await provider.checkOutcome(
        row.operation as Operation,
        {
          merchantTradeNo: row.merchantTradeNo,
          originalTradeNo: row.originalTradeNo,
          amount: row.amount,
          claimedUpstreamIds,
          ageMs: now - row.createdAt,
          safeWaitMs: this.options.safeWaitMs,
        },
        { scenario: row.scenario === 'store' ? 'store' : 'vendor', env, credentials, stored },
      );
    } catch {
      return unknown('error');
    }
  }
}
