import { channel } from 'node:diagnostics_channel';
import type { FastifyInstance, RouteOptions } from 'fastify';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserService } from '../../src/admin/users.js';
import {
  TYPE,
  api,
  newBarcode,
  newCompany,
  payRequest,
  startStoreScenario,
  tradeNo,
  type StoreScenario,
  type TestCompany,
} from '../gateway/helpers.js';
import { type RawAnswer, send } from './helpers.js';

/**
 * Hostile input on the admin API, as test/security/hostile-input.test.ts does for the
 * Integrate API: generated filters, cursors, path parameters, bodies and content types
 * against every `/admin/v1` route, as a platform admin, a company admin and a company
 * viewer on a real gateway over real sockets. Never a 5xx; every refusal is the
 * gateway's error body; a company's user never sees another company's data.
 *
 * The routes are the ones Fastify registers (caught as they are, through Fastify's
 * `fastify.initialization` diagnostics channel), so a route added later is fuzzed
 * without a change here: its path parameters get hostile values, its query and body
 * hostile fields. `ADMIN_FUZZ_RUNS=2000` for a longer hunt.
 */

const RUNS = Number(process.env.ADMIN_FUZZ_RUNS || 120);
if (!Number.isSafeInteger(RUNS) || RUNS < 1) {
  throw new Error(`ADMIN_FUZZ_RUNS must be a positive whole number, not ${RUNS}`);
}
const PASSWORD = 'correct horse battery staple';
/** What a stack trace or an internal path would look like in an answer. */
const STACK = /\bat [\w.<>]+ \(|\bat (file:|\/)|\.(ts|js|mjs):\d+|node_modules|\/work\/|\/src\//;

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
interface Route {
  method: Method;
  url: string;
}

// ---- the routes, as Fastify registers them ----------------------------------------------

const registered: Route[] = [];
channel('fastify.initialization').subscribe((message) => {
  const { fastify } = message as { fastify: FastifyInstance };
  fastify.addHook('onRoute', (route: RouteOptions) => {
    if (!route.url.startsWith('/admin/v1/')) return;
    for (const method of [route.method].flat()) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      if (!registered.some((r) => r.method === method && r.url === route.url))
        registered.push({ method: method as Method, url: route.url });
    }
  });
});

/** `:name` segments of a route template. */
const paramsOf = (url: string): string[] => [...url.matchAll(/:(\w+)/g)].map((m) => m[1]!);

// ---- values -----------------------------------------------------------------------------

/** Strings with control characters, lone surrogates, quotes, SQL and LIKE wildcards. */
const nastyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)) }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    '\udfff',
    '\u{10ffff}',
    '"',
    "'",
    '\\',
    '%',
    '_',
    '%_%',
    '\\%',
    '../../etc/passwd',
    "' OR 1=1 --",
    "'; drop table transactions; --",
    '1) OR (1=1',
    '<script>',
    '\u202e',
    '字',
    '0',
    '-1',
    'null',
    'true',
    '[]',
    '{}',
    '__proto__',
    'constructor',
    'prototype',
  ),
);
const longString = fc
  .tuple(fc.constantFrom('a', '字', '%', '0'), fc.integer({ min: 65, max: 3_000 }))
  .map(([c, n]) => c.repeat(n));
const wrongValue = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 3, arbitrary: nastyString },
  { weight: 1, arbitrary: longString },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      2 ** 53,
      -(2 ** 53),
      1e308,
      -1,
      0,
      0.5,
      -0,
      100_000_000_000,
      null,
      true,
      false,
      [],
      {},
    ),
  },
);

/** Near-misses of a real request id (UUIDv7): one character off, upper case, cut, padded. */
const nearId = (id: string) =>
  fc
    .tuple(fc.nat(id.length - 1), fc.constantFrom('0', 'f', 'g', '-', 'F', '%', ''), fc.nat(5))
    .map(([at, c, kind]) => {
      switch (kind) {
        case 0:
          return id.toUpperCase();
        case 1:
          return id.slice(0, at);
        case 2:
          return `${id}${c}`;
        case 3:
          return id.replace(/-/g, '');
        default:
          return `${id.slice(0, at)}${c}${id.slice(at + 1)}`;
      }
    });

