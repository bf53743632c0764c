import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { NotFoundError, invalidField, missingField } from '../../core/errors.js';
import { REQUEST_ID, isIdentifier } from '../../core/ids.js';
import type { TransactionQueries } from '../../integrate/transactions.js';

/**
 * How a call ended: `GET /v1/payment/transactions/{request_id}` and
 * `GET /v1/payment/transactions?MerchantTradeNo=…` (or any wallet's order-number
 * field), the caller's company only.
 */
export async function transactionRoutes(
  app: FastifyInstance,
  deps: { transactions: TransactionQueries; tradeNoFields: readonly string[] },
): Promise<void> {
  // Each wallet names its order number its own way (its operations' tradeNoField).
  const names = deps.tradeNoFields;
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  const docs = { tags: ['transactions'], security: [{ bearer: [] }] };

  app.get(
    '/v1/payment/transactions/:request_id',
    {
      schema: {
        ...docs,
        summary: "One call's current state, upstream code and reconciliation history",
        params: { type: 'object', properties: { request_id: { type: 'string' } } },
      },
    },
    async (request) => {
      const { request_id: requestId } = request.params as { request_id: string };
      const found = REQUEST_ID.test(requestId)
        ? await deps.transactions.byRequestId(request.caller!.companyId, requestId)
        : undefined;
      if (!found) throw new NotFoundError(`交易 ${requestId.slice(0, 100)} 不存在`);
      return found;
    },
  );

  app.get(
    '/v1/payment/transactions',
    {
      schema: {
        ...docs,
        summary: `Every call for one order number (${names.join(' or ')}), oldest first (at most 100)`,
        querystring: {
          type: 'object',
          properties: Object.fromEntries(names.map((n) => [n, { type: 'string' }])),
        },
      },
    },
    async (request) => {
      const query = request.query as Record<string, unknown>;
      for (const key of Object.keys(query)) {
        if (!names.includes(key)) throw invalidField(key);
      }
      const given = names.filter((n) => query[n] !== undefined && query[n] !== '');
      if (given.length === 0) throw missingField(names[0]!);
      if (given.length > 1) throw invalidField(given[1]!);
      const name = given[0]!;
      const no = query[name];
      if (!isIdentifier(no, 100)) throw invalidField(name);
      return {
        transactions: await deps.transactions.byMerchantTradeNo(request.caller!.companyId, no),
      };
    },
  );
}
