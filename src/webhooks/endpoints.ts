import type { Secret } from '../core/secret.js';
import type { AuditContext } from '../provisioning/service.js';
import type {
  AuditChanges,
  DeliveryFilter,
  DeliveryStatus,
  Store,
  WebhookEndpoint,
} from '../store/index.js';
import { type AddressPolicy, UnsafeWebhookUrlError, checkDestination } from './address.js';

/** The events a ledger row's new state sends. */
export const EVENT_TYPES = [
  'transaction.succeeded',
  'transaction.declined',
  'transaction.failed',
  'transaction.unknown',
] as const;

/** The event an operator sends to one endpoint to try it (docs/webhooks.md); never subscribed to. */
export const TEST_EVENT_TYPE = 'webhook.test';

/** A refused webhook command: one line for the operator. */
export class WebhookError extends Error {
  override readonly name = 'WebhookError';
}

/**
 * What operators do with webhook endpoints and deliveries (the CLI and the
 * admin API call this); every change is an audit entry, never with a secret.
 */
export class WebhookEndpoints {
  constructor(
    private readonly store: Pick<Store, 'webhooks' | 'companies' | 'audit'>,
    private readonly policy: AddressPolicy,
    /** Who the changes are attributed to in the audit log. */
    private readonly by: AuditContext = { actor: 'system' },
  ) {}

  async #audit(
    action: string,
    companyId: string,
    target: string,
    changes: AuditChanges,
  ): Promise<void> {
    await this.store.audit.append({
      actor: this.by.actor,
      companyId,
      action,
      target,
      requestId: this.by.requestId ?? null,
      source: this.by.source ?? null,
      changes,
    });
  }

  /** A new endpoint; its secret is returned once and stored only sealed. */
  async create(
    companyId: string,
    url: string,
    events: readonly string[] | null,
  ): Promise<{ endpointId: string; secret: Secret<string> }> {
    if (!(await this.store.companies.companyExists(companyId))) {
      throw new WebhookError(`company ${companyId} does not exist`);
    }
    const unknown = (events ?? []).filter((e) => !(EVENT_TYPES as readonly string[]).includes(e));
    if (unknown.length > 0) {
      throw new WebhookError(`unknown event ${unknown[0]}: choose from ${EVENT_TYPES.join(', ')}`);
    }
    if (events !== null && events.length === 0) throw new WebhookError('the event list is empty');
    try {
      await checkDestination(url, this.policy);
    } catch (error) {
      if (error instanceof UnsafeWebhookUrlError) throw new WebhookError(error.message);
      throw error;
    }
    const subscribed = events && [...new Set(events)];
    const created = await this.store.webhooks.createEndpoint(companyId, url, subscribed);
    await this.#audit('webhook.create', companyId, created.endpointId, {
      url,
      events: subscribed ?? 'all',
    });
    return created;
  }

  list(companyId?: string): Promise<WebhookEndpoint[]> {
    return this.store.webhooks.listEndpoints(companyId);
  }

  /** One endpoint, or undefined when it does not exist or was deleted. */
  find(endpointId: string): Promise<WebhookEndpoint | undefined> {
    return this.store.webhooks.endpoint(endpointId);
  }

  async delete(endpointId: string): Promise<void> {
    const endpoint = await this.#require(endpointId);
    if (!(await this.store.webhooks.deleteEndpoint(endpointId))) {
      throw new WebhookError(`webhook endpoint ${endpointId} does not exist`);
    }
    await this.#audit('webhook.delete', endpoint.companyId, endpointId, {
      url: endpoint.url,
      deleted: true,
    });
  }

  async rotateSecret(endpointId: string): Promise<Secret<string>> {
    const endpoint = await this.#require(endpointId);
    const secret = await this.store.webhooks.rotateSecret(endpointId);
    if (!secret) throw new WebhookError(`webhook endpoint ${endpointId} does not exist`);
    await this.#audit('webhook.rotate_secret', endpoint.companyId, endpointId, {
      secret: 'replaced',
    });
    return secret;
  }

  /**
   * A `webhook.test` event to this endpoint only, whatever its subscription,
   * sent by the worker like any event (signed, retried, recorded).
   */
  async sendTest(endpointId: string, requestId: string): Promise<{ eventId: string }> {
    const endpoint = await this.#require(endpointId);
    const now = Date.now();
    const payload = JSON.stringify({
      type: TEST_EVENT_TYPE,
      timestamp: new Date(now).toISOString(),
      data: { endpoint_id: endpoint.endpointId, company_id: endpoint.companyId, test: true },
    });
    const made = await this.store.webhooks.createEndpointEvent(
      endpointId,
      { type: TEST_EVENT_TYPE, requestId, payload },
      now,
    );
    if (!made) throw new WebhookError(`webhook endpoint ${endpointId} does not exist`);
    await this.#audit('webhook.test', endpoint.companyId, endpointId, {
      event_id: made.eventId,
      delivery_id: made.deliveryId,
    });
    return { eventId: made.eventId };
  }

  /** Sends one delivery, or every delivery of one event, again from the schedule's start. */
  async resend(target: { deliveryId?: string; eventId?: string }): Promise<string[]> {
    if (target.deliveryId !== undefined) {
      const [delivery] = await this.store.webhooks.deliveries({ deliveryId: target.deliveryId });
      if (!delivery || !(await this.store.webhooks.resendDelivery(target.deliveryId))) {
        throw new WebhookError(`webhook delivery ${target.deliveryId} does not exist`);
      }
      await this.#auditResend(delivery.eventId, target.deliveryId, [target.deliveryId]);
      return [target.deliveryId];
    }
    if (target.eventId !== undefined) {
      const resent = await this.store.webhooks.resendEvent(target.eventId);
      if (resent.length === 0) {
        throw new WebhookError(`webhook event ${target.eventId} has no delivery to resend`);
      }
      await this.#auditResend(target.eventId, target.eventId, resent);
      return resent;
    }
    throw new WebhookError('give --delivery or --event');
  }

  async #auditResend(eventId: string, target: string, deliveries: string[]): Promise<void> {
    const event = await this.store.webhooks.event(eventId);
    if (!event) return;
    await this.#audit('webhook.resend', event.companyId, target, {
      event_id: eventId,
      deliveries,
    });
  }

  deliveries(filter: DeliveryFilter, limit?: number): Promise<DeliveryStatus[]> {
    return this.store.webhooks.deliveries(filter, limit);
  }

  async #require(endpointId: string): Promise<WebhookEndpoint> {
    const endpoint = await this.store.webhooks.endpoint(endpointId);
    if (!endpoint) throw new WebhookError(`webhook endpoint ${endpointId} does not exist`);
    return endpoint;
  }
}
