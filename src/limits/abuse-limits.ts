import type { RateLimiter, RateVerdict } from './rate-limiter.js';

const TOKEN_WINDOW_MS = 15 * 60 * 1000;
const CALL_WINDOW_MS = 60 * 1000;

export interface AbuseLimitOptions {
  tokenFailuresPerClient: number;
  tokenFailuresPerAddress: number;
  /** 0: no limit. */
  callsPerMinute: number;
}

/** The gateway's abuse limits, over in-process or Redis counters. */
export class AbuseLimits {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly options: AbuseLimitOptions,
  ) {}

  /** Before checking a client secret: refused while either counter of failures is full. */
  async tokenAttemptAllowed(clientId: string, address: string): Promise<RateVerdict> {
    const [byClient, byAddress] = await Promise.all([
      this.limiter.peek(`token:client:${clientId}`, this.options.tokenFailuresPerClient),
      this.limiter.peek(`token:addr:${address}`, this.options.tokenFailuresPerAddress),
    ]);
    if (!byClient.allowed) return byClient;
    return byAddress;
  }

  async tokenFailed(clientId: string, address: string): Promise<void> {
    await Promise.all([
      this.limiter.hit(
        `token:client:${clientId}`,
        this.options.tokenFailuresPerClient,
        TOKEN_WINDOW_MS,
      ),
      this.limiter.hit(
        `token:addr:${address}`,
        this.options.tokenFailuresPerAddress,
        TOKEN_WINDOW_MS,
      ),
    ]);
  }

  /** One API call by an authenticated client. */
  async call(clientId: string): Promise<RateVerdict> {
    if (this.options.callsPerMinute === 0) return { allowed: true, retryAfterSeconds: 1 };
    return this.limiter.hit(`calls:${clientId}`, this.options.callsPerMinute, CALL_WINDOW_MS);
  }

  close(): Promise<void> {
    return this.limiter.close();
  }
}
