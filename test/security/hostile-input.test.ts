import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TYPE,
  newCompany,
  newMerchant,
  now,
  registerKeys,
  registerStore,
  startSandbox,
  startTestGateway,
  type SandboxHandle,
  type SandboxMerchant,
  type TestCompany,
  type TestGateway,
} from '../gateway/helpers.js';
import { type RawAnswer, send } from './helpers.js';

/**
 * Hostile input, property-based: thousands of generated bodies, query strings
 * and headers against every endpoint. Every answer is a 4xx (or a well-formed
 * 200) with a JSON body in the endpoint's error shape naming the problem;
 * never a 5xx, never a stack trace; the process stays healthy.
 */

/**
 * Cases per property. CI runs 300 with a fresh seed each time; for a longer
 * hunt run e.g. `HOSTILE_INPUT_RUNS=20000 npx vitest run test/security/hostile-input.test.ts`.
 */
const RUNS = Number(process.env.HOSTILE_INPUT_RUNS || 300);
if (!Number.isSafeInteger(RUNS) || RUNS < 1) {
  throw new Error(`HOSTILE_INPUT_RUNS must be a positive whole number, not ${RUNS}`);
}
const OAUTH_ERRORS = [
  'invalid_request',
  'invalid_client',
  'unsupported_grant_type',
  'invalid_scope',
  'too_many_requests',
];
/** What a stack trace or an internal path would look like in an answer. */
const STACK = /\bat [\w.<>]+ \(|\bat (file:|\/)|\.(ts|js|mjs):\d+|node_modules|\/work\/|\/src\//;

type Family = 'oauth' | 'api';
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

interface Exchange {
  method: Method;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

const PAY_FIELDS = [
  'PlatformID',
  'MerchantID',
  'StoreID',
  'MerchantTradeNo',
  'StoreName',
  'MerchantTradeDate',
  'TotalAmount',
  'ItemAmt',
  'UtilityAmt',
  'CommAmt',
  'ItemNonRedeemAmt',
  'UtilityNonRedeemAmt',
  'CommNonRedeemAmt',
  'NonPointAmt',
  'Barcode',
] as const;
const CANCEL_FIELDS = ['PlatformID', 'MerchantID', 'MerchantTradeNo', 'MerchantTradeDate'] as const;
const REFUND_FIELDS = [
  'PlatformID',
  'MerchantID',
  'StoreID',
  'OMerchantTradeNo',
  'MerchantTradeNo',
  'MerchantTradeDate',
  'RefundTotalAmount',
  'RefundItemAmt',
  'RefundUtilityAmt',
  'RefundCommAmt',
  'TransactionID',
  'StoreName',
] as const;
const OAUTH_FIELDS = [
  'grant_type',
  'client_id',
  'client_secret',
  'scope',
  'token',
  'token_type_hint',
];

// ---- building blocks -------------------------------------------------------------------

/** Strings with control characters, lone surrogates, quotes and backslashes. */
const nastyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)) }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\ud800',
    '\udfff',
    '"',
    '\\',
    '%00',
    '../../etc/passwd',
    '${jndi:ldap://x}',
    "' OR 1=1 --",
    '<script>',
    '\u202e',
    '0',
    'null',
    'true',
    '__proto__',
    'constructor',
  ),
);
/** Strings up to just over the 64 KiB body limit. */
const hugeString = fc
  .tuple(
    fc.constantFrom('a', '字', '\u0000', '"', '\\', '9'),
    fc.integer({ min: 1_000, max: 66_000 }),
  )
  .map(([c, n]) => c.repeat(n));
