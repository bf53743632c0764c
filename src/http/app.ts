import swagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { levels } from 'pino';
import { newRequestId } from '../core/ids.js';
import type { IntegrateService } from '../integrate/service.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { Store } from '../store/index.js';
import type { AbuseLimits } from '../limits/abuse-limits.js';
import type { GatewayMetrics } from '../metrics/metrics.js';
import { bearerAuth } from './auth.js';
import { OperatorActions } from '../admin/actions.js';
import { type AdminDeps, adminRoutes } from '../admin/routes.js';
import type { SessionSettings } from '../admin/session.js';
import { type RouterOptions, frameworkError, installErrorHandling } from './errors.js';
import { consoleRoutes, defaultConsoleDir } from './routes/console.js';
import { docsRoutes } from './routes/docs.js';
import { healthRoutes } from './routes/health.js';
import { integrateRoutes } from './routes/integrate.js';
import { transactionRoutes } from './routes/transactions.js';
import { IdempotencyGuard } from '../idempotency/guard.js';
import { TransactionQueries } from '../integrate/transactions.js';
import { oauthRoutes } from './routes/oauth.js';
import { requestLogger } from './request-logger.js';

export interface AppDeps {
  store: Store;
  registry: ProviderRegistry;
  service: IntegrateService;
  tokenTtlSeconds: number;
  limits: AbuseLimits;
  /** Proxies whose X-Forwarded-For names the client (addresses or CIDRs). */
  trustProxy?: string[];
  logger: FastifyBaseLogger;
  /** Console sessions (the admin API). */
  session: SessionSettings;
  /** The admin API's "check now". */
  checker: AdminDeps['checker'];
  /** Where webhook endpoints created through the admin API may point. */
  webhookPolicy: AdminDeps['webhookPolicy'];
  /** Counts every answer by route and status (the metrics listener). */
  metrics?: Pick<GatewayMetrics, 'httpRequest'> | undefined;
  /** The built console (default: dist/console, see defaultConsoleDir). */
  consoleDir?: string;
}

export const BODY_LIMIT = 64 * 1024;
/** Fastify's router options; the 405 check routes with the same ones. */
const ROUTER_OPTIONS: RouterOptions = { maxParamLength: 200 };

/** The gateway's HTTP face: routes, the auth hook, the error mapper. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: BODY_LIMIT,
    // Only the listed proxies may name the client address (the token endpoint's per-address limit).
    trustProxy: deps.trustProxy && deps.trustProxy.length > 0 ? deps.trustProxy : false,
    genReqId: () => newRequestId(),
    requestIdHeader: false,
    // One line per request from our own onResponse hook; no request bodies, no headers.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    frameworkErrors: frameworkError,
    routerOptions: ROUTER_OPTIONS,
    // A request must arrive whole within a minute (a trickled body holds a socket, and its
    // ledger row must be written close to its request id's time: the admin time filters).
    requestTimeout: 60_000,
    // A field the schema does not know is refused (400), never silently dropped.
    ajv: { customOptions: { removeAdditional: false } },
  });
  app.setChildLoggerFactory((logger, bindings, options) =>
    requestLogger(logger, bindings, options),
  );
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  // The level is fixed for the process's life: decide once whether request lines are written.
  const logsRequests = (levels.values[deps.logger.level] ?? Infinity) <= levels.values.info!;
  const metrics = deps.metrics;
  app.addHook('onResponse', (request, reply, done) => {
    // The route pattern, never the raw path: one series per route, however many ids are asked.
    metrics?.httpRequest(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    if (logsRequests) {
      request.log.info(
        {
          method: request.method,
          path: request.url.split('?')[0],
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 10) / 10,
        },
        'request',
      );
    }
    done();
  });
  installErrorHandling(app, ROUTER_OPTIONS);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'omnigate Integrate API and admin API',
        version: '1',
        description: `Payment integration gateway: ${deps.registry.types().join(', ')} behind one REST API.`,
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'omnigate_session' },
        },
      },
    },
  });

  await app.register(healthRoutes, { isReady: () => deps.store.isReady() });
  await app.register(docsRoutes);
  await app.register(consoleRoutes, { dir: deps.consoleDir ?? defaultConsoleDir() });
  await app.register(oauthRoutes, {
    limits: deps.limits,
    companies: deps.store.companies,
    tokens: deps.store.tokens,
    tokenTtlSeconds: deps.tokenTtlSeconds,
  });
  const transactions = new TransactionQueries(deps.store, deps.registry);
  await app.register(adminRoutes, {
    store: deps.store,
    limits: deps.limits,
    transactions,
    session: deps.session,
    checker: deps.checker,
    webhookPolicy: deps.webhookPolicy,
    actions: new OperatorActions({
      registry: deps.registry,
      service: deps.service,
      idempotency: new IdempotencyGuard(deps.store),
    }),
  });
  await app.register(async (v1) => {
    v1.addHook('onRequest', bearerAuth(deps.store.tokens, deps.limits));
    await v1.register(integrateRoutes, {
      service: deps.service,
      registry: deps.registry,
      idempotency: new IdempotencyGuard(deps.store),
      transactions,
    });
    await v1.register(transactionRoutes, {
      transactions,
      tradeNoFields: deps.registry.tradeNoFields(),
    });
  });
  return app;
}
