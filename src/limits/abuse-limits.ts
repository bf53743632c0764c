import { isIPv6 } from 'node:net';
import type { RateLimiter, RateVerdict } from './rate-limiter.js';

const TOKEN_WINDOW_MS = 15 * 60 * 1000;
const CALL_WINDOW_MS = 60 * 1000;

export interface AbuseLimitOptions {
  tokenFailuresPerClient: number;
  tokenFailuresPerAddress: number;
  /** 0: no limit. */
  callsPerMinute: number;
  loginFailuresPerAccount: number;
  loginFailuresPerAddress: number;
}

/** Which limit refused a request. */
export type LimitKind = 'token_attempts' | 'calls' | 'login_attempts';

/** Told of every refusal (metrics); must not throw. */
export interface RateLimitObserver {
  refused(limit: LimitKind): void;
}

/** The gateway's abuse limits, over in-process or Redis counters. */
export class AbuseLimits {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly options: AbuseLimitOptions,
    private readonly observer?: RateLimitObserver,
  ) {}

  /** Before checking a client secret: refused while either counter of failures is full. */
  async tokenAttemptAllowed(clientId: string, address: string): Promise<RateVerdict> {
    address = addressGroup(address);
    const [byClient, byAddress] = await Promise.all([
      this.limiter.peek(`token:client:${clientId}`, this.options.tokenFailuresPerClient),
      this.limiter.peek(`token:addr:${address}`, this.options.tokenFailuresPerAddress),
    ]);
    const verdict = byClient.allowed ? byAddress : byClient;
    if (!verdict.allowed) this.observer?.refused('token_attempts');
    return verdict;
  }

  async tokenFailed(clientId: string, address: string): Promise<void> {
    address = addressGroup(address);
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

  /** Before checking a console password: refused while either counter of failures is full. */
  async loginAttemptAllowed(email: string, address: string): Promise<RateVerdict> {
    address = addressGroup(address);
    const [byAccount, byAddress] = await Promise.all([
      this.limiter.peek(`login:user:${email}`, this.options.loginFailuresPerAccount),
      this.limiter.peek(`login:addr:${address}`, this.options.loginFailuresPerAddress),
    ]);
    const verdict = byAccount.allowed ? byAddress : byAccount;
    if (!verdict.allowed) this.observer?.refused('login_attempts');
    return verdict;
  }

  async loginFailed(email: string, address: string): Promise<void> {
    address = addressGroup(address);
    await Promise.all([
      this.limiter.hit(
        `login:user:${email}`,
        this.options.loginFailuresPerAccount,
        TOKEN_WINDOW_MS,
      ),
      this.limiter.hit(
        `login:addr:${address}`,
        this.options.loginFailuresPerAddress,
        TOKEN_WINDOW_MS,
      ),
    ]);
  }

  /** One API call by an authenticated client. */
  async call(clientId: string): Promise<RateVerdict> {
    if (this.options.callsPerMinute === 0) return { allowed: true, retryAfterSeconds: 1 };
    const verdict = await this.limiter.hit(
      `calls:${clientId}`,
      this.options.callsPerMinute,
      CALL_WINDOW_MS,
    );
    if (!verdict.allowed) this.observer?.refused('calls');
    return verdict;
  }

  close(): Promise<void> {
    return this.limiter.close();
  }
}

/**
 * The unit of the per-address limit: an IPv4 address, or an IPv6 address's /64
 * (one host usually holds a whole /64, so single IPv6 addresses would give it an
 * unlimited supply). IPv4-mapped IPv6 addresses count as their IPv4 address.
 */
export function addressGroup(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  const zoned = address.split('%')[0]!;
  if (!isIPv6(zoned)) return address;
  // An embedded IPv4 tail (::1.2.3.4) is two groups.
  const bare = zoned.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a, b, c, d) =>
    [(Number(a) << 8) | Number(b), (Number(c) << 8) | Number(d)]
      .map((n) => n.toString(16))
      .join(':'),
  );
  const [head = '', tail = ''] = bare.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = bare.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const groups = bare.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