/** Real values (this company's, another's) and their near misses, by parameter name. */
interface Known {
  requestIds: string[];
  clientIds: string[];
  userIds: string[];
  companyIds: string[];
  tradeNos: string[];
}

function plausible(name: string, known: Known): fc.Arbitrary<unknown> {
  const ids = (list: string[]) =>
    list.length === 0
      ? nastyString
      : fc.oneof(fc.constantFrom(...list), nearId(list[0]!), fc.uuid({ version: [4, 7] }));
  switch (name) {
    case 'request_id':
    case 'cursor':
      return ids(known.requestIds);
    case 'client_id':
      return ids(known.clientIds);
    case 'user_id':
      return ids(known.userIds);
    case 'company_id':
      return fc.oneof(fc.constantFrom(...known.companyIds), fc.constant('cmp_nope'));
    case 'q':
      return fc.oneof(
        fc.constantFrom(...known.tradeNos),
        fc.constantFrom(...known.tradeNos).map((t) => t.slice(0, 4)),
        fc.constantFrom(...known.requestIds).map((t) => t.slice(0, 9)),
      );
    case 'from':
    case 'to':
      return fc.oneof(
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        fc.constantFrom(
          '2026-02-30T00:00:00Z',
          '2026-12-31T23:59:60Z',
          '2026-13-01T00:00:00Z',
          '0000-01-01T00:00:00Z',
          '9999-12-31T23:59:59.999Z',
          '2026-01-01',
          '2026-01-01T00:00:00',
          '2026-01-01T00:00:00+25:00',
          '1e12',
          'now',
        ),
      );
    case 'limit':
      return fc.oneof(
        fc.integer({ min: -5, max: 600 }),
        fc.constantFrom('1e2', '0x10', '1.5', ' 5', '+5', '9'.repeat(40), 'NaN', 'Infinity'),
      );
    case 'state':
      return fc.constantFrom('pending', 'succeeded', 'declined', 'rejected', 'failed', 'unknown');
    case 'env':
      return fc.constantFrom('test', 'prod', 'PROD');
    case 'type':
      return fc.constantFrom(TYPE, 'LINE_QRCODE_PAY', 'NOPE');
    case 'store_id':
      return fc.constantFrom('S1', 'S404', '0001');
    case 'operation':
      return fc.constantFrom('pay', 'refund', 'cancel', 'search');
    case 'bucket':
      return fc.constantFrom('hour', 'day', 'week');
    case 'amount':
      return fc.integer({ min: -10, max: 200 });
    case 'email':
      return fc.constantFrom('fuzz@a.example', 'FUZZ@A.EXAMPLE', 'not-an-email', 'a@b');
    case 'role':
      return fc.constantFrom('admin', 'operator', 'viewer', 'root');
    case 'password':
      return fc.constantFrom(PASSWORD, 'short', 'x'.repeat(2000));
    case 'url':
      // Never a reachable address: a closed port on this machine.
      return fc.constantFrom('http://127.0.0.1:9/hook', 'https://127.0.0.1:9/h', 'ftp://x', 'x');
    case 'events':
      return fc.constantFrom(['transaction.succeeded'], ['*'], ['nope'], []);
    default:
      return nastyString;
  }
}

const QUERY_KEYS = [
  'company_id',
  'from',
  'to',
  'state',
  'operation',
  'type',
  'env',
  'store_id',
  'q',
  'cursor',
  'limit',
  'bucket',
  'action',
  'actor',
];
const BODY_KEYS = [
  'company_id',
  'name',
  'amount',
  'email',
  'role',
  'platform',
  'password',
  'url',
  'events',
  'fields',
];

