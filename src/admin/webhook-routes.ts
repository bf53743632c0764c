import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NotFoundError } from '../core/errors.js';
import type { DeliveryStatus, Store, WebhookEndpoint } from '../store/index.js';
import type { AddressPolicy } from '../webhooks/address.js';
import { EVENT_TYPES, WebhookEndpoints } from '../webhooks/endpoints.js';
import { asBadRequest, changedBy, sees, text, writeCompany } from './route-kit.js';
import { companyScope, requireRole, sessionUser } from './session.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** An endpoint as the admin API shows it: never its secret; `events` null: every type. */
const endpointView = (e: WebhookEndpoint) => ({
  endpoint_id: e.endpointId,
  company_id: e.companyId,
  url: e.url,
  events: e.events,
  status: 'active' as const,
  created_at: iso(e.createdAt),
});

const deliveryView = (d: DeliveryStatus) => ({
  delivery_id: d.deliveryId,
  event_id: d.eventId,
  event_type: d.type,
  endpoint_id: d.endpointId,
  request_id: d.requestId,
  status: d.state,
  next_attempt_at: iso(d.nextAttemptAt),
  attempts: d.attempts.map((a) => ({
    attempt: a.attempt,
    at: iso(a.at),
    status_code: a.status,
    latency_ms: a.latencyMs,
    error: a.error,
  })),
});

const endpointParams = {
  type: 'object',
  properties: { endpoint_id: { ...text(64), minLength: 1 } },
} as const;

/**
 * Webhook endpoints and deliveries through the admin API: what `omnigate
 * webhook …` does, with the same service (the same URL checks at creation,
 * the same audit entries), plus a test event to one endpoint.
 */
export async function webhookRoutes(
  app: FastifyInstance,
  deps: { store: Store; webhookPolicy: AddressPolicy },
): Promise<void> {
  const { store } = deps;
  const endpointsFor = (request: FastifyRequest) =>
    new WebhookEndpoints(store, deps.webhookPolicy, changedBy(request));
  const viewer = { preValidation: requireRole('viewer') };
  const operator = { preValidation: requireRole('operator') };
  const admin = { preValidation: requireRole('admin') };

  /** The endpoint named in the path, if the user's company owns it (else 404, like none). */
  const visibleEndpoint = async (request: FastifyRequest, endpointId: string) => {
    const endpoint = await store.webhooks.endpoint(endpointId);
    if (!endpoint || !sees(sessionUser(request), endpoint.companyId)) {
      throw new NotFoundError(`webhook endpoint ${endpointId.slice(0, 64)} not found`);
    }
    return endpoint;
  };

  app.get<{ Querystring: { company_id?: string } }>(
    '/admin/v1/webhooks',
    {
      ...viewer,
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { company_id: text(64) },
        },
      },
    },
    async (request) => {
      const companyId = companyScope(sessionUser(request), request.query.company_id);
      const endpoints = await store.webhooks.listEndpoints(companyId ?? undefined);
      return { data: endpoints.map(endpointView) };
    },
  );

  app.post<{ Body: { url: string; events?: string[]; company_id?: string } }>(
    '/admin/v1/webhooks',
    {
      ...admin,
      schema: {
        body: {
          type: 'object',
          required: ['url'],
          additionalProperties: false,
          properties: {
            url: { ...text(2048), minLength: 1 },
            events: {
              type: 'array',
              minItems: 1,
              maxItems: EVENT_TYPES.length,
              items: text(64),
            },
            company_id: text(64),
          },
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const companyId = await writeCompany(store, sessionUser(request), body.company_id);
      const created = await asBadRequest(() =>
        endpointsFor(request).create(companyId, body.url, body.events ?? null),
      );
      const endpoint = await store.webhooks.endpoint(created.endpointId);
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({
        ...endpointView(endpoint!),
        secret: created.secret.reveal(),
      });
    },
  );

  app.delete<{ Params: { endpoint_id: string } }>(
    '/admin/v1/webhooks/:endpoint_id',
    { ...admin, schema: { params: endpointParams } },
    async (request, reply) => {
      const endpoint = await visibleEndpoint(request, request.params.endpoint_id);
      await asBadRequest(() => endpointsFor(request).delete(endpoint.endpointId));
      return reply.code(204).send();
    },
  );

  app.post<{ Params: { endpoint_id: string } }>(
    '/admin/v1/webhooks/:endpoint_id/rotate-secret',
    { ...admin, schema: { params: endpointParams } },
    async (request, reply) => {
      const endpoint = await visibleEndpoint(request, request.params.endpoint_id);
      const secret = await asBadRequest(() =>
        endpointsFor(request).rotateSecret(endpoint.endpointId),
      );
      reply.header('cache-control', 'no-store');
      return { endpoint_id: endpoint.endpointId, secret: secret.reveal() };
    },
  );

  app.get<{ Params: { endpoint_id: string }; Querystring: { limit?: number } }>(
    '/admin/v1/webhooks/:endpoint_id/deliveries',
    {
      ...viewer,
      schema: {
        params: endpointParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
        },
      },
    },
    async (request) => {
      const endpoint = await visibleEndpoint(request, request.params.endpoint_id);
      const deliveries = await store.webhooks.deliveries(
        { endpointId: endpoint.endpointId, newestFirst: true },
        request.query.limit ?? 100,
      );
      return { data: deliveries.map(deliveryView) };
    },
  );

  app.post<{ Params: { delivery_id: string } }>(
    '/admin/v1/webhooks/deliveries/:delivery_id/resend',
    {
      ...operator,
      schema: {
        params: {
          type: 'object',
          properties: { delivery_id: { ...text(64), minLength: 1 } },
        },
      },
    },
    async (request) => {
      const id = request.params.delivery_id;
      const [delivery] = await store.webhooks.deliveries({ deliveryId: id });
      // A deleted endpoint's deliveries are not sent again: as absent as another company's.
      const endpoint = delivery && (await store.webhooks.endpoint(delivery.endpointId));
      if (!endpoint || !sees(sessionUser(request), endpoint.companyId)) {
        throw new NotFoundError(`webhook delivery ${id.slice(0, 64)} not found`);
      }
      await asBadRequest(() => endpointsFor(request).resend({ deliveryId: id }));
      return { delivery_id: id, status: 'pending' };
    },
  );

  app.post<{ Params: { endpoint_id: string } }>(
    '/admin/v1/webhooks/:endpoint_id/test',
    { ...operator, schema: { params: endpointParams } },
    async (request, reply) => {
      const endpoint = await visibleEndpoint(request, request.params.endpoint_id);
      const sent = await asBadRequest(() =>
        endpointsFor(request).sendTest(endpoint.endpointId, request.id),
      );
      return reply.code(202).send({ event_id: sent.eventId });
    },
  );
}
