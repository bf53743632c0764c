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

export class RedisRateLimiter implements RateLimiter {
  readonly #redis: Redis;

  constructor(
    url: string,
    private readonly prefix = 'omnigate:rl:',
  ) {
    this.#redis = new Redis(url, {
      lazyConnect: false,
      maxRetriesPerRequest: 2,
      enableOfflineQueue: true,
    });
    this.#redis.defineCommand('omnigateHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
  }

  async hit(key: string, limit: number, windowMs: number): Promise<RateVerdict> {
    const run = (
      this.#redis as unknown as Record<string, (k: string, w: number) => Promise<[number, number]>>
    ).omnigateHit!;
    const [count, ttl] = await run.call(this.#redis, this.prefix + key, windowMs);
    return verdict(Number(count), limit, Number(ttl));
  }

  async peek(key: string, limit: number): Promise<RateVerdict> {
    const [count, ttl] = await Promise.all([
      this.#redis.get(this.prefix + key),
      this.#redis.pttl(this.prefix + key),
    ]);
    if (count === null || ttl < 0) return { allowed: true, retryAfterSeconds: 1 };
    return { ...verdict(Number(count), limit, ttl), allowed: Number(count) < limit };
  }

  async close(): Promise<void> {
    await this.#redis.quit();
  }
}
