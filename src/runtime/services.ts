import type { FastifyBaseLogger } from 'fastify';
import { type Config } from '../config/config.js';
import type { AddressPolicy } from '../webhooks/address.js';
import { Reconciler } from '../reconcile/reconciler.js';
import { AbuseLimits } from '../limits/abuse-limits.js';
import { InProcessRateLimiter, RedisRateLimiter } from '../limits/rate-limiter.js';
import { CheckSchedule } from '../reconcile/schedule.js';
import { IntegrateService } from '../integrate/service.js';
import { ProviderRegistry } from '../providers/registry.js';
import { WALLETS } from '../providers/wallets.js';
import { ProvisioningService } from '../provisioning/service.js';
import { openStore, type Store } from '../store/index.js';
import { TransactionQueries } from '../integrate/transactions.js';
import { WebhookWorker } from '../webhooks/worker.js';
import { GatewayMetrics } from '../metrics/metrics.js';
import { loadSecretBox } from './master-key.js';

/** How long a start waits for Redis before it counts in-process (the connection keeps trying). */
const REDIS_START_WAIT_MS = 2_000;

/** Everything behind the HTTP layer, wired once from the configuration. */
export interface Services {
  store: Store;
  registry: ProviderRegistry;
  integrate: IntegrateService;
  provisioning: ProvisioningService;
  reconciler: Reconciler;
  /** Delivers the webhook outbox (started with the HTTP server). */
  webhooks: WebhookWorker;
  limits: AbuseLimits;
  /** Present when the metrics listener is configured (OMNIGATE_METRICS_PORT). */
  metrics: GatewayMetrics | undefined;
  close(): Promise<void>;
}

export async function openServices(
  config: Config,
  sandboxUrl: string | undefined,
  logger: FastifyBaseLogger,
): Promise<Services> {
  const store = await openStore(config.databaseUrl, loadSecretBox(config), {
    poolSize: config.databasePoolSize,
    backgroundCheckpoints: true,
    onBackgroundError: (error) =>
      logger.warn(
        { err: { message: error.message } },
        'WAL checkpoint worker failed; SQLite checkpoints in the request path again',
      ),
  });
  store.onAvailabilityChange((available) => {
    if (available) logger.info('database available again');
    else logger.warn('database unavailable: calls are answered 503 database_unavailable');
  });
  try {
    await store.companies.checkMasterKey();
  } catch (error) {
    await store.close();
    throw error;
  }
  const metrics = config.metricsPort === undefined ? undefined : new GatewayMetrics();
  metrics?.readLedgerFrom(store.ledger);
  const schedule = new CheckSchedule(config.reconcileScheduleMs, config.reconcileMaxAgeMs);
  const registry = new ProviderRegistry(
    WALLETS.map((wallet) => wallet.create({ config, sandboxUrl })),
  );
  const reconciler = new Reconciler({
    store,
    registry,
    schedule,
    intervalMs: config.reconcileIntervalMs,
    safeWaitMs: config.reconcileSafeWaitMs,
    // By default never before the slowest wallet's calls can have ended (each wallet's
    // longestCallMs); OMNIGATE_PENDING_STALE_AFTER_MS, when set, is taken as it is.
    staleAfterMs: config.env.OMNIGATE_PENDING_STALE_AFTER_MS
      ? config.pendingStaleAfterMs
      : Math.max(
          config.pendingStaleAfterMs,
          ...registry.types().map((t) => registry.get(t)!.longestCallMs + 10_000),
        ),
    logger,
    observer: metrics,
  });
  const webhooks = new WebhookWorker({
    store,
    transactions: new TransactionQueries(store, registry),
    scheduleMs: config.webhookScheduleMs,
    intervalMs: config.webhookIntervalMs,
    timeoutMs: config.webhookTimeoutMs,
    policy: webhookPolicy(config),
    logger,
  });
  const redis = config.redisUrl
    ? new RedisRateLimiter(config.redisUrl, (available, reason) => {
        if (available) logger.info('Redis available again: rate limits use the shared counters');
        else logger.warn({ reason }, 'Redis unavailable: rate limits use per-process counters');
      })
    : undefined;
  // Start on the shared counters when Redis is there; never wait long for it (an
  // unreachable Redis has already been reported by the connection's first error).
  await redis?.connected(REDIS_START_WAIT_MS);
  const limits = new AbuseLimits(redis ?? new InProcessRateLimiter(), config, metrics);
  return {
    store,
    registry,
    limits,
    metrics,
    integrate: new IntegrateService({
      store,
      registry,
      defaultIsTest: config.defaultIsTest,
      firstCheckDelayMs: schedule.firstDelayMs,
      observer: metrics,
    }),
    provisioning: new ProvisioningService(store, WALLETS),
    reconciler,
    webhooks,
    async close() {
      await reconciler.stop();
      await webhooks.stop();
      await limits.close();
      await registry.close();
      await store.close();
    },
  };
}

/** Where webhooks may go: https only in production; private addresses per the setting. */
export function webhookPolicy(config: Config): AddressPolicy {
  return { httpsOnly: config.production, allowPrivate: config.webhookAllowPrivate };
}
