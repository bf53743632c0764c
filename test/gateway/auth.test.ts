import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TYPE,
  api,
  issueToken,
  newCompany,
  searchPath,
  startTestGateway,
  type TestCompany,
  type TestGateway,
} from './helpers.js';

const TOKEN_PATH = '/oauth/v1/token';
const REVOKE_PATH = '/oauth/v1/revoke';

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function post(
  url: string,
  path: string,
  body: string | undefined,
  contentType: string | undefined,
  authorization?: string,
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (contentType) headers['content-type'] = contentType;
  if (authorization) headers.authorization = authorization;
  const res = await fetch(`${url}${path}`, { method: 'POST', headers, body });
  const text = await res.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { raw: text };
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

const form = (url: string, path: string, params: Record<string, string>, authorization?: string) =>
  post(
    url,
    path,
    new URLSearchParams(params).toString(),
    'application/x-www-form-urlencoded',
    authorization,
  );

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** The authenticated probe: a search for a store that does not exist (404 once authenticated). */
const probe = (url: string, token: string) =>
  api(
    url,
    'GET',
    searchPath({
      type: TYPE,
      store_id: 'NO-SUCH-STORE',
      is_test: 'TRUE',
      request: JSON.stringify({ MerchantTradeNo: 'A1' }),
    }),
    { token },
  );

describe('OAuth token endpoint and bearer authentication', () => {
  const TTL = 3600;
  let t: TestGateway;
  let company: TestCompany;

  beforeAll(async () => {
    t = await startTestGateway({ OMNIGATE_TOKEN_TTL_SECONDS: String(TTL) });
    company = await newCompany(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  function expectIssued(res: Answer): string {
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: TTL, scope: 'api' });
    expect(res.body).not.toHaveProperty('refresh_token');
    const token = res.body.access_token as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    return token;
  }

  describe('issuing', () => {
    it('form body', async () => {
      const token = expectIssued(
        await form(t.url, TOKEN_PATH, {
          grant_type: 'client_credentials',
          client_id: company.clientId,
          client_secret: company.clientSecret,
        }),
      );
      expect((await probe(t.url, token)).status).toBe(404);
    });

    it('form body with scope=api', async () => {
      expectIssued(
        await form(t.url, TOKEN_PATH, {
          grant_type: 'client_credentials',
          client_id: company.clientId,
          client_secret: company.clientSecret,
          scope: 'api',
        }),
      );
    });

    it('JSON body', async () => {
      const token = expectIssued(
        await post(
          t.url,
          TOKEN_PATH,
          JSON.stringify({
            grant_type: 'client_credentials',
            client_id: company.clientId,
            client_secret: company.clientSecret,
          }),
          'application/json',
        ),
      );
      expect((await probe(t.url, token)).status).toBe(404);
    });

    it('HTTP Basic client authentication', async () => {
      const token = expectIssued(
        await form(
          t.url,
          TOKEN_PATH,
          { grant_type: 'client_credentials' },
          basic(company.clientId, company.clientSecret),
        ),
      );
      expect((await probe(t.url, token)).status).toBe(404);
    });

    it('every token is new and random', async () => {
      const tokens = new Set<string>();
      for (let i = 0; i < 5; i += 1) {
        tokens.add(await issueToken(t.url, company.clientId, company.clientSecret));
      }
      expect(tokens.size).toBe(5);
    });
  });

  describe('RFC 6749 §5.2 errors', () => {
    const creds = () => ({ client_id: company.clientId, client_secret: company.clientSecret });

    function expectOAuthError(res: Answer, status: number, error: string): void {
      expect(res.status).toBe(status);
      expect(res.body.error).toBe(error);
      expect(typeof res.body.error_description).toBe('string');
      expect(res.body).not.toHaveProperty('access_token');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }

    it('missing grant_type → 400 invalid_request', async () => {
      expectOAuthError(await form(t.url, TOKEN_PATH, creds()), 400, 'invalid_request');
    });

    it('grant_type=password → 400 unsupported_grant_type', async () => {
      expectOAuthError(
        await form(t.url, TOKEN_PATH, {
          ...creds(),
          grant_type: 'password',
          username: 'u',
          password: 'p',
        }),
        400,
        'unsupported_grant_type',
      );
      expectOAuthError(
        await form(t.url, TOKEN_PATH, { ...creds(), grant_type: 'authorization_code' }),
        400,
        'unsupported_grant_type',
      );
    });

    it('scope=admin → 400 invalid_scope', async () => {
      expectOAuthError(
        await form(t.url, TOKEN_PATH, {
          ...creds(),
          grant_type: 'client_credentials',
          scope: 'admin',
        }),
        400,
        'invalid_scope',
      );
      expectOAuthError(
        await form(t.url, TOKEN_PATH, {
          ...creds(),
          grant_type: 'client_credentials',
          scope: 'api admin',
        }),
        400,
        'invalid_scope',
      );
    });

    it('client_id or client_secret missing → 400 invalid_request', async () => {
      expectOAuthError(
        await form(t.url, TOKEN_PATH, {
          grant_type: 'client_credentials',
          client_id: company.clientId,
        }),
        400,
        'invalid_request',
      );
    });

    it('wrong secret, unknown client and revoked client → the same 401 invalid_client', async () => {
      const other = await newCompany(t, 'revoked co');
      await t.gateway.services.provisioning.revokeClient(other.clientId);
      const attempts = [
        { client_id: company.clientId, client_secret: `${company.clientSecret}x` },
        { client_id: company.clientId, client_secret: other.clientSecret },
        { client_id: 'cl_does_not_exist', client_secret: company.clientSecret },
        { client_id: other.clientId, client_secret: other.clientSecret },
      ];
      const bodies: string[] = [];
      for (const attempt of attempts) {
        const res = await form(t.url, TOKEN_PATH, { grant_type: 'client_credentials', ...attempt });
        expectOAuthError(res, 401, 'invalid_client');
        expect(res.body.request_id).toBe(res.headers.get('x-request-id'));
        bodies.push(JSON.stringify({ ...res.body, request_id: null }));
      }
      expect(new Set(bodies).size).toBe(1);

      // Over HTTP Basic the answers are identical too, and carry a Basic challenge.
      const basicBodies: string[] = [];
      for (const attempt of attempts) {
        const res = await form(
          t.url,
          TOKEN_PATH,
          { grant_type: 'client_credentials' },
          basic(attempt.client_id, attempt.client_secret),
        );
        expectOAuthError(res, 401, 'invalid_client');
        expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
        basicBodies.push(JSON.stringify({ ...res.body, request_id: null }));
      }
      expect(new Set(basicBodies).size).toBe(1);
      expect(basicBodies[0]).toBe(bodies[0]);
    });

    it('credentials in both HTTP Basic and the body → 400 invalid_request', async () => {
      const res = await form(
        t.url,
        TOKEN_PATH,
        { grant_type: 'client_credentials', ...creds() },
        basic(company.clientId, company.clientSecret),
      );
      expectOAuthError(res, 400, 'invalid_request');
    });
  });

  describe('/v1 routes need a live bearer token', () => {
    it('no Authorization header → 401 headers缺少authorization參數 with a Bearer challenge', async () => {
      for (const res of [
        await api(t.url, 'POST', '/v1/payment/integrate/cancel', { body: {} }),
        await api(t.url, 'POST', '/v1/payment/integrate/pay', { body: {} }),
        await api(t.url, 'GET', searchPath({ type: TYPE })),
        await api(t.url, 'GET', searchPath({ type: TYPE }), { headers: { authorization: '  ' } }),
      ]) {
        expect(res.status).toBe(401);
        expect(res.body.message).toBe('headers缺少authorization參數');
        expect(res.body.request_id).toBe(res.headers.get('x-request-id'));
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
      }
    });

    async function expectInvalidToken(authorization: string): Promise<void> {
      const res = await api(t.url, 'GET', searchPath({ type: TYPE }), {
        headers: { authorization },
      });
      expect(res.status).toBe(401);
      expect(res.body.message).toBe('invalid token');
      expect(res.body.code).toBe('invalid_token');
      const challenge = res.headers.get('www-authenticate') ?? '';
      expect(challenge).toMatch(/^Bearer\b/);
      expect(challenge).toContain('error="invalid_token"');
    }

    it('garbage, Basic and malformed tokens → 401 invalid_token', async () => {
      await expectInvalidToken('Bearer garbage');
      await expectInvalidToken(`Bearer ${'A'.repeat(43)}`);
      await expectInvalidToken(basic(company.clientId, company.clientSecret));
      await expectInvalidToken('Basic xxx');
      await expectInvalidToken(`Bearer ${company.token} extra`);
      await expectInvalidToken(`Bearer ${company.clientSecret}`);
      await expectInvalidToken('Bearer');
      await expectInvalidToken(company.token);
    });

    it('the scheme name is case-insensitive (RFC 6750)', async () => {
      const res = await api(t.url, 'GET', searchPath({ type: TYPE }), {
        headers: { authorization: `bearer ${company.token}` },
      });
      expect(res.status).toBe(400);
    });

    it('a revoked token (RFC 7009) fails at once; another client cannot revoke it', async () => {
      const token = await issueToken(t.url, company.clientId, company.clientSecret);
      expect((await probe(t.url, token)).status).toBe(404);

      // Another company's client "revokes" it: accepted per RFC 7009 but without effect.
      const stranger = await newCompany(t, 'stranger');
      const foreign = await form(t.url, REVOKE_PATH, {
        token,
        client_id: stranger.clientId,
        client_secret: stranger.clientSecret,
      });
      expect(foreign.status).toBe(200);
      expect((await probe(t.url, token)).status).toBe(404);

      // Revoking needs the client's own credentials.
      const unauthenticated = await form(t.url, REVOKE_PATH, {
        token,
        client_id: company.clientId,
        client_secret: 'wrong',
      });
      expect(unauthenticated.status).toBe(401);
      expect(unauthenticated.body.error).toBe('invalid_client');
      expect((await probe(t.url, token)).status).toBe(404);

      const revoked = await form(t.url, REVOKE_PATH, {
        token,
        client_id: company.clientId,
        client_secret: company.clientSecret,
      });
      expect(revoked.status).toBe(200);
      await expectInvalidToken(`Bearer ${token}`);
      // The client's other tokens still work.
      expect((await probe(t.url, company.token)).status).toBe(404);
    });

    it('revoking a client kills its live tokens at once and refuses new ones', async () => {
      const victim = await newCompany(t, 'victim');
      const second = await issueToken(t.url, victim.clientId, victim.clientSecret);
      expect((await probe(t.url, victim.token)).status).toBe(404);
      expect((await probe(t.url, second)).status).toBe(404);
      await t.gateway.services.provisioning.revokeClient(victim.clientId);
      await expectInvalidToken(`Bearer ${victim.token}`);
      await expectInvalidToken(`Bearer ${second}`);
      const again = await form(t.url, TOKEN_PATH, {
        grant_type: 'client_credentials',
        client_id: victim.clientId,
        client_secret: victim.clientSecret,
      });
      expect(again.status).toBe(401);
      expect(again.body.error).toBe('invalid_client');
      // Other companies are unaffected.
      expect((await probe(t.url, company.token)).status).toBe(404);
    });
  });

  it('the database holds no plaintext token or client secret, and neither appears in the logs', async () => {
    const extra = await newCompany(t, 'secrets');
    const tokens = [
      extra.token,
      await issueToken(t.url, extra.clientId, extra.clientSecret),
      company.token,
    ];
    const secrets = [extra.clientSecret, company.clientSecret];
    // Use a token so the database sees it looked up, too.
    expect((await probe(t.url, tokens[1]!)).status).toBe(404);
    const bytes = t.databaseBytes();
    // The search itself works: the client ids are there.
    expect(bytes.includes(Buffer.from(extra.clientId))).toBe(true);
    for (const value of [...tokens, ...secrets]) {
      expect(bytes.includes(Buffer.from(value, 'utf8'))).toBe(false);
      expect(bytes.includes(Buffer.from(value, 'utf16le'))).toBe(false);
    }
    const logs = t.logs.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const value of [...tokens, ...secrets]) expect(logs).not.toContain(value);
  });
});

describe('token expiry', () => {
  let t: TestGateway;
  let company: TestCompany;

  beforeAll(async () => {
    t = await startTestGateway({ OMNIGATE_TOKEN_TTL_SECONDS: '60' });
    company = await newCompany(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('expires_in is the configured lifetime', async () => {
    const res = await form(t.url, TOKEN_PATH, {
      grant_type: 'client_credentials',
      client_id: company.clientId,
      client_secret: company.clientSecret,
    });
    expect(res.status).toBe(200);
    expect(res.body.expires_in).toBe(60);
  });

  it('a token issued 120 s ago with a 60 s lifetime → 401 invalid token; one issued 30 s ago works', async () => {
    const owner = { clientId: company.clientId, companyId: company.companyId, scope: 'api' };
    const tokens = t.gateway.services.store.tokens;
    const expired = await tokens.issue(owner, 60, Date.now() - 120_000);
    const res = await probe(t.url, expired.token.reveal());
    expect(res.status).toBe(401);
    expect(res.body.message).toBe('invalid token');
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');

    const fresh = await tokens.issue(owner, 60, Date.now() - 30_000);
    expect((await probe(t.url, fresh.token.reveal())).status).toBe(404);
  });
});