/** Numbers JSON can carry that an amount cannot. */
const hostileNumber = fc.oneof(
  fc.constantFrom(
    2 ** 53,
    2 ** 53 + 2,
    -(2 ** 53),
    1e308,
    -1e308,
    Number.MIN_VALUE,
    -0,
    0.5,
    99_999_999_999,
    100_000_000_000,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);
/** Any value of a wrong (or right) type for a field. */
const wrongValue = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: nastyString },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
);
/** Sometimes the right kind of value, so calls get past the first checks. */
const plausible = (field: string): fc.Arbitrary<unknown> => {
  switch (field) {
    case 'MerchantTradeNo':
      return fc.stringMatching(/^[A-Za-z0-9_-]{1,50}$/);
    case 'MerchantTradeDate':
      return fc.constantFrom(
        now(),
        '2024/02/30 12:00:00',
        '2024/01/01 24:00:00',
        now().replace(/\//g, '-'),
      );
    case 'StoreName':
      return fc.string({ maxLength: 40 });
    case 'Barcode':
      return fc.stringMatching(/^[A-Za-z0-9]{1,30}$/);
    case 'PlatformID':
    case 'MerchantID':
    case 'StoreID':
      return fc.stringMatching(/^\d{1,25}$/);
    default:
      return fc.integer({ min: -5, max: 1_000 });
  }
};
const requestObject = (fields: readonly string[]) =>
  fc
    .tuple(
      ...fields.map((f) =>
        fc.option(fc.oneof(plausible(f), wrongValue), { nil: undefined, freq: 3 }),
      ),
    )
    .chain((values) =>
      fc
        .option(fc.dictionary(nastyString, wrongValue, { maxKeys: 2 }), { freq: 4 })
        .map((extra) => {
          const out: Record<string, unknown> = {};
          fields.forEach((f, i) => {
            if (values[i] !== undefined) out[f] = values[i];
          });
          return extra ? { ...extra, ...out } : out;
        }),
    );
const envelope = (fields: readonly string[]) =>
  fc.record(
    {
      type: fc.oneof(fc.constant(TYPE), wrongValue),
      store_id: fc.oneof(fc.constantFrom('S1', 'S404', '0'), wrongValue),
      is_test: fc.oneof(fc.constantFrom(true, false, 'TRUE', 'false', 'yes'), wrongValue),
      request: fc.oneof(
        { weight: 4, arbitrary: requestObject(fields) },
        { weight: 1, arbitrary: wrongValue },
      ),
      extra: wrongValue,
    },
    { requiredKeys: [] },
  );

/** Deeply nested JSON as raw text (arrays, objects, or nested inside a real request). */
const deepJson = fc
  .tuple(
    fc.constantFrom('array', 'object', 'inRequest', 'unclosed'),
    fc.integer({ min: 5_000, max: 30_000 }),
  )
  .map(([kind, depth]) => {
    switch (kind) {
      case 'array':
        return '['.repeat(depth) + ']'.repeat(depth);
      case 'object':
        return '{"a":'.repeat(depth / 5) + '1' + '}'.repeat(depth / 5);
      case 'inRequest':
        return `{"type":"${TYPE}","store_id":"S1","request":{"MerchantTradeNo":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
      default:
        return '['.repeat(depth);
    }
  });
/** Prototype-pollution keys as raw JSON text (JSON.stringify would never write them). */
const protoJson = fc
  .tuple(
    fc.constantFrom(
      '{"__proto__":{"polluted":1}}',
      '{"constructor":{"prototype":{"polluted":1}}}',
      `{"type":"${TYPE}","store_id":"S1","request":{"__proto__":{"MerchantTradeNo":"X"}}}`,
      `{"type":"${TYPE}","store_id":"S1","request":{"constructor":{"prototype":{"a":1}}}}`,
      `{"type":"${TYPE}","__proto__":{"store_id":"S1"},"request":{"MerchantTradeNo":"A1"}}`,
      '{"grant_type":"client_credentials","__proto__":{"client_id":"x","client_secret":"y"}}',
      '{"prototype":{"a":1},"constructor":1}',
      '[{"__proto__":{}}]',
    ),
    fc.boolean(),
  )
  .map(([text, spaced]) => (spaced ? text.replace(/:/g, ' : ') : text));
/** Numbers beyond what JSON.parse keeps exactly, as raw text. */
const bigNumberJson = fc
  .tuple(
    fc.constantFrom(...PAY_FIELDS.filter((f) => /Amt|Amount/.test(f))),
    fc.constantFrom(
      '9007199254740993',
      '1e308',
      '1e400',
      '-1e400',
      '123456789012345678901234567890',
      '-0',
      '1.0000000000000002',
      '0x10',
      'NaN',
      'Infinity',
    ),
  )
  .map(
    ([field, number]) =>
      `{"type":"${TYPE}","store_id":"S1","request":{"MerchantTradeNo":"BIG1","StoreName":"s","MerchantTradeDate":"${now()}","TotalAmount":1,"ItemAmt":1,"UtilityAmt":0,"CommAmt":0,"Barcode":"1","${field}":${number}}}`,
  );
/** Raw control characters inside JSON strings (invalid JSON) and escaped ones (valid). */
const controlJson = fc.tuple(fc.integer({ min: 0, max: 0x1f }), fc.boolean()).map(([code, raw]) => {
  const ch = raw ? String.fromCharCode(code) : `\\u${code.toString(16).padStart(4, '0')}`;
  return `{"type":"${TYPE}","store_id":"S${ch}1","request":{"MerchantTradeNo":"A${ch}1","MerchantTradeDate":"${now()}"}}`;
});
/** Bytes that are not UTF-8, alone or inside otherwise valid JSON. */
const invalidUtf8 = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 2_000 }).map((b) => Buffer.from(b)),
  fc
    .uint8Array({ minLength: 1, maxLength: 16 })
    .map((b) =>
      Buffer.concat([
        Buffer.from(`{"type":"${TYPE}","store_id":"`),
        Buffer.from(b.map((x) => x | 0x80)),
        Buffer.from(`","request":{"MerchantTradeNo":"A1"}}`),
      ]),
    ),
  fc.constantFrom(
    Buffer.from([0xc0, 0xaf]),
    Buffer.from([0xed, 0xa0, 0x80]),
    Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]),
    Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]),
  ),
);
const rawBody = fc.oneof(deepJson, protoJson, bigNumberJson, controlJson, hugeString);

