import { randomBytes } from 'node:crypto';
import type { SecretBox } from '../core/master-key.js';
import { Secret } from '../core/secret.js';
import type { Db } from './database.js';
import { newEventId } from './outbox.js';

/** A webhook endpoint as operators see it: never its secret. */
export interface WebhookEndpoint {
  endpointId: string;
  companyId: string;
  url: string;
  /** The subscribed event types; null: every type. */
  events: string[] | null;
  createdAt: number;
  updatedAt: number;
}

/** A delivery this worker holds until `claimedUntil`. */
export interface ClaimedDelivery {
  deliveryId: string;
  eventId: string;
  endpointId: string;
  attempts: number;
  tries: number;
  claimedUntil: number;
}

export interface WebhookEvent {
  eventId: string;
  companyId: string;
  requestId: string;
  type: string;
  reconciled: boolean;
  occurredAt: number;
  payload: string | null;
}

export interface DeliveryAttempt {
  attempt: number;
  at: number;
  status: number | null;
  latencyMs: number;
  error: string | null;
}

export interface DeliveryStatus {
  deliveryId: string;
  eventId: string;
  endpointId: string;
  requestId: string;
  type: string;
  state: 'pending' | 'delivered' | 'failed';
  nextAttemptAt: number | null;
  attempts: DeliveryAttempt[];
}

export interface DeliveryFilter {
  eventId?: string;
  deliveryId?: string;
  endpointId?: string;
  companyId?: string;
  /** Newest first (default: oldest first). */
  newestFirst?: boolean;
}

/** `whsec_` and base64 of 32 random bytes (Standard Webhooks). */
const newSecret = (): Secret<string> => new Secret(`whsec_${randomBytes(32).toString('base64')}`);
const newEndpointId = (): string => `we_${randomBytes(12).toString('base64url')}`;
const newDeliveryId = (): string => `wd_${randomBytes(12).toString('base64url')}`;
const sealContext = (endpointId: string): string => `webhook_endpoints:${endpointId}`;

const encodeEvents = (events: readonly string[] | null): string =>
  events === null ? '*' : `,${events.join(',')},`;
const decodeEvents = (text: string): string[] | null =>
  text === '*' ? null : text.split(',').filter(Boolean);

/**
 * Webhook endpoints (secrets sealed with the master key) and the outbox:
 * events (written by the ledger in its own transactions), their deliveries
 * (one per subscribed endpoint) and every delivery attempt.
 */
export class WebhookRepository {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  async createEndpoint(
    companyId: string,
    url: string,
    events: readonly string[] | null,
    now = Date.now(),
  ): Promise<{ endpointId: string; secret: Secret<string> }> {
    const endpointId = newEndpointId();
    const secret = newSecret();
    await this.db
      .insertInto('webhook_endpoints')
      .values({
        id: endpointId,
        company_id: companyId,
        url,
        events: encodeEvents(events),
        sealed_secret: this.box.seal(secret.reveal(), sealContext(endpointId)),
        key_version: this.box.currentVersion,
        created_at: now,
        updated_at: now,
        deleted_at: null,
      })
      .execute();
    return { endpointId, secret };
  }

