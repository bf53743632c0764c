import { resolve } from 'node:path';
import { parseDuration } from '../core/duration.js';

/** Everything the deployment can set, read once from the environment. */
export interface Config {
  production: boolean;
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string;
  /** PostgreSQL connections per process. */
  databasePoolSize: number;
  /** base64 of 32 bytes; when absent, a development start keeps one under dataDir. */
  masterKey: string | undefined;
  defaultIsTest: boolean;
  /** The environment the configuration was read from: each wallet reads its own settings (base URLs). */
  env: Readonly<Env>;
  sandbox: boolean;
  sandboxPort: number;
  tokenTtlSeconds: number;
  upstreamTimeoutMs: number;
  /** Delays between checks of an unknown call; the last repeats until reconcileMaxAgeMs. */
  reconcileScheduleMs: number[];
  reconcileMaxAgeMs: number;
  reconcileIntervalMs: number;
  /** Before this age, "order not found" does not prove that a call never arrived upstream. */
  reconcileSafeWaitMs: number;
  /** How long in-flight calls may finish after SIGTERM before they are left `unknown`. */
  shutdownGraceMs: number;
  /** A `pending` row older than this belongs to a dead process (several instances). */
  pendingStaleAfterMs: number;
  logLevel: string;
  /**
   * Proxies whose X-Forwarded-For is believed (addresses or CIDRs); empty: the
   * client address is the socket's.
   */
  trustProxy: string[];
  /** Shared rate-limit counters; in-process counters when absent. */
  redisUrl: string | undefined;
  /** Failed token requests allowed per client id, and per source address, per 15 minutes. */
  tokenFailuresPerClient: number;
  tokenFailuresPerAddress: number;
  /** API calls per client per minute; 0: no limit. */
  callsPerMinute: number;
  /** The wait before each webhook attempt: the first after the event, each next after a failure. */
  webhookScheduleMs: number[];
  /** Webhooks may go to loopback, private, link-local and CGNAT addresses (development). */
  webhookAllowPrivate: boolean;
  /** How often each process looks for due webhook deliveries. */
  webhookIntervalMs: number;
  /** A webhook attempt without a whole answer by then has failed. */
  webhookTimeoutMs: number;
  /** Console sessions end after this long without a call, and this long after login whatever. */
  sessionIdleMs: number;
  sessionMaxAgeMs: number;
  /** Failed console logins allowed per account, and per source address, per 15 minutes. */
  loginFailuresPerAccount: number;
  loginFailuresPerAddress: number;
  /** The Prometheus listener's port; undefined: no metrics listener. */
  metricsPort: number | undefined;
  metricsHost: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export type Env = Record<string, string | undefined>;

/** A whole-number setting within [min, max]; `fallback` when unset. */
export function integer(
  env: Env,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}`);
  }
  return Number(raw);
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['true', 'on', '1', 'yes'].includes(raw)) return true;
  if (['false', 'off', '0', 'no'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true/false (or on/off)`);
}

/** An http(s) URL setting without its trailing slashes; undefined when unset. */
export function url(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ConfigError(`${name} must be an http(s) URL`);
  }
  return raw.replace(/\/+$/, '');
}

function durations(env: Env, name: string, fallback: string): number[] {
  const raw = env[name] || fallback;
  const values = raw.split(',').map((part) => parseDuration(part));
  if (values.some((v) => v === null || v === 0)) {
    throw new ConfigError(`${name} must be durations like 5s,15s,1m,5m,30m,1h`);
  }
  return values as number[];
}

/** A webhook schedule: durations, the first of which may be 0s (at once). */
function webhookSchedule(env: Env, name: string, fallback: string): number[] {
  const raw = env[name] || fallback;
  const values = raw.split(',').map((part) => parseDuration(part));
  if (values.some((v, i) => v === null || (i > 0 && v === 0)) || values.length > 50) {
    throw new ConfigError(`${name} must be durations like 0s,5s,5m,30m,2h,5h,10h,10h`);
  }
  return values as number[];
}

