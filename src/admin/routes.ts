import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  AuthenticationError,
  ConflictError,
  NotFoundError,
  RateLimitedError,
  ValidationError,
  invalidField,
  missingField,
  unsupportedField,
} from '../core/errors.js';
import { CLIENT_ID, REQUEST_ID } from '../core/ids.js';
import type { TransactionQueries } from '../integrate/transactions.js';
import type { AbuseLimits } from '../limits/abuse-limits.js';
import type { LedgerFilter } from '../store/ledger.js';
import type { Reconciler } from '../reconcile/reconciler.js';
import type { Store, TransactionRecord, User } from '../store/index.js';
import { type PaymentActionName, OperatorActions } from './actions.js';
import { OperatorDirectory } from './directory.js';
import { type ManagementDeps, managementRoutes } from './management.js';
import { changedBy, provisioningFor, sees, text } from './route-kit.js';
import { documentAdminRoutes } from './reference.js';
import { type Bucket, transactionStats } from './stats.js';
import { decoyHash, verifyPassword } from './passwords.js';
import {
  type SessionSettings,
  clearedCookie,
  companyScope,
  csrfTokenOf,
  newSessionToken,
  requireRole,
  sessionAuth,
  sessionCookie,
  sessionTokenOf,
  sessionUser as operator,
} from './session.js';

export interface AdminDeps {
  store: Store;
  /** "Check now": the reconciler's check of one unknown call. */
  checker: Pick<Reconciler, 'checkNow'>;
  /** Refunds and cancels started by an operator. */
  actions: OperatorActions;
  limits: AbuseLimits;
  transactions: TransactionQueries;
  session: SessionSettings;
  webhookPolicy: ManagementDeps['webhookPolicy'];
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** A ledger row in the admin list and CSV: neutral names, every wallet alike. */
export function adminRow(r: TransactionRecord) {
  return {
    request_id: r.requestId,
    company_id: r.companyId,
    created_at: iso(r.createdAt),
    operation: r.operation,
    type: r.type,
    env: r.env,
    scenario: r.scenario,
    store_id: r.storeId,
    trade_no: r.merchantTradeNo,
    original_trade_no: r.originalTradeNo,
    upstream_id: r.upstreamId,
    amount: r.amount,
    currency: r.currency,
    state: r.state,
    result_code: r.rtnCode,
    result_message: r.rtnMsg,
    error_code: r.errorCode,
    upstream_latency_ms: r.upstreamLatencyMs,
  };
}

const CSV_COLUMNS = [
  'request_id',
  'company_id',
  'created_at',
  'operation',
  'type',
  'env',
  'scenario',
  'store_id',
  'trade_no',
  'original_trade_no',
  'upstream_id',
  'amount',
  'currency',
  'state',
  'result_code',
  'result_message',
  'error_code',
  'upstream_latency_ms',
] as const satisfies readonly (keyof ReturnType<typeof adminRow>)[];
/** Characters of CSV text written to the socket at once. */
const CSV_CHUNK = 16 * 1024;
const csvCell = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  const text = String(value);
  // Quote always-special characters; a leading =,+,-,@ is neutralised against formula injection.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) || safe !== text ? `"${safe.replace(/"/g, '""')}"` : safe;
};

const userView = (u: User) => ({
  user_id: u.userId,
  email: u.email,
  role: u.role,
  company_id: u.companyId,
});

interface ListQuery {
  company_id?: string;
  from?: string;
  to?: string;
  state?: string;
  operation?: string;
  type?: string;
  env?: string;
  store_id?: string;
  q?: string;
  cursor?: string;
  limit?: number;
}

/** A time filter (ISO 8601; `instant` reads it) and a keyset cursor (a UUIDv7 id). */
const TIME = { type: 'string', format: 'date-time' } as const;
const CURSOR = { type: 'string', pattern: REQUEST_ID.source } as const;

/** `?company_id=` alone (a platform user's choice of company). */
const companyQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { company_id: text(64) },
} as const;

const listQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    company_id: text(64),
    from: TIME,
    to: TIME,
    state: {
      type: 'string',
      enum: ['pending', 'succeeded', 'declined', 'rejected', 'failed', 'unknown'],
    },
    operation: text(32),
    type: text(64),
    env: { type: 'string', enum: ['test', 'prod'] },
    store_id: text(64),
    q: text(64),
    cursor: CURSOR,
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  },
} as const;

