import type { FastifyBaseLogger } from 'fastify';
import { type Config } from '../config/config.js';
import { Reconciler } from '../reconcile/reconciler.js';
import { AbuseLimits } from '../limits/abuse-limits.js';
import { InProcessRateLimiter, RedisRateLimiter } from '../limits/rate-limiter.js';
import { CheckSchedule } from '../reconcile/schedule.js';
import { IntegrateService } from '../integrate/service.js';
import { ProviderRegistry } from '../providers/registry.js';
import { WALLETS } from '../providers/wallets.js';
import { ProvisioningService } from '../provisioning/service.js';
import { openStore, type Store } from '../store/index.js';
import { loadSecretBox } from './master-key.js';

/** Everything behind the HTTP layer, wired once from the configuration. */
export interface Services {
  store: Store;
  registry: ProviderRegistry;
  integrate: IntegrateService;
  provisioning: ProvisioningService;
  reconciler: Reconciler;
  limits: AbuseLimits;
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
  try {
    await store.companies.checkMasterKey();
  } catch (error) {
    await store.close();
    throw error;
  }
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
    staleAfterMs: config.pendingStaleAfterMs,
    logger,
  });
  const limits = new AbuseLimits(
    config.redisUrl ? new RedisRateLimiter(config.redisUrl) : new InProcessRateLimiter(),
    config,
  );
  return {
    store,
    registry,
    limits,
    integrate: new IntegrateService({
      store,
      registry,
      defaultIsTest: config.defaultIsTest,
      firstCheckDelayMs: schedule.firstDelayMs,
    }),
    provisioning: new ProvisioningService(store, WALLETS),
    reconciler,
    async close() {
      await reconciler.stop();
      await limits.close();
      await registry.close();
      await store.close();
    },
  };
}