export function loadConfig(env: Env = process.env): Config {
  const production = env.NODE_ENV === 'production';
  const dataDir = resolve(env.OMNIGATE_DATA_DIR ?? 'data');
  const logLevel = env.OMNIGATE_LOG_LEVEL ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError(
      'OMNIGATE_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    );
  }
  const upstreamTimeoutMs = integer(env, 'OMNIGATE_UPSTREAM_TIMEOUT_MS', 10000, 100, 120_000);
  const shutdownGraceMs = integer(env, 'OMNIGATE_SHUTDOWN_GRACE_MS', 15000, 0, 600_000);
  return {
    production,
    port: integer(env, 'OMNIGATE_PORT', 3000, 0, 65535),
    host: env.OMNIGATE_HOST || '127.0.0.1',
    dataDir,
    databaseUrl: env.OMNIGATE_DATABASE_URL || resolve(dataDir, 'omnigate.sqlite'),
    databasePoolSize: integer(env, 'OMNIGATE_DATABASE_POOL_SIZE', 10, 1, 1000),
    masterKey: env.OMNIGATE_MASTER_KEY || undefined,
    defaultIsTest: boolean(env, 'OMNIGATE_DEFAULT_IS_TEST', !production),
    env: { ...env },
    sandbox: boolean(env, 'OMNIGATE_SANDBOX', !production),
    sandboxPort: integer(env, 'OMNIGATE_SANDBOX_PORT', 4000, 0, 65535),
    tokenTtlSeconds: integer(env, 'OMNIGATE_TOKEN_TTL_SECONDS', 86400, 60, 31_536_000),
    upstreamTimeoutMs,
    reconcileScheduleMs: durations(env, 'OMNIGATE_RECONCILE_SCHEDULE', '5s,15s,1m,5m,30m,1h'),
    reconcileMaxAgeMs: durations(env, 'OMNIGATE_RECONCILE_MAX_AGE', '24h')[0]!,
    reconcileIntervalMs: integer(env, 'OMNIGATE_RECONCILE_INTERVAL_MS', 1000, 10, 600_000),
    // A call upstream has not seen after several time-outs' worth of waiting never arrived.
    reconcileSafeWaitMs: env.OMNIGATE_RECONCILE_SAFE_WAIT
      ? durations(env, 'OMNIGATE_RECONCILE_SAFE_WAIT', '')[0]!
      : Math.max(60_000, upstreamTimeoutMs * 3),
    shutdownGraceMs,
    // A live process completes or abandons a call within the time-out plus the shutdown grace.
    pendingStaleAfterMs: integer(
      env,
      'OMNIGATE_PENDING_STALE_AFTER_MS',
      upstreamTimeoutMs + shutdownGraceMs + 10_000,
      upstreamTimeoutMs + 1000,
      86_400_000,
    ),
    redisUrl: env.OMNIGATE_REDIS_URL || undefined,
    trustProxy: (env.OMNIGATE_TRUST_PROXY ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean),
    tokenFailuresPerClient: integer(env, 'OMNIGATE_TOKEN_FAILURES_PER_CLIENT', 10, 1, 1_000_000),
    tokenFailuresPerAddress: integer(env, 'OMNIGATE_TOKEN_FAILURES_PER_ADDRESS', 50, 1, 1_000_000),
    callsPerMinute: integer(env, 'OMNIGATE_RATE_LIMIT_PER_MINUTE', 3000, 0, 100_000_000),
    sessionIdleMs: durations(env, 'OMNIGATE_SESSION_IDLE', '30m')[0]!,
    sessionMaxAgeMs: durations(env, 'OMNIGATE_SESSION_MAX_AGE', '12h')[0]!,
    loginFailuresPerAccount: integer(env, 'OMNIGATE_LOGIN_FAILURES_PER_ACCOUNT', 5, 1, 1_000_000),
    loginFailuresPerAddress: integer(env, 'OMNIGATE_LOGIN_FAILURES_PER_ADDRESS', 50, 1, 1_000_000),
    metricsPort:
      env.OMNIGATE_METRICS_PORT === undefined || env.OMNIGATE_METRICS_PORT === ''
        ? undefined
        : integer(env, 'OMNIGATE_METRICS_PORT', 0, 0, 65535),
    metricsHost: env.OMNIGATE_METRICS_HOST || '127.0.0.1',
    logLevel,
    webhookScheduleMs: webhookSchedule(
      env,
      'OMNIGATE_WEBHOOK_SCHEDULE',
      '0s,5s,5m,30m,2h,5h,10h,10h',
    ),
    webhookAllowPrivate: boolean(env, 'OMNIGATE_WEBHOOK_ALLOW_PRIVATE', !production),
    webhookIntervalMs: integer(env, 'OMNIGATE_WEBHOOK_INTERVAL_MS', 1000, 10, 600_000),
    webhookTimeoutMs: integer(env, 'OMNIGATE_WEBHOOK_TIMEOUT_MS', 10_000, 100, 60_000),
  };
}
