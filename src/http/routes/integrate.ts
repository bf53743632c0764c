import type {} from '@fastify/swagger';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IntegrateService } from '../../integrate/service.js';
import type { ProviderRegistry } from '../../providers/registry.js';
import type { Operation } from '../../providers/types.js';
import {
  answerSchema,
  errorSchema,
  integrateBodySchema,
  integrateQuerySchema,
} from '../openapi-schemas.js';
import { invalidField } from '../../core/errors.js';

export interface IntegrateRouteDeps {
  service: IntegrateService;
  registry: ProviderRegistry;
}

const ERRORS = {
  400: errorSchema,
  401: errorSchema,
  404: errorSchema,
  413: errorSchema,
  415: errorSchema,
  502: errorSchema,
  504: errorSchema,
};

/** The search query string, as the pipeline's body: `request` is JSON inside the query. */
function searchBody(request: FastifyRequest): unknown {
  const query = request.query as Record<string, unknown>;
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    if (Array.isArray(value)) throw invalidField(key);
    body[key] = value;
  }
  if (typeof body.request === 'string' && body.request.trim() !== '') {
    try {
      body.request = JSON.parse(body.request);
    } catch {
      throw invalidField('request');
    }
  }
  return body;
}

/** The Integrate endpoints: one pipeline, one route per operation. */
export async function integrateRoutes(
  app: FastifyInstance,
  deps: IntegrateRouteDeps,
): Promise<void> {
  // Validation belongs to check_params_process (the contract's order and messages);
  // the schemas below document the API and are not enforced here.
  app.setValidatorCompiler(() => () => true);
  // Answers carry icash's EncData as sent: serialise plainly, never drop a field.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.removeContentTypeParser('text/plain');

  const run = (operation: Operation, request: FastifyRequest, body: unknown) =>
    deps.service.run(operation, request.caller!, String(request.id), body);

  const post = (operation: Operation, summary: string, description: string) =>
    app.post(
      `/v1/payment/integrate/${operation}`,
      {
        schema: {
          summary,
          description,
          tags: ['integrate'],
          security: [{ bearer: [] }],
          body: integrateBodySchema(deps.registry, operation),
          response: { 200: answerSchema, ...ERRORS },
        },
      },
      (request) => run(operation, request, request.body),
    );

  post(
    'cancel',
    'I Cash Pay 條碼取消 (cancel a barcode payment)',
    'Reverses a whole barcode deduct (icash DeductCancelICPOF). Vendor credentials ' +
      '(PlatformID + MerchantID) or a store_id whose configuration supplies them.',
  );
  post(
    'pay',
    'I Cash Pay 條碼支付 (barcode payment)',
    'Deducts from the customer barcode (icash DeductICPOF). Amounts are whole NT$.',
  );
  app.get(
    '/v1/payment/integrate/search',
    {
      schema: {
        summary: 'I Cash Pay 條碼查詢 (query a trade)',
        description: 'icash QueryTradeICPO; `request` is a URL-encoded JSON object.',
        tags: ['integrate'],
        security: [{ bearer: [] }],
        querystring: integrateQuerySchema(),
        response: { 200: answerSchema, ...ERRORS },
      },
    },
    (request) => run('search', request, searchBody(request)),
  );
}