/** An ISO 8601 time the schema let through (`date-time`) as epoch ms; Date cannot read all. */
function instant(name: string, value: string): number {
  const ms = Date.parse(value);
  // e.g. a leap second (23:59:60), which the format allows and Date does not.
  if (Number.isNaN(ms)) throw new ValidationError('invalid_field', `${name} 格式錯誤`);
  return ms;
}

function ledgerFilter(user: User, q: ListQuery, limit: number): LedgerFilter {
  const filter: LedgerFilter = { companyId: companyScope(user, q.company_id), limit };
  if (q.from !== undefined) filter.from = instant('from', q.from);
  if (q.to !== undefined) filter.to = instant('to', q.to);
  if (q.state !== undefined) filter.state = q.state;
  if (q.operation !== undefined) filter.operation = q.operation;
  if (q.type !== undefined) filter.type = q.type;
  if (q.env !== undefined) filter.env = q.env;
  if (q.store_id !== undefined) filter.storeId = q.store_id;
  if (q.q !== undefined) filter.q = q.q;
  if (q.cursor !== undefined) filter.before = q.cursor;
  return filter;
}

/** A refund's amount (a whole number from 1), or nothing for a cancel; anything else is refused.
 * Checked here, strictly, not by a schema: no coercion of "10" or [10] to 10. */
function actionAmount(action: PaymentActionName, body: unknown): number | undefined {
  const fields = body === undefined || body === null ? {} : body;
  if (typeof fields !== 'object' || Array.isArray(fields)) {
    throw new ValidationError('malformed_body', '請求格式錯誤');
  }
  const allowed = action === 'refund' ? ['amount'] : [];
  const extra = Object.keys(fields).find((key) => !allowed.includes(key));
  if (extra !== undefined) throw unsupportedField(extra.slice(0, 64));
  if (action === 'cancel') return undefined;
  const { amount } = fields as { amount?: unknown };
  if (amount === undefined || amount === null) throw missingField('amount');
  if (
    typeof amount !== 'number' ||
    !Number.isSafeInteger(amount) ||
    amount < 1 ||
    amount > 999_999_999
  ) {
    throw invalidField('amount');
  }
  return amount;
}

