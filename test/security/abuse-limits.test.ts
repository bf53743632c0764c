import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  issueToken,
  newCompany,
  startTestGateway,
  type TestCompany,
  type TestGateway,
} from '../gateway/helpers.js';
import { type RawAnswer, newDatabase, send, startGatewayOn } from './helpers.js';

const REDIS_URL = process.env.OMNIGATE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const tokenRequest = (url: string, clientId: string, secret: string): Promise<RawAnswer> =>
  send(
    url,
    'POST',
    '/oauth/v1/token',
    { 'content-type': 'application/x-www-form-urlencoded' },
    new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: secret,
    }).toString(),
  );

const wrongSecret = (): string => `ogs_${randomBytes(32).toString('base64url')}`;
const unknownClient = (): string => `ogc_${randomBytes(12).toString('base64url')}`;

/** An authenticated call that costs nothing upstream: a transaction that does not exist (404). */
const probe = (url: string, token: string): Promise<RawAnswer> =>
  send(url, 'GET', `/v1/payment/transactions/${randomBytes(8).toString('hex')}`, {
    authorization: `Bearer ${token}`,
  });

function expectTokenLimited(res: RawAnswer): void {
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(15 * 60);
  expect(res.headers['cache-control']).toBe('no-store');
  const body = res.json as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['error', 'error_description', 'request_id']);
  expect(body.error).toBe('too_many_requests');
  expect(body).not.toHaveProperty('access_token');
}

function expectCallLimited(res: RawAnswer): void {
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);
  const body = res.json as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['code', 'message', 'request_id']);
  expect(body.code).toBe('rate_limited');
  expect(body.request_id).toBe(res.headers['x-request-id']);
  expect(String(body.message)).not.toBe('');
}

describe('token endpoint: failed attempts per client id', () => {
  let t: TestGateway;
  let victim: TestCompany;
  let bystander: TestCompany;

  beforeAll(async () => {
    t = await startTestGateway({
      OMNIGATE_TOKEN_FAILURES_PER_CLIENT: '3',
      OMNIGATE_TOKEN_FAILURES_PER_ADDRESS: '1000',
    });
    victim = await newCompany(t, 'victim');
    bystander = await newCompany(t, 'bystander');
  });

  afterAll(async () => {
    await t?.close();
  });

  it('after 3 failures the 4th attempt is 429 with Retry-After, even with the right secret', async () => {
    for (let i = 0; i < 3; i += 1) {
      const res = await tokenRequest(t.url, victim.clientId, wrongSecret());
      expect(res.status).toBe(401);
      expect((res.json as Record<string, unknown>).error).toBe('invalid_client');
    }
    expectTokenLimited(await tokenRequest(t.url, victim.clientId, victim.clientSecret));
    expectTokenLimited(await tokenRequest(t.url, victim.clientId, wrongSecret()));
    // HTTP Basic is the same client id: refused too.
    const basic = await send(
      t.url,
      'POST',
      '/oauth/v1/token',
      {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${victim.clientId}:${victim.clientSecret}`).toString('base64')}`,
      },
      'grant_type=client_credentials',
    );
    expectTokenLimited(basic);
    // The revoke endpoint authenticates the same way and is held back the same way.
    const revoke = await send(
      t.url,
      'POST',
      '/oauth/v1/revoke',
      { 'content-type': 'application/x-www-form-urlencoded' },
      new URLSearchParams({
        token: victim.token,
        client_id: victim.clientId,
        client_secret: victim.clientSecret,
      }).toString(),
    );
    expectTokenLimited(revoke);
  });

  it('tokens issued before the lockout keep working (the limit is on guessing, not on use)', async () => {
    expect((await probe(t.url, victim.token)).status).toBe(404);
  });

  it('another client id from the same address is not affected', async () => {
    const res = await tokenRequest(t.url, bystander.clientId, bystander.clientSecret);
    expect(res.status).toBe(200);
    // 2 failures stay under the limit of 3: the right secret still works.
    const other = await t.gateway.services.provisioning.createClient(bystander.companyId, 'b2');
    const secret = other.clientSecret.reveal();
    for (let i = 0; i < 2; i += 1) {
      expect((await tokenRequest(t.url, other.clientId, wrongSecret())).status).toBe(401);
    }
    expect((await tokenRequest(t.url, other.clientId, secret)).status).toBe(200);
  });
});