/** Header values undici will send: tab, printable ASCII and the latin-1 upper half. */
const headerValue = fc.string({
  unit: fc
    .oneof(
      fc.integer({ min: 0x20, max: 0x7e }),
      fc.integer({ min: 0x80, max: 0xff }),
      fc.constant(9),
    )
    .map((c) => String.fromCharCode(c)),
  maxLength: 300,
});
const contentType = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=latin1',
    'application/json; charset=utf-16',
    'APPLICATION/JSON',
    'application/x-www-form-urlencoded',
    'text/plain',
    'multipart/form-data; boundary=x',
    'application/xml',
    'application/json, text/plain',
    '*/*',
    ';',
    '',
  ),
  headerValue,
);
const queryPart = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }).map((s) => encodeURIComponent(s)),
  fc.constantFrom(
    '%',
    '%zz',
    '%ff',
    '%00',
    '%c0%af',
    '%ed%a0%80',
    '[',
    ']',
    '[]',
    'a[b]',
    '__proto__',
    'constructor[prototype][x]',
    '&',
    '=',
    '',
  ),
);

// ---- the test --------------------------------------------------------------------------

describe('hostile input', { timeout: Math.max(120_000, RUNS * 400) }, () => {
  let sandbox: SandboxHandle;
  let t: TestGateway;
  let company: TestCompany;
  let merchant: SandboxMerchant;
  let sent = 0;
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    sandbox = await startSandbox();
    t = await startTestGateway({
      OMNIGATE_ICASH_TEST_URL: sandbox.baseUrls.icash,
      OMNIGATE_ICASH_PROD_URL: sandbox.baseUrls.icash,
      OMNIGATE_RATE_LIMIT_PER_MINUTE: '0',
      OMNIGATE_TOKEN_FAILURES_PER_CLIENT: '1000000',
      OMNIGATE_TOKEN_FAILURES_PER_ADDRESS: '1000000',
      OMNIGATE_LOG_LEVEL: 'warn',
    });
    company = await newCompany(t);
    merchant = await newMerchant(sandbox);
    await registerKeys(t, company.companyId, merchant, 'test');
    await registerKeys(t, company.companyId, merchant, 'prod');
    await registerStore(t, company.companyId, 'S1', merchant, 'test');
    await registerStore(t, company.companyId, 'S1', merchant, 'prod');
  });

  afterAll(async () => {
    await t?.close();
    await sandbox?.close();
  });

  const auth = (): Record<string, string> => ({ authorization: `Bearer ${company.token}` });

  /** A 200 is fine only as a whole answer of the endpoint. */
  function wellFormed200(path: string, body: Record<string, unknown>): boolean {
    if (path.startsWith('/oauth/v1/token')) return typeof body.access_token === 'string';
    if (path.startsWith('/oauth/v1/revoke')) return Object.keys(body).length === 0;
    if (path.startsWith('/v1/payment/transactions/')) return typeof body.request_id === 'string';
    if (path.startsWith('/v1/payment/transactions')) return Array.isArray(body.transactions);
    return (
      typeof body.RtnCode === 'number' &&
      typeof body.RtnMsg === 'string' &&
      (body.EncData === null || typeof body.EncData === 'object')
    );
  }

  async function exchange(family: Family, x: Exchange): Promise<RawAnswer> {
    const res = await send(t.url, x.method, x.path, x.headers, x.body);
    sent += 1;
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    const where = `${x.method} ${x.path.slice(0, 120)} → ${res.status} ${res.text.slice(0, 300)}`;
    expect(res.status, where).toBeLessThan(500);
    expect(res.status === 200 || (res.status >= 400 && res.status < 500), where).toBe(true);
    expect(res.headers['content-type'], where).toMatch(/^application\/json/);
    expect(res.text, where).not.toMatch(STACK);
    const body = res.json;
    expect(body !== null && typeof body === 'object' && !Array.isArray(body), where).toBe(true);
    const o = body as Record<string, unknown>;
    if (res.status === 200) {
      expect(wellFormed200(x.path, o), where).toBe(true);
      return res;
    }
    expect(res.headers['x-request-id'], where).toBeTruthy();
    if (family === 'oauth') {
      expect(Object.keys(o).sort(), where).toEqual(['error', 'error_description', 'request_id']);
      expect(OAUTH_ERRORS, where).toContain(o.error);
      expect(typeof o.error_description === 'string' && o.error_description.length > 0, where).toBe(
        true,
      );
    } else {
      expect(Object.keys(o).sort(), where).toEqual(['code', 'message', 'request_id']);
      expect(o.code, where).toMatch(/^[a-z_]+$/);
      expect(typeof o.message === 'string' && o.message.trim().length > 0, where).toBe(true);
    }
    expect(o.request_id, where).toBe(res.headers['x-request-id']);
    return res;
  }

  const property = <T>(arb: fc.Arbitrary<T>, run: (value: T) => Promise<unknown>, numRuns = RUNS) =>
    fc.assert(
      fc.asyncProperty(arb, async (value) => {
        await run(value);
      }),
      { numRuns },
    );

  const oauthPath = fc.constantFrom('/oauth/v1/token', '/oauth/v1/revoke');
  const integratePath = fc.constantFrom(
    '/v1/payment/integrate/pay',
    '/v1/payment/integrate/cancel',
    '/v1/payment/integrate/refund',
  );

  it('POST /oauth/v1/token and /revoke: form bodies', async () => {
    const params = fc.dictionary(
      fc.oneof(fc.constantFrom(...OAUTH_FIELDS), nastyString),
      fc.oneof(
        fc.constantFrom('client_credentials', 'api', company.clientId),
        nastyString,
        fc.string({ maxLength: 300 }),
      ),
      { maxKeys: 6 },
    );
    const body = fc.oneof(
      { weight: 4, arbitrary: params.map((p) => new URLSearchParams(p).toString()) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
      {
        weight: 1,
        arbitrary: fc.constantFrom('a=1&a=2', '%', '%zz=1', '=&=&', 'grant_type', 'x'.repeat(9000)),
      },
    );
    await property(fc.tuple(oauthPath, body), ([path, b]) =>
      exchange('oauth', {
        method: 'POST',
        path,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: b,
      }),
    );
  });

  it('POST /oauth/v1/token and /revoke: JSON bodies with wrong types', async () => {
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.record(
        {
          grant_type: fc.oneof(fc.constant('client_credentials'), wrongValue),
          client_id: fc.oneof(fc.constant(company.clientId), wrongValue),
          client_secret: wrongValue,
          scope: wrongValue,
          token: wrongValue,
        },
        { requiredKeys: [] },
      ),
    );
    await property(fc.tuple(oauthPath, body), ([path, b]) =>
      exchange('oauth', {
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(b),
      }),
    );
  });

  it('POST /v1/payment/integrate/pay, /cancel and /refund: JSON bodies with real field names and wrong values', async () => {
    const body = fc.oneof(
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
      { weight: 4, arbitrary: envelope(PAY_FIELDS) },
      { weight: 4, arbitrary: envelope(CANCEL_FIELDS) },
      { weight: 4, arbitrary: envelope(REFUND_FIELDS) },
    );
    await property(fc.tuple(integratePath, body), ([path, b]) =>
      exchange('api', {
        method: 'POST',
        path,
        headers: { ...auth(), 'content-type': 'application/json' },
        body: JSON.stringify(b),
      }),
    );
  });

  it('every POST endpoint: deep nesting, __proto__/constructor keys, huge numbers and strings, control characters', async () => {
    await property(
      fc.tuple(fc.oneof(oauthPath, integratePath), rawBody, fc.boolean()),
      ([path, b, withKey]) =>
        exchange(path.startsWith('/oauth') ? 'oauth' : 'api', {
          method: 'POST',
          path,
          headers: {
            ...(path.startsWith('/oauth') ? {} : auth()),
            'content-type': 'application/json',
            // The idempotency fingerprint serialises the body too.
            ...(withKey && !path.startsWith('/oauth') ? { 'idempotency-key': `k-${sent}` } : {}),
          },
          body: b,
        }),
    );
  });

  it('every POST endpoint: invalid UTF-8 bytes', async () => {
    await property(
      fc.tuple(
        fc.oneof(oauthPath, integratePath),
        invalidUtf8,
        fc.constantFrom('application/json', 'application/x-www-form-urlencoded'),
      ),
      ([path, b, type]) =>
        exchange(path.startsWith('/oauth') ? 'oauth' : 'api', {
          method: 'POST',
          path,
          headers: { ...(path.startsWith('/oauth') ? {} : auth()), 'content-type': type },
          body: b,
        }),
    );
  });

  it('GET /v1/payment/integrate/search: random query strings', async () => {
    const key = fc.oneof(fc.constantFrom('type', 'request', 'store_id', 'is_test'), queryPart);
    const value = fc.oneof(
      queryPart,
      fc.constant(TYPE),
      fc.jsonValue({ maxDepth: 3 }).map((v) => encodeURIComponent(JSON.stringify(v))),
      requestObject(['PlatformID', 'MerchantID', 'MerchantTradeNo']).map((r) =>
        encodeURIComponent(JSON.stringify(r)),
      ),
      fc.integer({ min: 100, max: 1_800 }).map((n) => '%5B'.repeat(n) + '%5D'.repeat(n)),
    );
    // Within Node's 16 KiB header limit (beyond it, see the test of an oversized URL below).
    const query = fc
      .array(fc.tuple(key, value, fc.boolean()), { maxLength: 6 })
      .map((pairs) => pairs.map(([k, v, bare]) => (bare ? k : `${k}=${v}`)).join('&'))
      .filter((q) => q.length <= 12_000);
    await property(query, (q) =>
      exchange('api', {
        method: 'GET',
        path: `/v1/payment/integrate/search?${q}`,
        headers: auth(),
      }),
    );
  });

  it('GET /v1/payment/transactions/<random> and ?MerchantTradeNo=<random>', async () => {
    const segment = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 260 }).map((s) => encodeURIComponent(s)),
      queryPart.filter((s) => s !== '' && !s.includes('&') && !s.includes('=')),
      fc.constantFrom('..', '.', '%2e%2e', '%2F', 'a%2Fb', '%5C', ' ', '%20'),
    );
    const path = fc.oneof(
      segment.map((s) => `/v1/payment/transactions/${s}`),
      fc
        .array(fc.tuple(fc.oneof(fc.constant('MerchantTradeNo'), queryPart), queryPart), {
          maxLength: 4,
        })
        .map((pairs) => `/v1/payment/transactions?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`),
    );
    await property(path, (p) => exchange('api', { method: 'GET', path: p, headers: auth() }));
  });

  it('random headers: Idempotency-Key bytes, Authorization junk, Content-Type junk', async () => {
    const authorization = fc.oneof(
      headerValue,
      headerValue.map((v) => `Bearer ${v}`),
      headerValue.map((v) => `Basic ${v}`),
      headerValue.map((v) => `Basic ${Buffer.from(v, 'latin1').toString('base64')}`),
      fc.constantFrom('Bearer', 'Bearer ', 'bearer  x', 'Basic', 'Basic ===='),
      fc.constant(`Bearer ${company.token}`),
      headerValue.map((v) => `Bearer ${company.token}${v}`),
    );
    const target = fc.constantFrom(
      '/oauth/v1/token',
      '/oauth/v1/revoke',
      '/v1/payment/integrate/pay',
      '/v1/payment/integrate/cancel',
      '/v1/payment/integrate/refund',
      '/v1/payment/integrate/search',
      '/v1/payment/transactions/x',
    );
    const headers = fc.record(
      {
        authorization,
        'idempotency-key': headerValue,
        'content-type': contentType,
        accept: headerValue,
        'x-forwarded-for': headerValue,
      },
      { requiredKeys: [] },
    );
    const body = fc.constantFrom(
      JSON.stringify({
        type: TYPE,
        store_id: 'S1',
        request: { MerchantTradeNo: 'H1', MerchantTradeDate: now() },
      }),
      'grant_type=client_credentials',
      '{}',
    );
    await property(fc.tuple(target, headers, body), ([path, h, b]) => {
      const clean: Record<string, string> = {};
      for (const [name, value] of Object.entries(h)) {
        if (value !== undefined && value.trim() !== '') clean[name] = value;
      }
      const isGet = path.includes('/search') || path.includes('/transactions');
      return exchange(path.startsWith('/oauth') ? 'oauth' : 'api', {
        method: isGet ? 'GET' : 'POST',
        path: path.includes('/search') ? `${path}?type=${TYPE}&store_id=S1` : path,
        headers: clean,
        body: isGet ? undefined : b,
      });
    });
  });

  it('any method on mangled paths: 404 or 405 with Allow (never 5xx); POST on /v1 routes as usual', async () => {
    const known = [
      '/oauth/v1/token',
      '/oauth/v1/revoke',
      '/v1/payment/integrate/pay',
      '/v1/payment/integrate/cancel',
      '/v1/payment/integrate/refund',
      '/v1/payment/integrate/search',
      '/v1/payment/transactions',
      '/v1/payment/transactions/x',
      '/healthz',
      '/openapi.json',
      '/docs',
    ];
    // Percent-encode some characters, double or drop slashes, add a segment or a query.
    const mangle = (path: string, edits: number[]): string => {
      let out = path;
      for (const edit of edits) {
        const at = edit % Math.max(out.length, 1);
        const c = out.charAt(at);
        switch (edit % 6) {
          case 0:
            if (c && c !== '/')
              out = `${out.slice(0, at)}%${c.charCodeAt(0).toString(16)}${out.slice(at + 1)}`;
            break;
          case 1:
            if (c === '/') out = `${out.slice(0, at)}/${out.slice(at)}`;
            break;
          case 2:
            out = `${out}/`;
            break;
          case 3:
            out = `${out}/${edit.toString(36)}`;
            break;
          case 4:
            out = `${out}?x=${edit}`;
            break;
          default:
            out = out.toUpperCase();
        }
      }
      return out;
    };
    const safeDecode = (text: string): string => {
      try {
        return decodeURIComponent(text);
      } catch {
        return text; // the gateway answers 400 malformed_url
      }
    };
    const method = fc.constantFrom<Method>('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS');
    const path = fc
      .tuple(fc.constantFrom(...known), fc.array(fc.nat(), { maxLength: 3 }))
      .map(([p, edits]) => mangle(p, edits));
    const routeMethods = new Map<string, string>();
    await property(fc.tuple(method, path), async ([m, p]) => {
      // Keep away from answers in other shapes: the OAuth endpoints' own (their POSTs have
      // their own property) and the health, OpenAPI and docs pages.
      const plain = safeDecode(p.split('?')[0]!).toLowerCase();
      if (m === 'POST' && plain.includes('oauth')) return;
      if (m === 'GET' && /^\/+(healthz|openapi\.json|docs)/.test(plain)) return;
      const res = await exchange('api', {
        method: m,
        path: p,
        headers: { ...auth(), 'content-type': 'application/json' },
        body: m === 'GET' || m === 'OPTIONS' ? undefined : '{}',
      });
      const code = (res.json as Record<string, unknown>).code;
      if (res.status === 405) {
        expect(code).toBe('method_not_allowed');
        expect(res.headers.allow, p).toMatch(/^[A-Z]+(, [A-Z]+)*$/);
        expect(res.headers.allow!.split(', '), p).not.toContain(m);
        routeMethods.set(res.headers.allow!, p);
      } else if (res.status === 404 && code !== 'store_not_found') {
        expect(['not_found'], p).toContain(code);
      }
    });
    // The generator reaches routes for both kinds of Allow.
    expect([...routeMethods.keys()].sort()).toEqual(['GET, HEAD', 'POST']);
  });

  it('a URL beyond the 16 KiB header limit: 431 from the HTTP parser, JSON naming the problem', async () => {
    // Refused by Node's HTTP parser before any request exists (so no request id).
    const res = await send(
      t.url,
      'GET',
      `/v1/payment/integrate/search?request=${'%5B'.repeat(6_000)}`,
      auth(),
    );
    expect(res.status).toBe(431);
    expect(res.text).not.toMatch(STACK);
    expect(String((res.json as Record<string, unknown>).message)).toMatch(/header size/i);
  });

  it('sent thousands of requests; answers were 4xx (and a few well-formed 200s)', () => {
    expect(sent).toBeGreaterThanOrEqual(2_000);
    const summary = Object.fromEntries([...statuses].sort(([a], [b]) => a - b));
    for (const status of statuses.keys()) expect(status, JSON.stringify(summary)).toBeLessThan(500);
    // The generators reach deep into the pipeline, not only its first check. The
    // counts of the rarer answers vary with the random inputs (10 413s were seen
    // in one run), so those are only required to occur a few times.
    expect(statuses.get(400)).toBeGreaterThan(500);
    expect(statuses.get(401)).toBeGreaterThanOrEqual(3);
    expect(statuses.get(413)).toBeGreaterThanOrEqual(3);
    expect(statuses.get(415)).toBeGreaterThanOrEqual(3);
  });

  it('the process is healthy afterwards: /healthz 200, a real call works, memory is sane, no internal error logged', async () => {
    const health = await send(t.url, 'GET', '/healthz');
    expect(health.status).toBe(200);
    const search = await send(
      t.url,
      'GET',
      `/v1/payment/integrate/search?type=${TYPE}&store_id=S1&request=${encodeURIComponent(
        JSON.stringify({ MerchantTradeNo: 'NO-SUCH-TRADE' }),
      )}`,
      auth(),
    );
    expect(search.status).toBe(200);
    expect(typeof (search.json as Record<string, unknown>).RtnCode).toBe('number');
    const memory = process.memoryUsage();
    expect(memory.heapUsed).toBeLessThan(1024 * 1024 * 1024);
    expect(memory.rss).toBeLessThan(2 * 1024 * 1024 * 1024);
    expect(t.logs.filter((line) => /internal error|"level":[56]0/.test(line))).toEqual([]);
    // Nothing reached Object.prototype.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