/** A URL-encoded value, or a raw fragment that is itself hostile as URL syntax. */
const encoded = (value: unknown) =>
  // Lone surrogates cannot be percent-encoded (their raw bytes are sent as `%ed%a0%80`).
  encodeURIComponent(
    (typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined')).toWellFormed(),
  );
const rawQueryPart = fc.constantFrom(
  '%',
  '%zz',
  '%00',
  '%c0%af',
  '%ed%a0%80',
  '[]',
  'a[b]=1',
  '__proto__',
  'constructor[prototype][x]',
  '&&',
  '=',
);

function queryString(known: Known): fc.Arbitrary<string> {
  const pair = fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .constantFrom(...QUERY_KEYS)
        .chain((key) =>
          fc
            .oneof(
              { weight: 3, arbitrary: plausible(key, known) },
              { weight: 2, arbitrary: wrongValue },
            )
            .map((v) => `${key}=${encoded(v)}`),
        ),
    },
    // The same key twice (an array), a key with brackets, an unknown key.
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...QUERY_KEYS), nastyString, nastyString)
        .map(([k, a, b]) => `${k}=${encoded(a)}&${k}=${encoded(b)}`),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...QUERY_KEYS), nastyString)
        .map(([k, v]) => `${k}[]=${encoded(v)}`),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(nastyString, nastyString).map(([k, v]) => `${encoded(k)}=${encoded(v)}`),
    },
    { weight: 1, arbitrary: rawQueryPart },
  );
  // Within Node's 16 KiB header limit (beyond it Node answers 431 before any route runs).
  return fc
    .array(pair, { maxLength: 5 })
    .map((pairs) => pairs.join('&'))
    .filter((q) => q.length <= 12_000);
}

function pathValue(name: string, known: Known): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: plausible(name, known).map(encoded) },
    { weight: 2, arbitrary: nastyString.filter((s) => s !== '').map(encoded) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '..',
        '.',
        '%2e%2e',
        '%2F',
        'a%2Fb',
        '%5C',
        '%00',
        '%',
        'x'.repeat(201),
      ),
    },
  );
}

