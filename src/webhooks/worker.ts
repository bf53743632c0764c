import type { FastifyBaseLogger } from 'fastify';
import { Agent, request } from 'undici';
import { DatabaseUnavailableError } from '../core/errors.js';
import type { TransactionQueries } from '../integrate/transactions.js';
import type { ClaimedDelivery, Store, WebhookEvent } from '../store/index.js';
import { type AddressPolicy, UnsafeWebhookUrlError, checkUrl, safeLookup } from './address.js';
import { webhookHeaders } from './signing.js';

export interface WebhookWorkerOptions {
  store: Pick<Store, 'webhooks'>;
  transactions: TransactionQueries;
  /** The wait before each attempt: the first after the event, each next after a failure. */
  scheduleMs: readonly number[];
  /** How often to look for due deliveries. */
  intervalMs: number;
  policy: AddressPolicy;
  logger: FastifyBaseLogger;
  /** An answer (headers and body) must arrive within this (default 10 s). */
  timeoutMs?: number;
  batchSize?: number;
}

/** What one attempt gave. */
interface AttemptResult {
  status: number | null;
  error: string | null;
}

const MAX_ERROR_LENGTH = 300;
/** Batches one pass may send before it yields to the next tick. */
const MAX_ROUNDS = 50;

/**
 * Delivers the outbox: in every gateway process, on a timer, off the payment
 * path. Each pass fans new events out into deliveries, claims due deliveries
 * atomically in the database (no two instances send one delivery at the same
 * time), POSTs them signed, and records every attempt.
 */
export class WebhookWorker {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  readonly #agent: Agent;
  readonly #timeoutMs: number;
  /** Aborted by stop(): attempts in flight end at once and are not counted. */
  readonly #stopping = new AbortController();

  constructor(private readonly options: WebhookWorkerOptions) {
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#agent = new Agent({
      connect: { lookup: safeLookup(options.policy), timeout: this.#timeoutMs },
      headersTimeout: this.#timeoutMs,
      bodyTimeout: this.#timeoutMs,
      // A receiver's connection is not kept for the next event: endpoints are many and idle.
      keepAliveTimeout: 1_000,
    });
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#stopping.signal.aborted) return;
    this.#stopping.abort();
    await this.#running;
    await this.#agent.destroy();
  }

  /** One pass; a pass already running is joined, not doubled. */
  tick(): Promise<void> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #pass(): Promise<void> {
    const { store, scheduleMs, logger } = this.options;
    const batch = this.options.batchSize ?? 20;
    try {
      // A full batch means more may be due: go on (bounded) rather than wait for the
      // next tick, so a burst of events drains at the receivers' pace, not the timer's.
      for (let round = 0; round < MAX_ROUNDS && !this.#stopping.signal.aborted; round += 1) {
        const now = Date.now();
        await store.webhooks.fanOut(now, now + (scheduleMs[0] ?? 0), batch * 5);
        // The claim outlives the longest attempt (time-out) with room to record it.
        const lease = this.#timeoutMs * 3 + 30_000;
        const due = await store.webhooks.claimDue(now, lease, batch);
        await Promise.all(due.map((delivery) => this.#deliver(delivery)));
        if (due.length < batch) break;
      }
    } catch (error) {
      // The store's availability warning (once per outage) says it already.
      if (error instanceof DatabaseUnavailableError) return;
      logger.error({ err: { type: (error as Error).name } }, 'webhook delivery pass failed');
    }
  }

  async #deliver(delivery: ClaimedDelivery): Promise<void> {
    const { store, scheduleMs, logger } = this.options;
    const target = await store.webhooks.target(delivery.endpointId);
    const event = await store.webhooks.event(delivery.eventId);
    if (!target || !event) return;
    const body = event.payload ?? (await this.#fixBody(event));
    const started = Date.now();
    const result = await this.#post(target.url, event.eventId, target.secret.reveal(), body);
    const finished = Date.now();
    if (this.#stopping.signal.aborted) {
      // Another instance, or this one after a restart, sends it: not an attempt of the endpoint's.
      await store.webhooks.releaseClaim(delivery);
      return;
    }
    const delivered = result.status !== null && result.status >= 200 && result.status < 300;
    const nextDelay = scheduleMs[delivery.tries + 1];
    const next = delivered
      ? { state: 'delivered' as const, nextAttemptAt: null }
      : nextDelay === undefined
        ? { state: 'failed' as const, nextAttemptAt: null }
        : { state: 'pending' as const, nextAttemptAt: finished + nextDelay };
    await store.webhooks.recordAttempt(
      delivery,
      { at: started, status: result.status, latencyMs: finished - started, error: result.error },
      next,
      finished,
    );
    if (next.state === 'failed') {
      logger.warn(
        { delivery_id: delivery.deliveryId, event_id: event.eventId, status: result.status },
        'webhook delivery failed after its last attempt',
      );
    }
  }

  /** The event's body, built once from the transaction view and stored for every retry. */
  async #fixBody(event: WebhookEvent): Promise<string> {
    const state = event.type.slice('transaction.'.length);
    const view = await this.options.transactions.byRequestId(event.companyId, event.requestId);
    const data = {
      ...(view ?? { request_id: event.requestId }),
      // The state the event announces, even when the row has moved on since.
      state,
      updated_at: new Date(event.occurredAt).toISOString(),
      reconciled: event.reconciled,
    };
    const body = JSON.stringify({
      type: event.type,
      timestamp: new Date(event.occurredAt).toISOString(),
      data,
    });
    return this.options.store.webhooks.fixPayload(event.eventId, body);
  }

  async #post(url: string, id: string, secret: string, body: string): Promise<AttemptResult> {
    try {
      // Literal addresses skip the lookup: checked here, at delivery time too.
      checkUrl(url, this.options.policy);
      const response = await request(url, {
        method: 'POST',
        dispatcher: this.#agent,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'omnigate-webhooks',
          ...webhookHeaders(secret, id, body),
        },
        body,
        signal: AbortSignal.any([AbortSignal.timeout(this.#timeoutMs), this.#stopping.signal]),
      });
      // Only the status matters; the body is read (bounded by the time-out) and dropped.
      await response.body.dump({ limit: 64 * 1024 });
      const redirect = response.statusCode >= 300 && response.statusCode < 400;
      return {
        status: response.statusCode,
        error: redirect ? 'redirect not followed' : null,
      };
    } catch (error) {
      return { status: null, error: describe(error) };
    }
  }
}

/** An attempt's error for the record: its kind and code, never a header or a body. */
function describe(error: unknown): string {
  if (error instanceof UnsafeWebhookUrlError) return `refused: ${error.message}`;
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof UnsafeWebhookUrlError) return `refused: ${cause.message}`;
  const e = error as { name?: string; code?: string; message?: string };
  if (e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT') return 'timeout';
  if (e.code === 'UND_ERR_BODY_TIMEOUT' || e.code === 'UND_ERR_CONNECT_TIMEOUT') return 'timeout';
  const text = [e.code, e.message].filter(Boolean).join(': ') || 'error';
  return text.slice(0, MAX_ERROR_LENGTH);
}
