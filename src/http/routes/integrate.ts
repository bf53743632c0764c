import type {} from '@fastify/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalidField } from '../../core/errors.js';
import { type IdempotencyGuard, fingerprint, keepsAnswer } from '../../idempotency/guard.js';
import type { IntegrateService } from '../../integrate/service.js';
import type { TransactionQueries } from '../../integrate/transactions.js';
import type { ProviderRegistry } from '../../providers/registry.js';
import type { Operation } from '../../providers/types.js';
import { parseLossless } from '../../core/lossless-json.js';
import { describeError } from '../errors.js';
import {
  answerSchema,
  errorSchema,
  integrateBodySchema,
  integrateQuerySchema,
} from '../openapi-schemas.js';

export interface IntegrateRouteDeps {
  service: IntegrateService;
  registry: ProviderRegistry;
  idempotency: IdempotencyGuard;
  transactions: TransactionQueries;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The pipeline ran, so the call has its ledger row. */
    pipelineRan?: boolean;
  }
}

const ERRORS = {
  400: errorSchema,
  401: errorSchema,
  404: errorSchema,
  409: errorSchema,
  413: errorSchema,
  415: errorSchema,
  422: errorSchema,
  502: errorSchema,
  503: errorSchema,
  504: errorSchema,
};

const JSON_TYPE = 'application/json; charset=utf-8';

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
      // Every digit kept: a wallet's 19-digit id may come as a bare JSON number.
      body.request = parseLossless(body.request);
    } catch {
      // Left a string: check_params_process refuses it (`request 格式錯誤`) in its own order.
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
  // Answers carry the wallet's answer as sent: serialise plainly, never drop a field.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.removeContentTypeParser('text/plain');

  // Calls refused before the pipeline (unreadable body, bad query) still get their ledger row.
  app.addHook('onError', async (request, _reply, error) => {
    const operation = request.routeOptions.config.operation;
    if (request.pipelineRan || !request.caller || !operation) return;
    const { status, code } = describeError(error);
    if (status < 500)
      await deps.service.recordRejected(operation, request.caller, String(request.id), {
        status,
        code,
      });
  });

  const run = (operation: Operation, request: FastifyRequest, body: unknown) => {
    request.pipelineRan = true;
    return deps.service.run(operation, request.caller!, String(request.id), body);
  };
  /** The wallet's answer as the exact JSON text it is (19-digit ids included). */
  const answer = async (
    operation: Operation,
    request: FastifyRequest,
    reply: FastifyReply,
    body: unknown,
  ) => reply.type(JSON_TYPE).send((await run(operation, request, body)).json);

  /** Runs the pipeline and renders its answer or its error as the exact bytes sent. */
  async function render(
    operation: Operation,
    request: FastifyRequest,
  ): Promise<{ status: number; body: string }> {
    try {
      return { status: 200, body: (await run(operation, request, request.body)).json };
    } catch (error) {
      const { status, code, message } = describeError(error as Error);
      if (!keepsAnswer(code)) throw error;
      return {
        status,
        body: JSON.stringify({ message, code, request_id: String(request.id) }),
      };
    }
  }

  async function handlePost(operation: Operation, request: FastifyRequest, reply: FastifyReply) {
    const header = request.headers['idempotency-key'];
    if (header === undefined) return answer(operation, request, reply, request.body);
    const key = Array.isArray(header) ? header.join(',') : header;
    const caller = request.caller!;
    const decision = await deps.idempotency.begin(
      caller.companyId,
      key,
      fingerprint(operation, request.body),
      String(request.id),
    );
    if (decision.kind === 'replay') {
      request.pipelineRan = true;
      return reply
        .code(decision.status)
        .header('idempotent-replayed', 'true')
        .type(JSON_TYPE)
        .send(decision.body);
    }
    if (decision.kind === 'current_state') {
      request.pipelineRan = true;
      const current = await deps.transactions.byRequestId(caller.companyId, decision.requestId);
      return reply.code(200).header('idempotent-replayed', 'true').send(current);
    }
    let rendered;
    try {
      rendered = await render(operation, request);
    } catch (error) {
      await deps.idempotency.release(caller.companyId, key, String(request.id));
      throw error;
    }
    try {
      await deps.idempotency.finish(caller.companyId, key, rendered.status, rendered.body);
    } catch (error) {
      // The database went away after the call ran: the answer is still the truth. The key
      // stays in progress until the call's ledger row is settled, then replays its state.
      request.log.warn({ err: { type: (error as Error).name } }, 'idempotency answer not stored');
    }
    return reply.code(rendered.status).type(JSON_TYPE).send(rendered.body);
  }

  /** The operation's reference text: what it does, then what it does at each wallet. */
  const describe = (operation: Operation, what: string): string =>
    [
      what,
      ...deps.registry.types().flatMap((type) => {
        const op = deps.registry.get(type)?.operations[operation];
        return op ? [`- \`${type}\`: ${op.summary}`] : [];
      }),
    ].join('\n');

  const post = (operation: Operation, summary: string, what: string) =>
    app.post(
      `/v1/payment/integrate/${operation}`,
      {
        config: { operation },
        schema: {
          summary,
          description:
            describe(operation, what) +
            '\n\nOptional header Idempotency-Key (1-255 printable ASCII): the same key and body ' +
            'replay the first answer without calling the wallet again (24 hours).',
          tags: ['integrate'],
          security: [{ bearer: [] }],
          body: integrateBodySchema(deps.registry, operation),
          response: { 200: answerSchema, ...ERRORS },
        },
      },
      (request, reply) => handlePost(operation, request, reply),
    );

  post('cancel', '條碼取消 (cancel a barcode payment)', 'Reverses a whole payment.');
  post('pay', '條碼支付 (barcode payment)', "Takes a payment from the customer's barcode.");
  post(
    'refund',
    '退款 (refund a payment, in full or in part)',
    'Refunds part or all of a payment, as often as something is left.',
  );
  app.get(
    '/v1/payment/integrate/search',
    {
      config: { operation: 'search' },
      schema: {
        summary: '條碼查詢 (query a trade)',
        description: describe(
          'search',
          'The trade as the wallet holds it; `request` is a URL-encoded JSON object.',
        ),
        tags: ['integrate'],
        security: [{ bearer: [] }],
        querystring: integrateQuerySchema(deps.registry),
        response: { 200: answerSchema, ...ERRORS },
      },
    },
    (request, reply) => answer('search', request, reply, searchBody(request)),
  );
}

declare module 'fastify' {
  interface FastifyContextConfig {
    operation?: Operation;
  }
}
