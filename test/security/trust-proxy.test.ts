import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../gateway/helpers.js';

/** OMNIGATE_TRUST_PROXY: which proxies may name the client address for the per-address limit. */
describe('client address behind a trusted proxy', () => {
  let trusting: TestGateway;
  let plain: TestGateway;
  const limits = {
    OMNIGATE_TOKEN_FAILURES_PER_ADDRESS: '2',
    OMNIGATE_TOKEN_FAILURES_PER_CLIENT: '100',
  };

  beforeAll(async () => {
    trusting = await startTestGateway({ ...limits, OMNIGATE_TRUST_PROXY: '127.0.0.1' });
    plain = await startTestGateway(limits);
  });

  afterAll(async () => {
    await trusting.close();
    await plain.close();
  });

  /** A failed token request (unknown client) that a proxy says came from `address`. */
  const fail = async (t: TestGateway, address: string, n: number): Promise<number> => {
    const res = await fetch(`${t.url}/oauth/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': address },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: `ogc_nosuch${n}`,
        client_secret: 'wrong',
      }),
    });
    await res.text();
    return res.status;
  };

  it('counts failures per forwarded address when the proxy is trusted', async () => {
    expect(await fail(trusting, '198.51.100.7', 1)).toBe(401);
    expect(await fail(trusting, '198.51.100.7', 2)).toBe(401);
    expect(await fail(trusting, '198.51.100.7', 3)).toBe(429);
    // Another client behind the same proxy is not locked out.
    expect(await fail(trusting, '198.51.100.8', 4)).toBe(401);
  });

  it('counts IPv6 addresses by their /64: one host cannot rotate through its own prefix', async () => {
    expect(await fail(trusting, '2001:db8:1:2::1', 5)).toBe(401);
    expect(await fail(trusting, '2001:db8:1:2:aaaa:bbbb:cccc:dddd', 6)).toBe(401);
    expect(await fail(trusting, '2001:0DB8:0001:0002::ffff', 7)).toBe(429);
    // The neighbouring /64 is someone else.
    expect(await fail(trusting, '2001:db8:1:3::1', 8)).toBe(401);
  });

  it('ignores X-Forwarded-For from an untrusted peer: the socket address counts', async () => {
    expect(await fail(plain, '198.51.100.7', 1)).toBe(401);
    expect(await fail(plain, '198.51.100.8', 2)).toBe(401);
    expect(await fail(plain, '198.51.100.9', 3)).toBe(429);
  });
});
