import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { NotFoundError, invalidField, missingField } from '../../core/errors.js';
import { REQUEST_ID, isIdentifier } from '../../core/ids.js';
import type { TransactionQueries } from '../../integrate/transactions.js';

/**
 * How a call ended: `GET /v1/payment/transactions/{request_id}` and
 * `GET /v1/payment/transactions?MerchantTradeNo=…`, the caller's company only.
 */
export async function transactionRoutes(
  app: FastifyInstance,
  deps: { transactions: TransactionQueries },
): Promise<void> {
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
        summary: 'Every call for one MerchantTradeNo, oldest first (at most 100)',
        querystring: {
          type: 'object',
          properties: { MerchantTradeNo: { type: 'string' } },
          required: ['MerchantTradeNo'],
        },
      },
    },
    async (request) => {
      const query = request.query as Record<string, unknown>;
      for (const key of Object.keys(query)) {
        if (key !== 'MerchantTradeNo') throw invalidField(key);
      }
      const no = query.MerchantTradeNo;
      if (no === undefined || no === '') throw missingField('MerchantTradeNo');
      if (!isIdentifier(no)) throw invalidField('MerchantTradeNo');
      return {
        transactions: await deps.transactions.byMerchantTradeNo(request.caller!.companyId, no),
      };
    },
  );
}
