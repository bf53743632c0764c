import { Redis } from 'ioredis';

/** The verdict on one more hit of a key within its window. */
export interface RateVerdict {
  allowed: boolean;
  /** Seconds until the window ends (for `Retry-After`). */
  retryAfterSeconds: number;
}

/**
 * Fixed-window counters. In-process by default; with Redis the counters are
 * shared by every gateway instance.
 */
export interface RateLimiter {
  /** Counts a hit and tells whether it is within `limit` for the window. */
  hit(key: string, limit: number, windowMs: number): Promise<RateVerdict>;
  /** Tells whether the key may be hit again (fewer than `limit` hits so far), without counting. */
  peek(key: string, limit: number): Promise<RateVerdict>;
  close(): Promise<void>;
}

const verdict = (count: number, limit: number, msLeft: number): RateVerdict => ({
  allowed: count <= limit,
  retryAfterSeconds: Math.max(1, Math.ceil(msLeft / 1000)),
});

export class InProcessRateLimiter implements RateLimiter {
  readonly #windows = new Map<string, { count: number; endsAt: number }>();
  #sweptAt = 0;

  async hit(key: string, limit: number, windowMs: number, now = Date.now()): Promise<RateVerdict> {
    this.#sweep(now);
    let window = this.#windows.get(key);
    if (!window || window.endsAt <= now) {
      window = { count: 0, endsAt: now + windowMs };
      this.#windows.set(key, window);
    }
    window.count += 1;
    return verdict(window.count, limit, window.endsAt - now);
  }

  async peek(key: string, limit: number, now = Date.now()): Promise<RateVerdict> {
    const window = this.#windows.get(key);
    if (!window || window.endsAt <= now) return { allowed: true, retryAfterSeconds: 1 };
    return { ...verdict(window.count, limit, window.endsAt - now), allowed: window.count < limit };
  }

  async close(): Promise<void> {
    this.#windows.clear();
  }

  /** Drops ended windows now and then, so memory stays bounded. */
  #sweep(now: number): void {
    if (now - this.#sweptAt < 10_000) return;
    this.#sweptAt = now;
    for (const [key, window] of this.#windows) if (window.endsAt <= now) this.#windows.delete(key);
  }
}

/** INCR and the window's expiry in one atomic step. */
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
`;

/** The longest any call waits on Redis before it counts in-process instead. */
export const REDIS_WAIT_MS = 100;
/** After a Redis command timed out on a live connection, how long to count in-process. */
const SLOW_REDIS_BACKOFF_MS = 1_000;

/**
 * Counters shared by every instance through Redis, bounded: a command that has
 * not answered within REDIS_WAIT_MS, or any command while the connection is
 * down, counts in a per-process limiter instead. The connection reconnects by
 * itself; `onAvailabilityChange` is told once when Redis goes away and once when
 * it is back (the shared counters then resume).
 */
export class RedisRateLimiter implements RateLimiter {
  readonly #redis: Redis;
  readonly #local = new InProcessRateLimiter();
  #available = true;
  #slowUntil = 0;
  #closing = false;

  constructor(
    url: string,
    private readonly onAvailabilityChange: (available: boolean, reason?: string) => void = () =>
      undefined,
    private readonly prefix = 'omnigate:rl:',
  ) {
    this.#redis = new Redis(url, {
      lazyConnect: false,
      // Nothing waits for a connection: while it is down every command fails at once.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 1_000,
      retryStrategy: () => 500,
    });
    this.#redis.defineCommand('omnigateHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
    // Without a listener ioredis prints every connection error; the outage is reported once.
    this.#redis.on('error', (error: Error) => this.#set(false, error.message));
    this.#redis.on('close', () => this.#set(false, 'connection closed'));
    this.#redis.on('ready', () => {
      this.#slowUntil = 0;
      this.#set(true);
    });
  }

  hit(key: string, limit: number, windowMs: number): Promise<RateVerdict> {
    return this.#bounded(
      async () => {
        const run = (
          this.#redis as unknown as Record<
            string,
            (k: string, w: number) => Promise<[number, number]>
          >
        ).omnigateHit!;
        const [count, ttl] = await run.call(this.#redis, this.prefix + key, windowMs);
        return verdict(Number(count), limit, Number(ttl));
      },
      () => this.#local.hit(key, limit, windowMs),
    );
  }

  peek(key: string, limit: number): Promise<RateVerdict> {
    return this.#bounded(
      async () => {
        const [count, ttl] = await Promise.all([
          this.#redis.get(this.prefix + key),
          this.#redis.pttl(this.prefix + key),
        ]);
        if (count === null || ttl < 0) return { allowed: true, retryAfterSeconds: 1 };
        return { ...verdict(Number(count), limit, ttl), allowed: Number(count) < limit };
      },
      () => this.#local.peek(key, limit),
    );
  }

  /** Resolves once connected, or after `timeoutMs` (then the per-process counters serve). */
  async connected(timeoutMs: number): Promise<boolean> {
    if (this.#redis.status === 'ready') return true;
    let timer: NodeJS.Timeout | undefined;
    let onReady: (() => void) | undefined;
    const ready = await Promise.race([
      new Promise<boolean>((resolve) => {
        onReady = () => resolve(true);
        this.#redis.once('ready', onReady);
      }),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (onReady) this.#redis.off('ready', onReady);
    return ready;
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.#local.close();
    try {
      await this.#redis.quit();
    } catch {
      this.#redis.disconnect();
    }
  }

  /** Redis within REDIS_WAIT_MS, else the per-process counters. */
  async #bounded(
    shared: () => Promise<RateVerdict>,
    local: () => Promise<RateVerdict>,
  ): Promise<RateVerdict> {
    if (this.#redis.status !== 'ready' || Date.now() < this.#slowUntil) return local();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), REDIS_WAIT_MS);
    });
    try {
      const answer = await Promise.race([shared(), late]);
      if (answer !== 'late') {
        this.#set(true);
        return answer;
      }
      // A live connection that does not answer (a stalled server): back off for a while.
      this.#slowUntil = Date.now() + SLOW_REDIS_BACKOFF_MS;
      this.#set(false, `no answer within ${REDIS_WAIT_MS} ms`);
    } catch (error) {
      this.#set(false, (error as Error).message);
    } finally {
      clearTimeout(timer);
    }
    return local();
  }

  #set(available: boolean, reason?: string): void {
    if (this.#closing || available === this.#available) return;
    this.#available = available;
    this.onAvailabilityChange(available, reason);
  }
}
