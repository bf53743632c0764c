import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import { join } from 'node:path';
import type { Config } from '../config/config.js';
import { WALLETS } from '../providers/wallets.js';
import { createLogger } from '../core/logger.js';
import { buildApp } from '../http/app.js';
import { type SandboxHandle, startSandbox } from '../sandbox/index.js';
import { DEMO_COMPANY, provisionDemo } from './demo.js';
import { openServices, type Services, webhookPolicy } from './services.js';
import { startMetricsListener, type MetricsListener } from '../metrics/server.js';

export interface GatewayHandle {
  url: string;
  sandbox: SandboxHandle | undefined;
  services: Services;
  app: FastifyInstance;
  /** `http://host:port/metrics` when OMNIGATE_METRICS_PORT is set. */
  metricsUrl: string | null;
  /** The copy-pasteable demo, when this start provisioned it. */
  demo: string | null;
  close(): Promise<void>;
}

/**
 * `omnigate serve`: migrate, start the embedded sandbox (development), wire the
 * services, listen, and on an empty development database provision the demo.
 */
export interface GatewayOptions {
  /** Provision the demo on an empty development database (default true). */
  demo?: boolean;
  /** Where log lines go (default stdout). */
  logStream?: DestinationStream;
}

export async function startGateway(
  config: Config,
  options: GatewayOptions = {},
): Promise<GatewayHandle> {
  const logger = createLogger(
    config.logLevel,
    options.logStream,
    WALLETS.flatMap((w) => w.credentials.logRedacted),
  );
  const sandbox = config.sandbox
    ? await startSandbox({
        port: config.sandboxPort,
        host: '127.0.0.1',
        dbPath: join(config.dataDir, 'sandbox.sqlite'),
      })
    : undefined;
  let services: Services | undefined;
  let metricsListener: MetricsListener | undefined;
  try {
    services = await openServices(config, sandbox?.url, logger);
    // A SQLite database has one gateway: every pending row left behind is a dead process's.
    if (services.store.dialect === 'sqlite') {
      const recovered = await services.store.ledger.recoverPending({ staleBefore: Date.now() + 1 });
      if (recovered > 0)
        logger.warn({ recovered }, 'pending calls of a previous process are now unknown');
    }
    const app = await buildApp({
      store: services.store,
      registry: services.registry,
      service: services.integrate,
      tokenTtlSeconds: config.tokenTtlSeconds,
      limits: services.limits,
      trustProxy: config.trustProxy,
      logger,
      metrics: services.metrics,
      session: {
        idleMs: config.sessionIdleMs,
        maxAgeMs: config.sessionMaxAgeMs,
        secure: config.production,
      },
      checker: services.reconciler,
      webhookPolicy: webhookPolicy(config),
    });
    if (services.metrics && config.metricsPort !== undefined) {
      metricsListener = await startMetricsListener(
        services.metrics,
        config.metricsPort,
        config.metricsHost,
      );
    }
    await app.listen({ port: config.port, host: config.host });
    services.reconciler.start();
    services.webhooks.start();
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const demo =
      sandbox && !config.production && options.demo !== false
        ? await provisionDemo(services.store, services.provisioning, WALLETS, sandbox.url, url)
        : null;
    logger.info(
      {
        url,
        sandbox: sandbox?.url ?? null,
        metrics: metricsListener?.url ?? null,
        database: services.store.dialect,
        production: config.production,
      },
      'omnigate listening',
    );
    const opened = services;
    const listener = metricsListener;
    return {
      url,
      sandbox,
      services: opened,
      app,
      metricsUrl: listener?.url ?? null,
      demo,
      async close() {
        await shutDown(app, opened, config.shutdownGraceMs, logger);
        await listener?.close();
        await sandbox?.close();
      },
    };
  } catch (error) {
    await metricsListener?.close();
    await services?.close();
    await sandbox?.close();
    throw error;
  }
}

/**
 * Graceful shutdown: stop accepting, let in-flight calls finish up to the grace
 * period, then leave whatever is still in flight `unknown` for the reconciler.
 */
async function shutDown(
  app: FastifyInstance,
  services: Services,
  graceMs: number,
  logger: FastifyBaseLogger,
): Promise<void> {
  await services.reconciler.stop();
  await services.webhooks.stop();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), graceMs);
  });
  // A keep-alive connection whose call finishes after close() began turns idle
  // and would hold close() open until the deadline: drop idle ones as they appear.
  const idle = setInterval(() => app.server.closeIdleConnections(), 50);
  const finished = await Promise.race([app.close().then(() => true as const), deadline]);
  clearInterval(idle);
  clearTimeout(timer);
  if (!finished) {
    app.server.closeAllConnections();
    const left = await services.store.ledger.recoverPending({ staleBefore: 0, ownToo: true });
    logger.warn({ left }, 'shutdown deadline: in-flight calls left unknown for reconciliation');
  }
  await services.close();
}

export { DEMO_COMPANY };