/** Bodies: objects with the contract's field names and wrong values, JSON of any shape, raw text. */
function body(known: Known): fc.Arbitrary<{ text: string | undefined; type: string | undefined }> {
  const fields = fc
    .tuple(fc.subarray(BODY_KEYS), fc.dictionary(nastyString, wrongValue, { maxKeys: 2 }))
    .chain(([keys, extra]) =>
      fc
        .tuple(
          ...keys.map((k) =>
            fc.oneof(
              { weight: 2, arbitrary: plausible(k, known) },
              { weight: 1, arbitrary: wrongValue },
            ),
          ),
        )
        .map((values) => {
          const out: Record<string, unknown> = { ...extra };
          keys.forEach((k, i) => {
            out[k] = values[i];
          });
          return out;
        }),
    );
  const raw = fc.constantFrom(
    '{"__proto__":{"polluted":1}}',
    '{"constructor":{"prototype":{"polluted":1}}}',
    '{"amount":1,"__proto__":{"amount":2}}',
    '{"fields":{"__proto__":{"polluted":1}}}',
    '{"company_id":{"$ne":null}}',
    '{',
    '{"amount":}',
    '[1,2]',
    'null',
    '""',
    '1e400',
    '{"amount":9007199254740993}',
    `{"name":"${'x'.repeat(70_000)}"}`,
    `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
    '{"a":"\u0000"}',
  );
  const json = fc.oneof(
    { weight: 4, arbitrary: fields.map((o) => JSON.stringify(o)) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    { weight: 2, arbitrary: raw },
  );
  const type = fc.constantFrom(
    'application/json',
    'application/json',
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/json; charset=latin1',
  );
  return fc.oneof(
    { weight: 6, arbitrary: fc.tuple(json, type).map(([text, t]) => ({ text, type: t })) },
    { weight: 1, arbitrary: fc.constant({ text: undefined, type: undefined }) },
    { weight: 1, arbitrary: fc.constant({ text: '', type: 'application/json' }) },
  );
}

// ---- the test ---------------------------------------------------------------------------

describe('hostile input on the admin API', { timeout: Math.max(120_000, RUNS * 1_500) }, () => {
  let s: StoreScenario;
  let other: TestCompany;
  let known: Known;
  /** What only company B has: none of it may reach a company A user. */
  let needles: string[];
  const sessions: Record<
    'root' | 'adminA' | 'viewerA' | 'throwaway',
    { cookie: string; csrf: string }
  > = {
    root: { cookie: '', csrf: '' },
    adminA: { cookie: '', csrf: '' },
    viewerA: { cookie: '', csrf: '' },
    throwaway: { cookie: '', csrf: '' },
  };
  let sent = 0;
  const statuses = new Map<number, number>();
  const fuzzed = new Set<string>();

  const login = async (email: string) => {
    const res = await send(
      s.t.url,
      'POST',
      '/admin/v1/session',
      { 'content-type': 'application/json' },
      JSON.stringify({ email, password: PASSWORD }),
    );
    expect(res.status, email).toBe(200);
    return {
      cookie: res.headers['set-cookie']!.split(';')[0]!,
      csrf: (res.json as { csrf_token: string }).csrf_token,
    };
  };

  beforeAll(async () => {
    s = await startStoreScenario({
      OMNIGATE_LOGIN_FAILURES_PER_ACCOUNT: '1000000',
      OMNIGATE_LOGIN_FAILURES_PER_ADDRESS: '1000000',
      OMNIGATE_RECONCILE_SCHEDULE: '10m',
      OMNIGATE_LOG_LEVEL: 'warn',
    });
    other = await newCompany(s.t, 'other company');
    const users = new UserService(s.t.gateway.services.store, { actor: 'system' });
    const a = s.company.companyId;
    const userIds: string[] = [];
    for (const [email, role, companyId] of [
      ['root@platform.example', 'admin', null],
      ['admin@a.example', 'admin', a],
      ['viewer@a.example', 'viewer', a],
      // Only ever named by the fuzzer: disabling them ends no session of its own.
      ['victim@a.example', 'operator', a],
      ['victim@b.example', 'viewer', other.companyId],
    ] as const) {
      const created = await users.create({ email, role, companyId, password: PASSWORD });
      if (email.startsWith('victim')) userIds.push(created.user.userId);
    }
    const pay = async (company: TestCompany) => {
      const no = tradeNo('FZ');
      const res = await api(s.t.url, 'POST', '/v1/payment/integrate/pay', {
        token: company.token,
        body: { type: TYPE, store_id: 'S1', request: payRequest(await newBarcode(s.sandbox), no) },
      });
      return { requestId: res.headers.get('x-request-id')!, tradeNo: no };
    };
    const mine = [await pay(s.company), await pay(s.company)];
    // Refused (company B has no store), but rows of its own.
    const theirs = [await pay(other), await pay(other)];
    const provisioning = s.t.gateway.services.provisioning;
    // Clients the fuzzer may revoke or rotate: not the ones the payments above use.
    const spareA = (await provisioning.createClient(a, 'spare')).clientId;
    const spareB = (await provisioning.createClient(other.companyId, 'spare')).clientId;
    known = {
      requestIds: [...mine, ...theirs].map((p) => p.requestId),
      clientIds: [spareA, spareB],
      userIds,
      companyIds: [a, other.companyId],
      tradeNos: [...mine, ...theirs].map((p) => p.tradeNo),
    };
    needles = [
      other.companyId,
      other.clientId,
      spareB,
      userIds[1]!,
      'victim@b.example',
      ...theirs.flatMap((p) => [p.requestId, p.tradeNo]),
    ];
    sessions.root = await login('root@platform.example');
    sessions.adminA = await login('admin@a.example');
    sessions.viewerA = await login('viewer@a.example');
  });

  afterAll(async () => {
    await s?.t.close();
    await s?.sandbox.close();
  });

  interface Exchange {
    route: Route;
    as: keyof typeof sessions | 'nobody';
    path: string;
    headers?: Record<string, string>;
    body?: string | undefined;
  }

  /** One request; the answer must be well-formed whatever was sent. */
  async function exchange(x: Exchange): Promise<RawAnswer> {
    const session = x.as === 'nobody' ? undefined : sessions[x.as];
    const headers: Record<string, string> = {
      ...(session ? { cookie: session.cookie } : {}),
      ...(session && x.route.method !== 'GET' ? { 'x-csrf-token': session.csrf } : {}),
      ...x.headers,
    };
    const res = await send(s.t.url, x.route.method, x.path, headers, x.body);
    sent += 1;
    fuzzed.add(`${x.route.method} ${x.route.url}`);
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    const where = `${x.as}: ${x.route.method} ${x.path.slice(0, 200)} ${String(x.body).slice(0, 200)} → ${res.status} ${res.text.slice(0, 300)}`;
    expect(res.status, where).toBeLessThan(500);
    expect(res.text, where).not.toMatch(STACK);
    if (res.status >= 400) {
      expect(res.headers['content-type'], where).toMatch(/^application\/json/);
      const o = res.json as Record<string, unknown>;
      expect(Object.keys(o ?? {}).sort(), where).toEqual(['code', 'message', 'request_id']);
      expect(o.code, where).toMatch(/^[a-z_]+$/);
      expect(typeof o.message === 'string' && o.message.trim() !== '', where).toBe(true);
      expect(o.request_id, where).toBe(res.headers['x-request-id']);
    } else if (res.status !== 204) {
      expect(res.headers['content-type'], where).toMatch(/^(application\/json|text\/csv)/);
      // A whole answer: JSON that parses, or a CSV that ran to its last line.
      if (res.headers['content-type']!.startsWith('text/csv'))
        // (undici's text() drops the BOM.)
        expect(/^\uFEFF?request_id,/.test(res.text) && res.text.endsWith('\r\n'), where).toBe(true);
      else expect(res.json, where).toBeDefined();
    }
    if (x.as === 'adminA' || x.as === 'viewerA' || x.as === 'throwaway') {
      // Another company's data never reaches a company's user, but what it sent itself.
      const asked = `${decodeSafely(x.path)} ${x.body ?? ''}`;
      const leaked = needles.filter((n) => !asked.includes(n) && res.text.includes(n));
      expect(leaked, where).toEqual([]);
      if (res.status < 300 && res.json !== undefined) {
        expect(
          companiesIn(res.json).filter((c) => c !== s.company.companyId),
          where,
        ).toEqual([]);
      }
    }
    return res;
  }

  const property = <T>(arb: fc.Arbitrary<T>, run: (value: T) => Promise<unknown>) =>
    fc.assert(
      fc.asyncProperty(arb, async (value) => {
        await run(value);
      }),
      { numRuns: RUNS },
    );

  const who = fc.constantFrom<Exchange['as']>('root', 'adminA', 'adminA', 'viewerA', 'nobody');
  /** DELETE /session ends the session it is sent with: a fresh one each time. */
  const sessionFor = async (route: Route, as: Exchange['as']): Promise<Exchange['as']> => {
    if (route.method !== 'DELETE' || route.url !== '/admin/v1/session' || as === 'nobody')
      return as;
    sessions.throwaway = await login('viewer@a.example');
    return 'throwaway';
  };
  const fill = (route: Route, values: Record<string, string>) =>
    route.url.replace(/:(\w+)/g, (_, name: string) => values[name] ?? 'x');

  it('Fastify registered the admin routes, and the fuzzer knows them all', () => {
    // The routes on main when this test was written; routes added since are fuzzed too.
    for (const route of [
      'POST /admin/v1/session',
      'GET /admin/v1/transactions',
      'GET /admin/v1/transactions.csv',
      'GET /admin/v1/transactions/:request_id',
      'POST /admin/v1/transactions/:request_id/check',
      'GET /admin/v1/stats',
      'GET /admin/v1/audit',
      'POST /admin/v1/clients/:client_id/rotate-secret',
      'DELETE /admin/v1/session',
    ])
      expect(registered.map((r) => `${r.method} ${r.url}`)).toContain(route);
  });

  it('every route: hostile query strings (filters, cursors, dates, limits, arrays)', async () => {
    const query = queryString(known);
    const send = async ([route, as, q]: [Route, Exchange['as'], string]) => {
      const values = Object.fromEntries(
        paramsOf(route.url).map((p) => [p, encoded(known.requestIds[0])]),
      );
      await exchange({
        route,
        as: await sessionFor(route, as),
        path: `${fill(route, values)}?${q}`,
        ...(route.method === 'GET'
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: '{}' }),
      });
    };
    // Every route at least once, whatever the random draws below pick.
    for (const route of registered) {
      const [as, q] = fc.sample(fc.tuple(who, query), 1)[0]!;
      await send([route, as, q]);
    }
    await property(fc.tuple(fc.constantFrom(...registered), who, query), send);
  });

  it('every route with path parameters: hostile and near-miss ids, another company’s ids', async () => {
    const withParams = registered.filter((r) => paramsOf(r.url).length > 0);
    expect(withParams.length).toBeGreaterThan(0);
    const valuesFor = (route: Route) =>
      fc.record(Object.fromEntries(paramsOf(route.url).map((p) => [p, pathValue(p, known)])));
    await property(
      fc
        .tuple(fc.constantFrom(...withParams), who)
        .chain(([route, as]) => fc.tuple(fc.constant(route), fc.constant(as), valuesFor(route))),
      async ([route, as, values]) => {
        await exchange({
          route,
          as: await sessionFor(route, as),
          path: fill(route, values),
          ...(route.method === 'GET'
            ? {}
            : { headers: { 'content-type': 'application/json' }, body: '{}' }),
        });
      },
    );
  });

  it('every state-changing route: hostile bodies, content types and CSRF tokens', async () => {
    const writes = registered.filter((r) => r.method !== 'GET');
    const csrf = fc.oneof(
      { weight: 5, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constantFrom('', 'x', sessions.adminA.csrf.toUpperCase()) },
    );
    await property(
      fc.tuple(fc.constantFrom(...writes), who, body(known), csrf, fc.option(nastyString)),
      async ([route, as, b, token, idempotencyKey]) => {
        const values = Object.fromEntries(
          paramsOf(route.url).map((p) => [
            p,
            encoded(p === 'request_id' ? known.requestIds[0] : p),
          ]),
        );
        const headers: Record<string, string> = {};
        if (b.type) headers['content-type'] = b.type;
        if (token !== undefined) headers['x-csrf-token'] = token;
        if (idempotencyKey)
          headers['idempotency-key'] = encodeURIComponent(idempotencyKey.toWellFormed());
        await exchange({
          route,
          as: await sessionFor(route, as),
          path: fill(route, values),
          headers,
          body: b.text,
        });
      },
    );
  });

  it('another company’s ids in every route: as absent as ids that do not exist', async () => {
    const theirs: Record<string, string> = {
      request_id: known.requestIds[2]!,
      client_id: known.clientIds[1]!,
      user_id: known.userIds[1]!,
    };
    const nobodys: Record<string, string> = {
      request_id: '01900000-0000-7000-8000-000000000000',
      client_id: 'ogc_AAAAAAAAAAAAAAAAAAAAAAAA',
      user_id: 'usr_AAAAAAAAAAAA',
    };
    const routes = registered.filter((r) => paramsOf(r.url).some((p) => p in theirs));
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) {
      for (const as of ['adminA', 'viewerA'] as const) {
        const ask = (values: Record<string, string>) =>
          exchange({
            route,
            as,
            path: fill(route, values),
            ...(route.method === 'GET'
              ? {}
              : { headers: { 'content-type': 'application/json' }, body: '{}' }),
          });
        const foreign = await ask(theirs);
        const absent = await ask(nobodys);
        const answer = (r: RawAnswer) => [r.status, (r.json as { code?: string }).code];
        expect(foreign.status, `${as} ${route.method} ${route.url}`).toBeGreaterThanOrEqual(400);
        expect(answer(foreign), `${as} ${route.method} ${route.url}`).toEqual(answer(absent));
      }
    }
  });

  it('every route was fuzzed; the answers were 4xx and well-formed 2xx, never 5xx', () => {
    expect([...fuzzed].sort()).toEqual(registered.map((r) => `${r.method} ${r.url}`).sort());
    const summary = Object.fromEntries([...statuses].sort(([a], [b]) => a - b));
    for (const status of statuses.keys()) expect(status, JSON.stringify(summary)).toBeLessThan(500);
    // The generators get past the first checks, not only into them.
    expect(statuses.get(400), JSON.stringify(summary)).toBeGreaterThan(20);
    expect(statuses.get(200), JSON.stringify(summary)).toBeGreaterThan(5);
    expect(statuses.get(401), JSON.stringify(summary)).toBeGreaterThan(0);
    expect(statuses.get(404), JSON.stringify(summary)).toBeGreaterThan(0);
    expect(sent).toBeGreaterThanOrEqual(RUNS * 3);
  });

  it('the gateway is healthy afterwards, logged no internal error, and nothing reached Object.prototype', async () => {
    expect((await send(s.t.url, 'GET', '/healthz')).status).toBe(200);
    const list = await send(s.t.url, 'GET', '/admin/v1/transactions', {
      cookie: (await login('root@platform.example')).cookie,
    });
    expect(list.status).toBe(200);
    expect(s.t.logs.filter((line) => /internal error|"level":[56]0/.test(line))).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Every `company_id` string anywhere in a JSON answer. */
function companiesIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(companiesIn);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) =>
    key === 'company_id' && typeof v === 'string' ? [v] : companiesIn(v),
  );
}
