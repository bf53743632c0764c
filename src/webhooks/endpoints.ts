import type { Secret } from '../core/secret.js';
import type { DeliveryStatus, Store, WebhookEndpoint } from '../store/index.js';
import { type AddressPolicy, UnsafeWebhookUrlError, checkDestination } from './address.js';

/** The events a ledger row's new state sends. */
export const EVENT_TYPES = [
  'transaction.succeeded',
  'transaction.declined',
  'transaction.failed',
  'transaction.unknown',
] as const;

/** A refused webhook command: one line for the operator. */
export class WebhookError extends Error {
  override readonly name = 'WebhookError';
}

/** What operators do with webhook endpoints and deliveries (the CLI calls this). */
export class WebhookEndpoints {
  constructor(
    private readonly store: Pick<Store, 'webhooks' | 'companies'>,
    private readonly policy: AddressPolicy,
  ) {}

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
    if (events !== null && events.length === 0) throw new WebhookError('--events is empty');
    try {
      await checkDestination(url, this.policy);
    } catch (error) {
      if (error instanceof UnsafeWebhookUrlError) throw new WebhookError(error.message);
      throw error;
    }
    return this.store.webhooks.createEndpoint(companyId, url, events && [...new Set(events)]);
  }

  list(companyId?: string): Promise<WebhookEndpoint[]> {
    return this.store.webhooks.listEndpoints(companyId);
  }

  async delete(endpointId: string): Promise<void> {
    if (!(await this.store.webhooks.deleteEndpoint(endpointId))) {
      throw new WebhookError(`webhook endpoint ${endpointId} does not exist`);
    }
  }

  async rotateSecret(endpointId: string): Promise<Secret<string>> {
    const secret = await this.store.webhooks.rotateSecret(endpointId);
    if (!secret) throw new WebhookError(`webhook endpoint ${endpointId} does not exist`);
    return secret;
  }

  /** Sends one delivery, or every delivery of one event, again from the schedule's start. */
  async resend(target: { deliveryId?: string; eventId?: string }): Promise<string[]> {
    if (target.deliveryId !== undefined) {
      if (!(await this.store.webhooks.resendDelivery(target.deliveryId))) {
        throw new WebhookError(`webhook delivery ${target.deliveryId} does not exist`);
      }
      return [target.deliveryId];
    }
    if (target.eventId !== undefined) {
      const resent = await this.store.webhooks.resendEvent(target.eventId);
      if (resent.length === 0) {
        throw new WebhookError(`webhook event ${target.eventId} has no delivery to resend`);
      }
      return resent;
    }
    throw new WebhookError('give --delivery or --event');
  }

  deliveries(filter: { eventId?: string; companyId?: string }): Promise<DeliveryStatus[]> {
    return this.store.webhooks.deliveries(filter);
  }
}
