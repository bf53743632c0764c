import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  newCompany,
  startTestGateway,
  type TestCompany,
  type TestGateway,
} from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('HTTP surface: health, docs, request ids, headers', () => {
  let t: TestGateway;
  let company: TestCompany;

  beforeAll(async () => {
    t = await startTestGateway();
    company = await newCompany(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('GET /healthz and GET /readyz answer 200', async () => {
    const health = await fetch(`${t.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('/openapi.json is an OpenAPI 3 document with the integrate and oauth paths', async () => {
    const res = await fetch(`${t.url}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const doc = (await res.json()) as {
      openapi: string;
      info: { title: string };
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(typeof doc.info.title).toBe('string');
    expect(doc.paths['/v1/payment/integrate/cancel']).toHaveProperty('post');
    expect(doc.paths['/v1/payment/integrate/pay']).toHaveProperty('post');
    expect(doc.paths['/v1/payment/integrate/search']).toHaveProperty('get');
    expect(doc.paths['/oauth/v1/token']).toHaveProperty('post');
    expect(doc.paths['/oauth/v1/revoke']).toHaveProperty('post');
    // Operational routes are not part of the API reference.
    expect(doc.paths).not.toHaveProperty('/healthz');
    // The admin API is, every route of it, behind the session cookie but the login.
    const admin = Object.entries(doc.paths).filter(([path]) => path.startsWith('/admin/v1'));
    expect(admin.map(([path]) => path)).toEqual(
      expect.arrayContaining([
        '/admin/v1/transactions',
        '/admin/v1/transactions/{request_id}',
        '/admin/v1/transactions/{request_id}/refund',
        '/admin/v1/stats',
        '/admin/v1/stores/{store_id}/configs/{type}/{env}',
        '/admin/v1/webhooks/{endpoint_id}/test',
      ]),
    );
    for (const [path, methods] of admin) {
      for (const [method, op] of Object.entries(methods) as [string, Record<string, unknown>][]) {
        expect(op.tags, `${method} ${path}`).toEqual(['admin']);
        const login = path === '/admin/v1/session' && method === 'post';
        expect(op.security, `${method} ${path}`).toEqual(login ? undefined : [{ session: [] }]);
      }
    }
    const cancel = JSON.stringify(doc.paths['/v1/payment/integrate/cancel']);
    for (const field of ['MerchantTradeNo', 'MerchantTradeDate', 'PlatformID', 'MerchantID']) {
      expect(cancel).toContain(field);
    }
  });

  it('writes one request line per call at level info, bound to the request id', async () => {
    const res = await fetch(`${t.url}/healthz?probe=1`);
    const id = res.headers.get('x-request-id');
    await res.text();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = t.logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.reqId === id);
    expect(lines).toEqual([
      expect.objectContaining({ msg: 'request', method: 'GET', path: '/healthz', status: 200 }),
    ]);
  });

  it('/docs is Swagger UI over /openapi.json, its assets served from this origin (no CDN)', async () => {
    const res = await fetch(`${t.url}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toMatch(/<html/i);
    expect(html).toContain('<title>omnigate API reference</title>');
    // Every script and stylesheet the page loads is a path on the gateway itself.
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThan(3);
    for (const asset of assets) {
      expect(asset, asset).toMatch(/^\/docs\/static\//);
      const loaded = await fetch(`${t.url}${asset}`);
      expect(loaded.status, asset).toBe(200);
      expect((await loaded.arrayBuffer()).byteLength, asset).toBeGreaterThan(0);
    }
    // The initializer points the UI at the document (./json) and at no outside validator.
    const init = await (await fetch(`${t.url}/docs/static/swagger-initializer.js`)).text();
    expect(init).toContain("resolveUrl('./json')");
    expect(init).toMatch(/validatorUrl: null/);
    const code = init
      .split('\n')
      .filter((line) => !line.trim().startsWith('//'))
      .join('\n');
    expect(code).not.toMatch(/https?:\/\//);
    const doc = (await (await fetch(`${t.url}/docs/json`)).json()) as {
      paths: Record<string, Record<string, { security?: unknown }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.paths['/v1/payment/integrate/cancel']).toHaveProperty('post');
    // "Authorize" takes a bearer token; the API routes ask for it, so "Try it out" sends it.
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/v1/payment/integrate/cancel']!.post!.security).toEqual([{ bearer: [] }]);
    expect(doc).toEqual(await (await fetch(`${t.url}/openapi.json`)).json());
  });

  it('every response carries its own X-Request-Id (a uuid), and none carries a banner', async () => {
    const answers = [
      await fetch(`${t.url}/healthz`),
      await fetch(`${t.url}/healthz`),
      await fetch(`${t.url}/readyz`),
      await fetch(`${t.url}/openapi.json`),
      await fetch(`${t.url}/docs`),
      await fetch(`${t.url}/nope`),
      await fetch(`${t.url}/v1/payment/integrate/cancel`, { method: 'POST' }),
      await fetch(`${t.url}/v1/payment/integrate/cancel`, {
        method: 'POST',
        headers: { authorization: `Bearer ${company.token}`, 'content-type': 'application/json' },
        body: '{}',
      }),
      await fetch(`${t.url}/oauth/v1/token`, { method: 'POST' }),
    ];
    const ids = answers.map((res) => res.headers.get('x-request-id'));
    for (const [i, res] of answers.entries()) {
      expect(ids[i], `${res.url} ${res.status}`).toMatch(UUID);
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(res.headers.get('server')).toBeNull();
      await res.arrayBuffer();
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 404, 401, 400, 400]);
  });

  it('a client-supplied X-Request-Id is not trusted', async () => {
    const res = await fetch(`${t.url}/nope`, { headers: { 'x-request-id': 'evil-id' } });
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(UUID);
    expect(((await res.json()) as { request_id: string }).request_id).toBe(id);
  });

  it('a known path with the wrong method → 405 with Allow, JSON {message, code, request_id}', async () => {
    for (const [method, path, allow] of [
      ['GET', '/v1/payment/integrate/cancel', 'POST'],
      ['PUT', '/v1/payment/integrate/pay', 'POST'],
      ['POST', '/v1/payment/integrate/search?MerchantTradeNo=X', 'GET, HEAD'],
      ['DELETE', '/v1/payment/transactions/01a21e40-2b42-744c-87b7-471c6fb7f8aa', 'GET, HEAD'],
      ['GET', '/oauth/v1/token', 'POST'],
      // Matched as Fastify's router matches: percent-decoded first.
      ['GET', '/v1/payment/integrate/%63ancel', 'POST'],
    ] as const) {
      const res = await api(t.url, method, path, { token: company.token });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get('allow')).toBe(allow);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      expect(Object.keys(res.body).sort()).toEqual(['code', 'message', 'request_id']);
      expect(res.body.code).toBe('method_not_allowed');
      expect(res.body.message).toBe(
        `${method} ${path.split('?')[0]} 不支援此方法，請使用 ${allow}`,
      );
      expect(res.body.request_id).toBe(res.headers.get('x-request-id'));
    }
  });

  it('an unknown route → 404 JSON {message, code, request_id}', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['POST', '/v1/payment/integrate/void'],
      ['GET', '/v1/payment/transactions/a/b'],
    ] as const) {
      const res = await api(t.url, method, path, { token: company.token });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      expect(Object.keys(res.body).sort()).toEqual(['code', 'message', 'request_id']);
      expect(res.body.code).toBe('not_found');
      expect(typeof res.body.message).toBe('string');
      expect(res.body.request_id).toBe(res.headers.get('x-request-id'));
    }
  });

  it('401 answers are JSON error bodies with the request id', async () => {
    const res = await api(t.url, 'POST', '/v1/payment/integrate/cancel', { body: {} });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      message: 'headers缺少authorization參數',
      code: 'missing_token',
      request_id: res.headers.get('x-request-id'),
    });
  });
});