  async listEndpoints(companyId?: string): Promise<WebhookEndpoint[]> {
    let query = this.db
      .selectFrom('webhook_endpoints')
      .select(['id', 'company_id', 'url', 'events', 'created_at', 'updated_at'])
      .where('deleted_at', 'is', null);
    if (companyId !== undefined) query = query.where('company_id', '=', companyId);
    const rows = await query.orderBy('created_at').execute();
    return rows.map((r) => ({
      endpointId: r.id,
      companyId: r.company_id,
      url: r.url,
      events: decodeEvents(r.events),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }

  /** One endpoint (never its secret); undefined when it does not exist or was deleted. */
  async endpoint(endpointId: string): Promise<WebhookEndpoint | undefined> {
    const row = await this.db
      .selectFrom('webhook_endpoints')
      .select(['id', 'company_id', 'url', 'events', 'created_at', 'updated_at'])
      .where('id', '=', endpointId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return (
      row && {
        endpointId: row.id,
        companyId: row.company_id,
        url: row.url,
        events: decodeEvents(row.events),
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      }
    );
  }

  /** Stops the endpoint's deliveries: those not yet delivered fail. False: no such endpoint. */
  async deleteEndpoint(endpointId: string, now = Date.now()): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('webhook_endpoints')
        .set({ deleted_at: now, updated_at: now })
        .where('id', '=', endpointId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await trx
        .updateTable('webhook_deliveries')
        .set({ state: 'failed', next_attempt_at: null, updated_at: now })
        .where('endpoint_id', '=', endpointId)
        .where('state', '=', 'pending')
        .execute();
      return true;
    });
  }

  /** A new secret, shown once; the old one stops signing at once. */
  async rotateSecret(endpointId: string, now = Date.now()): Promise<Secret<string> | undefined> {
    const secret = newSecret();
    const result = await this.db
      .updateTable('webhook_endpoints')
      .set({
        sealed_secret: this.box.seal(secret.reveal(), sealContext(endpointId)),
        key_version: this.box.currentVersion,
        updated_at: now,
      })
      .where('id', '=', endpointId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1 ? secret : undefined;
  }

  /** What a delivery needs of its endpoint; undefined once deleted. */
  async target(endpointId: string): Promise<{ url: string; secret: Secret<string> } | undefined> {
    const row = await this.db
      .selectFrom('webhook_endpoints')
      .select(['url', 'sealed_secret'])
      .where('id', '=', endpointId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return (
      row && { url: row.url, secret: this.box.open(row.sealed_secret, sealContext(endpointId)) }
    );
  }

  /** Re-seals every endpoint secret not sealed with the current master key version. */
  async resealAll(): Promise<number> {
    const rows = await this.db
      .selectFrom('webhook_endpoints')
      .select(['id', 'sealed_secret'])
      .where('key_version', '!=', this.box.currentVersion)
      .execute();
    for (const row of rows) {
      const context = sealContext(row.id);
      await this.db
        .updateTable('webhook_endpoints')
        .set({
          sealed_secret: this.box.seal(this.box.open(row.sealed_secret, context).reveal(), context),
          key_version: this.box.currentVersion,
        })
        .where('id', '=', row.id)
        .where('sealed_secret', '=', row.sealed_secret)
        .execute();
    }
    return rows.length;
  }

  /**
   * An event for one endpoint only (`webhook.test`): written already fanned out,
   * its body fixed, with one delivery due now, so the worker sends it like any
   * other (signed, retried, recorded) and no other endpoint ever sees it.
   * Undefined when the endpoint does not exist or was deleted.
   */
  async createEndpointEvent(
    endpointId: string,
    event: { type: string; requestId: string; payload: string },
    now = Date.now(),
  ): Promise<{ eventId: string; deliveryId: string } | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const endpoint = await trx
        .selectFrom('webhook_endpoints')
        .select('company_id')
        .where('id', '=', endpointId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (!endpoint) return undefined;
      const eventId = newEventId(now);
      const deliveryId = newDeliveryId();
      await trx
        .insertInto('webhook_events')
        .values({
          id: eventId,
          company_id: endpoint.company_id,
          request_id: event.requestId,
          type: event.type,
          reconciled: 0,
          occurred_at: now,
          fanned_out_at: now,
          payload: event.payload,
        })
        .execute();
      await trx
        .insertInto('webhook_deliveries')
        .values({
          id: deliveryId,
          event_id: eventId,
          endpoint_id: endpointId,
          state: 'pending',
          attempts: 0,
          tries: 0,
          next_attempt_at: now,
          claimed_until: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      return { eventId, deliveryId };
    });
  }

  /**
   * Turns up to `limit` new events into one pending delivery per endpoint of the
   * company subscribed at this moment, each event in one transaction whose first
   * write claims it (two instances never fan the same event out twice).
   */
  async fanOut(now: number, firstAttemptAt: number, limit: number): Promise<number> {
    const events = await this.db
      .selectFrom('webhook_events')
      .select(['id', 'company_id', 'type'])
      .where('fanned_out_at', 'is', null)
      .orderBy('occurred_at')
      .limit(limit)
      .execute();
    let made = 0;
    for (const event of events) {
      made += await this.db.transaction().execute(async (trx) => {
        const claimed = await trx
          .updateTable('webhook_events')
          .set({ fanned_out_at: now })
          .where('id', '=', event.id)
          .where('fanned_out_at', 'is', null)
          .executeTakeFirst();
        if (Number(claimed.numUpdatedRows) !== 1) return 0;
        const endpoints = await trx
          .selectFrom('webhook_endpoints')
          .select('id')
          .where('company_id', '=', event.company_id)
          .where('deleted_at', 'is', null)
          .where((eb) => eb.or([eb('events', '=', '*'), eb('events', 'like', `%,${event.type},%`)]))
          .execute();
        if (endpoints.length === 0) return 0;
        await trx
          .insertInto('webhook_deliveries')
          .values(
            endpoints.map((e) => ({
              id: newDeliveryId(),
              event_id: event.id,
              endpoint_id: e.id,
              state: 'pending' as const,
              attempts: 0,
              tries: 0,
              next_attempt_at: firstAttemptAt,
              claimed_until: null,
              created_at: now,
              updated_at: now,
            })),
          )
          .execute();
        return endpoints.length;
      });
    }
    return made;
  }

  /**
   * Claims up to `limit` due deliveries. A claim is one conditional UPDATE, so two
   * workers (two instances) never hold, and so never send, the same delivery at once.
   */
  async claimDue(now: number, leaseMs: number, limit: number): Promise<ClaimedDelivery[]> {
    const candidates = await this.db
      .selectFrom('webhook_deliveries')
      .select(['id', 'event_id', 'endpoint_id', 'attempts', 'tries'])
      .where('state', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
      .orderBy('next_attempt_at')
      .limit(limit)
      .execute();
    const claimed: ClaimedDelivery[] = [];
    const until = now + leaseMs;
    for (const c of candidates) {
      const result = await this.db
        .updateTable('webhook_deliveries')
        .set({ claimed_until: until })
        .where('id', '=', c.id)
        .where('state', '=', 'pending')
        .where('attempts', '=', c.attempts)
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) continue;
      claimed.push({
        deliveryId: c.id,
        eventId: c.event_id,
        endpointId: c.endpoint_id,
        attempts: c.attempts,
        tries: c.tries,
        claimedUntil: until,
      });
    }
    return claimed;
  }

  async event(eventId: string): Promise<WebhookEvent | undefined> {
    const row = await this.db
      .selectFrom('webhook_events')
      .selectAll()
      .where('id', '=', eventId)
      .executeTakeFirst();
    return (
      row && {
        eventId: row.id,
        companyId: row.company_id,
        requestId: row.request_id,
        type: row.type,
        reconciled: Number(row.reconciled) === 1,
        occurredAt: row.occurred_at,
        payload: row.payload,
      }
    );
  }

  /** Fixes the event's body once; resolves to the body stored (the first one written). */
  async fixPayload(eventId: string, payload: string): Promise<string> {
    await this.db
      .updateTable('webhook_events')
      .set({ payload })
      .where('id', '=', eventId)
      .where('payload', 'is', null)
      .execute();
    const row = await this.db
      .selectFrom('webhook_events')
      .select('payload')
      .where('id', '=', eventId)
      .executeTakeFirstOrThrow();
    return row.payload ?? payload;
  }

  /**
   * Records one attempt and the delivery's next state, releasing the claim; only
   * while the claim is still this worker's (false otherwise: nothing written).
   */
  async recordAttempt(
    delivery: ClaimedDelivery,
    attempt: Omit<DeliveryAttempt, 'attempt'>,
    next: { state: 'pending' | 'delivered' | 'failed'; nextAttemptAt: number | null },
    now = Date.now(),
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('webhook_deliveries')
        .set({
          state: next.state,
          attempts: delivery.attempts + 1,
          tries: delivery.tries + 1,
          next_attempt_at: next.nextAttemptAt,
          claimed_until: null,
          updated_at: now,
        })
        .where('id', '=', delivery.deliveryId)
        .where('claimed_until', '=', delivery.claimedUntil)
        .where('attempts', '=', delivery.attempts)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await trx
        .insertInto('webhook_attempts')
        .values({
          delivery_id: delivery.deliveryId,
          attempt: delivery.attempts + 1,
          at: attempt.at,
          status: attempt.status,
          latency_ms: attempt.latencyMs,
          error: attempt.error,
        })
        .execute();
      return true;
    });
  }

  /** Gives a claimed delivery back unattempted (the process is stopping). */
  async releaseClaim(delivery: ClaimedDelivery): Promise<void> {
    await this.db
      .updateTable('webhook_deliveries')
      .set({ claimed_until: null })
      .where('id', '=', delivery.deliveryId)
      .where('claimed_until', '=', delivery.claimedUntil)
      .execute();
  }

  /** Sends a delivery again from the start of the schedule. False: no such delivery. */
  async resendDelivery(deliveryId: string, now = Date.now()): Promise<boolean> {
    const result = await this.db
      .updateTable('webhook_deliveries')
      .set({ state: 'pending', tries: 0, next_attempt_at: now, updated_at: now })
      .where('id', '=', deliveryId)
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('webhook_endpoints')
            .select('id')
            .whereRef('webhook_endpoints.id', '=', 'webhook_deliveries.endpoint_id')
            .where('deleted_at', 'is', null),
        ),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Sends every delivery of an event again; resolves to how many. */
  async resendEvent(eventId: string, now = Date.now()): Promise<string[]> {
    const rows = await this.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('event_id', '=', eventId)
      .execute();
    const resent: string[] = [];
    for (const { id } of rows) if (await this.resendDelivery(id, now)) resent.push(id);
    return resent;
  }

  /**
   * Deliveries with their attempts, filtered (one event, one delivery, one
   * endpoint, one company's endpoints): the oldest `limit`, or the newest first.
   */
  async deliveries(filter: DeliveryFilter, limit = 1000): Promise<DeliveryStatus[]> {
    let query = this.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhook_events as e', 'e.id', 'd.event_id')
      .select([
        'd.id',
        'd.event_id',
        'd.endpoint_id',
        'd.state',
        'd.next_attempt_at',
        'e.request_id',
        'e.type',
      ]);
    if (filter.eventId !== undefined) query = query.where('d.event_id', '=', filter.eventId);
    if (filter.companyId !== undefined) query = query.where('e.company_id', '=', filter.companyId);
    if (filter.endpointId !== undefined)
      query = query.where('d.endpoint_id', '=', filter.endpointId);
    if (filter.deliveryId !== undefined) query = query.where('d.id', '=', filter.deliveryId);
    const order = filter.newestFirst ? 'desc' : 'asc';
    const rows = await query
      .orderBy('d.created_at', order)
      .orderBy('d.id', order)
      .limit(limit)
      .execute();
    const result: DeliveryStatus[] = [];
    for (const r of rows) {
      const attempts = await this.db
        .selectFrom('webhook_attempts')
        .selectAll()
        .where('delivery_id', '=', r.id)
        .orderBy('attempt')
        .execute();
      result.push({
        deliveryId: r.id,
        eventId: r.event_id,
        endpointId: r.endpoint_id,
        requestId: r.request_id,
        type: r.type,
        state: r.state,
        nextAttemptAt: r.next_attempt_at,
        attempts: attempts.map((a) => ({
          attempt: a.attempt,
          at: a.at,
          status: a.status,
          latencyMs: a.latency_ms,
          error: a.error,
        })),
      });
    }
    return result;
  }

  /** What is left to send: events not yet fanned out and deliveries still pending. */
  async backlog(): Promise<{ events: number; deliveries: number }> {
    const events = await this.db
      .selectFrom('webhook_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('fanned_out_at', 'is', null)
      .executeTakeFirstOrThrow();
    const deliveries = await this.db
      .selectFrom('webhook_deliveries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', '=', 'pending')
      .executeTakeFirstOrThrow();
    return { events: Number(events.n), deliveries: Number(deliveries.n) };
  }
}