describe('token endpoint: failed attempts per source address', () => {
  let t: TestGateway;
  let company: TestCompany;

  beforeAll(async () => {
    t = await startTestGateway({
      OMNIGATE_TOKEN_FAILURES_PER_CLIENT: '1000',
      OMNIGATE_TOKEN_FAILURES_PER_ADDRESS: '5',
    });
    company = await newCompany(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('5 failures spread over 5 client ids: the next attempt from the address is 429, any client id', async () => {
    for (let i = 0; i < 4; i += 1) {
      expect((await tokenRequest(t.url, unknownClient(), wrongSecret())).status).toBe(401);
    }
    // 4 failures: one left; a right secret is still accepted (and does not count).
    expect((await tokenRequest(t.url, company.clientId, company.clientSecret)).status).toBe(200);
    expect((await tokenRequest(t.url, unknownClient(), wrongSecret())).status).toBe(401);
    // 5 failures from this address: every client id is refused, the right secret too.
    expectTokenLimited(await tokenRequest(t.url, company.clientId, company.clientSecret));
    expectTokenLimited(await tokenRequest(t.url, unknownClient(), wrongSecret()));
  });
});

describe('Integrate calls per client', () => {
  let t: TestGateway;
  let company: TestCompany;

  beforeAll(async () => {
    t = await startTestGateway({ OMNIGATE_RATE_LIMIT_PER_MINUTE: '5' });
    company = await newCompany(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('the 6th call within the minute is 429 rate_limited with Retry-After; other clients are not affected', async () => {
    for (let i = 0; i < 5; i += 1) expect((await probe(t.url, company.token)).status).toBe(404);
    expectCallLimited(await probe(t.url, company.token));
    // Every route of the client is held back, whatever it asks for.
    const pay = await send(
      t.url,
      'POST',
      '/v1/payment/integrate/pay',
      { authorization: `Bearer ${company.token}`, 'content-type': 'application/json' },
      '{}',
    );
    expectCallLimited(pay);
    // A new token of the same client does not reset its count.
    const again = await issueToken(t.url, company.clientId, company.clientSecret);
    expectCallLimited(await probe(t.url, again));

    // Another client of the same company has its own budget.
    const other = await t.gateway.services.provisioning.createClient(company.companyId, 'other');
    const otherToken = await issueToken(t.url, other.clientId, other.clientSecret.reveal());
    for (let i = 0; i < 5; i += 1) expect((await probe(t.url, otherToken)).status).toBe(404);
    expectCallLimited(await probe(t.url, otherToken));
  });

  it('unauthenticated calls are refused as such (401), not counted against a client', async () => {
    const res = await send(t.url, 'GET', '/v1/payment/transactions/x', {
      authorization: 'Bearer ogt_nope',
    });
    expect(res.status).toBe(401);
  });
});

/**
 * Two gateways on one database (two Fastify servers in this process, each
 * with its own in-process state): with OMNIGATE_REDIS_URL they share the
 * counters, without it each counts alone.
 */
describe.each([
  { shared: true, env: { OMNIGATE_REDIS_URL: REDIS_URL } },
  { shared: false, env: {} as Record<string, string> },
])('two instances, Redis: $shared', ({ shared, env }) => {
  let db: Awaited<ReturnType<typeof newDatabase>>;
  let a: TestGateway;
  let b: TestGateway;
  let company: TestCompany;

  beforeAll(async () => {
    db = await newDatabase('omnigate-sec-redis-');
    const common = {
      ...env,
      OMNIGATE_RATE_LIMIT_PER_MINUTE: '5',
      OMNIGATE_TOKEN_FAILURES_PER_CLIENT: '3',
      // Redis keeps the address counter across runs: never the subject here.
      OMNIGATE_TOKEN_FAILURES_PER_ADDRESS: '1000000',
    };
    a = await startGatewayOn(db.dataDir, db.database, common);
    b = await startGatewayOn(db.dataDir, db.database, common);
    company = await newCompany(a);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.remove();
  });

  it(`3 calls on A + 3 calls on B with a limit of 5: the 6th is ${shared ? '429' : 'allowed'}`, async () => {
    for (let i = 0; i < 3; i += 1) expect((await probe(a.url, company.token)).status).toBe(404);
    for (let i = 0; i < 2; i += 1) expect((await probe(b.url, company.token)).status).toBe(404);
    const sixth = await probe(b.url, company.token);
    if (shared) {
      expectCallLimited(sixth);
      expectCallLimited(await probe(a.url, company.token));
    } else {
      expect(sixth.status).toBe(404);
      // Each instance alone allows 5 (A has counted 3, B 3).
      for (const gw of [a, b]) {
        for (let i = 0; i < 2; i += 1)
          expect((await probe(gw.url, company.token)).status).toBe(404);
        expectCallLimited(await probe(gw.url, company.token));
      }
    }
  });

  it(`failed token attempts: 2 on A + 1 on B with a limit of 3: the right secret on A is ${shared ? '429' : 'accepted'}`, async () => {
    const client = await a.gateway.services.provisioning.createClient(company.companyId, 'x');
    const secret = client.clientSecret.reveal();
    for (let i = 0; i < 2; i += 1) {
      expect((await tokenRequest(a.url, client.clientId, wrongSecret())).status).toBe(401);
    }
    expect((await tokenRequest(b.url, client.clientId, wrongSecret())).status).toBe(401);
    const res = await tokenRequest(a.url, client.clientId, secret);
    if (shared) expectTokenLimited(res);
    else expect(res.status).toBe(200);
  });
});