/** The operators' API, `/admin/v1/*` (docs/admin-api.md). */
export async function adminRoutes(app: FastifyInstance, deps: AdminDeps): Promise<void> {
  const { store, limits, session } = deps;
  documentAdminRoutes(app);
  const directory = new OperatorDirectory(store);

  app.post<{ Body: { email: string; password: string } }>(
    '/admin/v1/session',
    {
      schema: {
        body: {
          type: 'object',
          required: ['email', 'password'],
          additionalProperties: false,
          properties: {
            email: { ...text(254), minLength: 1 },
            password: { type: 'string', minLength: 1, maxLength: 1024 },
          },
        },
      },
    },
    async (request, reply) => {
      const email = request.body.email.trim().toLowerCase();
      const verdict = await limits.loginAttemptAllowed(email, request.ip);
      if (!verdict.allowed) throw new RateLimitedError(verdict.retryAfterSeconds);
      const found = await store.users.findByEmail(email);
      // The same scrypt work whether or not the account exists.
      const matches = await verifyPassword(
        request.body.password,
        found?.passwordHash ?? (await decoyHash()),
      );
      if (!found || !matches || found.disabledAt !== null) {
        await limits.loginFailed(email, request.ip);
        throw new AuthenticationError('invalid_credentials', 'wrong email or password');
      }
      const token = newSessionToken();
      const now = Date.now();
      const expiresAt = now + session.maxAgeMs;
      await store.users.openSession(
        { token, csrfToken: csrfTokenOf(token), userId: found.userId, expiresAt },
        now,
      );
      reply.header('set-cookie', sessionCookie(token, session));
      reply.header('cache-control', 'no-store');
      return {
        user: userView(found),
        csrf_token: csrfTokenOf(token),
        expires_at: iso(expiresAt),
      };
    },
  );

  await app.register(async (admin) => {
    admin.addHook('onRequest', sessionAuth(store.users, session));
    const viewer = { preHandler: requireRole('viewer') };
    const admins = { preHandler: requireRole('admin') };
    await admin.register(managementRoutes, { store, webhookPolicy: deps.webhookPolicy });

    /** The row a route names, if the user may see it: another company's is as absent as none. */
    const visibleRow = async (user: User, id: string): Promise<TransactionRecord> => {
      const row = REQUEST_ID.test(id) ? await store.ledger.find(id) : undefined;
      if (!row || !sees(user, row.companyId)) {
        throw new NotFoundError(`transaction ${id.slice(0, 64)} not found`);
      }
      return row;
    };

    admin.get('/admin/v1/session', viewer, async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return {
        user: userView(operator(request)),
        csrf_token: csrfTokenOf(sessionTokenOf(request)!),
      };
    });

    admin.delete('/admin/v1/session', viewer, async (request, reply) => {
      await store.users.endSession(sessionTokenOf(request)!);
      reply.header('set-cookie', clearedCookie(session));
      return reply.code(204).send();
    });

    admin.get<{ Querystring: ListQuery }>(
      '/admin/v1/transactions',
      { ...viewer, schema: { querystring: listQuerySchema } },
      async (request) => {
        const limit = request.query.limit ?? 50;
        // One more than asked tells whether another page exists.
        const rows = await store.ledger.list(
          ledgerFilter(operator(request), request.query, limit + 1),
        );
        const page = rows.slice(0, limit);
        return {
          data: page.map(adminRow),
          next_cursor: rows.length > limit ? page[page.length - 1]!.requestId : null,
        };
      },
    );

    admin.get<{ Querystring: ListQuery }>(
      '/admin/v1/transactions.csv',
      { ...viewer, schema: { querystring: listQuerySchema } },
      async (request, reply) => {
        const PAGE = 1000;
        // Built (and a bad filter refused) before the 200 and the first byte go out.
        const filter = ledgerFilter(operator(request), request.query, PAGE);
        // Pages of 1000 rows, one at a time: a year of rows is never held in memory.
        async function* lines(): AsyncGenerator<string> {
          yield `\uFEFF${CSV_COLUMNS.join(',')}\r\n`;
          let before = filter.before;
          for (;;) {
            const rows = await store.ledger.list({
              ...filter,
              ...(before === undefined ? {} : { before }),
            });
            // Chunks of about 16 KiB, not one per row (a hundred times fewer writes to the
            // socket) nor one per page (V8 keeps strings that large out of its young
            // generation, and memory climbed until a full collection).
            let chunk = '';
            for (const row of rows) {
              const cells = adminRow(row);
              chunk += `${CSV_COLUMNS.map((c) => csvCell(cells[c])).join(',')}\r\n`;
              if (chunk.length >= CSV_CHUNK) {
                yield chunk;
                chunk = '';
              }
            }
            if (chunk !== '') yield chunk;
            if (rows.length < PAGE) return;
            before = rows[rows.length - 1]!.requestId;
          }
        }
        reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="transactions.csv"')
          .header('cache-control', 'no-store');
        return reply.send(Readable.from(lines()));
      },
    );

    admin.get<{ Params: { request_id: string } }>(
      '/admin/v1/transactions/:request_id',
      viewer,
      async (request) => {
        const row = await visibleRow(operator(request), request.params.request_id);
        const refunds =
          row.operation === 'pay' && row.merchantTradeNo !== null
            ? await store.ledger.refundsOf(row.companyId, row.merchantTradeNo)
            : [];
        const original =
          row.originalTradeNo !== null
            ? (await store.ledger.findByTradeNo(row.companyId, row.originalTradeNo)).filter(
                (r) => r.operation === 'pay',
              )
            : [];
        return {
          ...adminRow(row),
          transaction: await deps.transactions.byRequestId(row.companyId, row.requestId),
          timeline: {
            reconciliation: await store.ledger.attempts(row.requestId),
            refunds: refunds.filter((r) => r.requestId !== row.requestId).map(adminRow),
            original: original.map(adminRow),
            audit: await directory.audit({ companyId: row.companyId, target: row.requestId }),
          },
        };
      },
    );

    admin.get<{
      Querystring: { company_id?: string; from?: string; to?: string; bucket?: Bucket };
    }>(
      '/admin/v1/stats',
      {
        ...viewer,
        schema: {
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              company_id: text(64),
              from: TIME,
              to: TIME,
              bucket: { type: 'string', enum: ['hour', 'day'] },
            },
          },
        },
      },
      async (request) => {
        const q = request.query;
        const bucket = q.bucket ?? 'day';
        const to = q.to === undefined ? Date.now() : Date.parse(q.to);
        const from =
          q.from === undefined ? to - (bucket === 'day' ? 30 : 2) * 86_400_000 : Date.parse(q.from);
        // At most 400 days, so one request cannot walk the whole ledger of many years.
        if (!(from < to) || to - from > 400 * 86_400_000) {
          throw new ValidationError('invalid_field', 'from/to 格式錯誤');
        }
        return transactionStats(store, {
          companyId: companyScope(operator(request), q.company_id),
          from,
          to,
          bucket,
        });
      },
    );

    admin.post<{ Params: { request_id: string } }>(
      '/admin/v1/transactions/:request_id/check',
      { preHandler: requireRole('operator') },
      async (request) => {
        const user = operator(request);
        const row = await visibleRow(user, request.params.request_id);
        const checked = await deps.checker.checkNow(row.requestId);
        if (!checked) {
          throw new ConflictError(
            'not_unknown',
            `transaction ${row.requestId} is ${row.state}: only an unknown outcome is checked`,
          );
        }
        const attempts = await store.ledger.attempts(row.requestId);
        const last = attempts[attempts.length - 1];
        await store.audit.append({
          ...changedBy(request),
          companyId: row.companyId,
          action: 'transaction.check',
          target: row.requestId,
          changes: {
            state_before: row.state,
            state: checked.state,
            outcome: last?.outcome ?? null,
          },
        });
        return { ...adminRow(checked), reconciliation: attempts };
      },
    );

    /** Refund or cancel a payment: the Integrate pipeline, as this user (docs/admin-api.md). */
    const paymentAction = (action: PaymentActionName) =>
      admin.post<{ Params: { request_id: string }; Body: unknown }>(
        `/admin/v1/transactions/:request_id/${action}`,
        {
          preHandler: requireRole('operator'),
        },
        async (request) => {
          const user = operator(request);
          const payment = await visibleRow(user, request.params.request_id);
          const header = request.headers['idempotency-key'];
          const amount = actionAmount(action, request.body);
          /** Every attempt that made a call is audited, an error's too. */
          const audit = async (call: TransactionRecord | undefined) => {
            if (!call) return;
            // The call's request id is this request's: a replay is not audited again.
            await store.audit.append({
              ...changedBy(request),
              companyId: payment.companyId,
              action: `transaction.${action}`,
              target: payment.requestId,
              changes: {
                amount: call.amount,
                currency: call.currency,
                state: call.state,
                error_code: call.errorCode,
              },
            });
          };
          let done;
          try {
            done = await deps.actions.run({
              action,
              payment,
              ...(amount === undefined ? {} : { amount }),
              userId: user.userId,
              requestId: String(request.id),
              ...(typeof header === 'string' ? { idempotencyKey: header } : {}),
            });
          } catch (error) {
            await audit(await store.ledger.find(String(request.id)));
            throw error;
          }
          const row = (await store.ledger.find(done.requestId))!;
          if (!done.replayed) await audit(row);
          return {
            transaction: adminRow(row),
            answer: row.rtnCode === null ? null : { code: row.rtnCode, message: row.rtnMsg },
            replayed: done.replayed,
          };
        },
      );
    paymentAction('refund');
    paymentAction('cancel');

    admin.get<{
      Querystring: {
        company_id?: string;
        action?: string;
        actor?: string;
        from?: string;
        to?: string;
        cursor?: string;
        limit?: number;
      };
    }>(
      '/admin/v1/audit',
      {
        ...viewer,
        schema: {
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              company_id: text(64),
              action: text(100),
              actor: text(200),
              from: TIME,
              to: TIME,
              cursor: CURSOR,
              limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
            },
          },
        },
      },
      async (request) => {
        const q = request.query;
        const companyId = companyScope(operator(request), q.company_id);
        const limit = q.limit ?? 100;
        // Newest first; one more than asked tells whether an older page exists.
        const entries = await directory.audit({
          ...(companyId === null ? {} : { companyId }),
          ...(q.action ? { action: q.action } : {}),
          ...(q.actor ? { actor: q.actor } : {}),
          ...(q.from === undefined ? {} : { from: instant('from', q.from) }),
          ...(q.to === undefined ? {} : { to: instant('to', q.to) }),
          ...(q.cursor === undefined ? {} : { before: q.cursor }),
          limit: limit + 1,
        });
        const page = entries.slice(0, limit);
        return {
          data: page,
          next_cursor: entries.length > limit ? page[page.length - 1]!.id : null,
        };
      },
    );

    /** A directory list of the operator's company (a platform user: any, or all). */
    const scopedList = (path: string, list: (companyId: string | null) => Promise<unknown>) =>
      admin.get<{ Querystring: { company_id?: string } }>(
        path,
        { ...viewer, schema: { querystring: companyQuerySchema } },
        async (request) => ({
          data: await list(companyScope(operator(request), request.query.company_id)),
        }),
      );
    scopedList('/admin/v1/clients', (companyId) => directory.clients(companyId ?? undefined));
    scopedList('/admin/v1/credentials', (companyId) =>
      directory.credentials(companyId ?? undefined),
    );
    scopedList('/admin/v1/companies', async (companyId) => {
      const all = await directory.companies();
      return companyId === null ? all : all.filter((c) => c.company_id === companyId);
    });
    scopedList('/admin/v1/stores', (companyId) =>
      directory.stores(companyId === null ? {} : { companyId }),
    );

    /** A client of the operator's company (any, for a platform user); else 404. */
    const companyClient = async (request: FastifyRequest, clientId: string) => {
      const user = operator(request);
      // An id that cannot have been issued is not looked up (nor is a NUL sent to PostgreSQL).
      const client = CLIENT_ID.test(clientId)
        ? await store.companies.getClient(clientId)
        : undefined;
      if (!client || !sees(user, client.companyId)) {
        throw new NotFoundError(`client ${clientId.slice(0, 64)} not found`);
      }
      return client;
    };

    admin.post<{ Body: { name?: string; company_id?: string } }>(
      '/admin/v1/clients',
      {
        preHandler: requireRole('admin'),
        schema: {
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              name: { ...text(200), minLength: 1 },
              company_id: text(64),
            },
          },
        },
      },
      async (request, reply) => {
        const body = request.body ?? {};
        const companyId = companyScope(operator(request), body.company_id);
        if (companyId === null) {
          throw new ValidationError('missing_field', 'company_id 不可為空');
        }
        if (!(await store.companies.companyExists(companyId))) {
          throw new NotFoundError(`company ${companyId.slice(0, 64)} not found`);
        }
        const created = await provisioningFor(store, request).createClient(
          companyId,
          body.name ?? null,
        );
        reply.header('cache-control', 'no-store');
        return reply.code(201).send({
          client_id: created.clientId,
          company_id: companyId,
          client_secret: created.clientSecret.reveal(),
        });
      },
    );

    admin.post<{ Params: { client_id: string } }>(
      '/admin/v1/clients/:client_id/revoke',
      admins,
      async (request) => {
        const client = await companyClient(request, request.params.client_id);
        // Revoking a revoked client changes nothing: the same answer, no second audit entry.
        if (client.revokedAt === null)
          await provisioningFor(store, request).revokeClient(client.clientId);
        return { client_id: client.clientId, revoked: true };
      },
    );

    admin.post<{ Params: { client_id: string } }>(
      '/admin/v1/clients/:client_id/rotate-secret',
      admins,
      async (request, reply) => {
        const client = await companyClient(request, request.params.client_id);
        if (client.revokedAt !== null) {
          throw new ConflictError(
            'client_revoked',
            `client ${client.clientId} is revoked: a revoked client gets no new secret`,
          );
        }
        const rotated = await provisioningFor(store, request).rotateClientSecret(client.clientId);
        reply.header('cache-control', 'no-store');
        return {
          client_id: rotated.clientId,
          client_secret: rotated.clientSecret.reveal(),
          tokens_revoked: rotated.tokensRevoked,
        };
      },
    );

    admin.get<{ Querystring: { company_id?: string } }>(
      '/admin/v1/users',
      { ...admins, schema: { querystring: companyQuerySchema } },
      async (request) => {
        const companyId = companyScope(operator(request), request.query.company_id);
        const users = await store.users.list(companyId ?? undefined);
        return {
          data: users.map((u) => ({
            ...userView(u),
            status: u.disabledAt === null ? 'active' : 'disabled',
          })),
        };
      },
    );
  });
}
