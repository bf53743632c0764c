import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserService } from '../../src/admin/users.js';
import { WebhookEndpoints } from '../../src/webhooks/endpoints.js';
import { waitFor } from '../reliability/helpers.js';
import { newChannel, newKey } from '../sandbox/line-pay/helpers.js';
import {
  startReceiver,
  verifyByHand,
  verifyWithLibrary,
  type Receiver,
  type Received,
} from '../webhooks/receiver.js';
import {
  TYPE,
  issueToken,
  newBarcode,
  newCompany,
  newMerchant,
  payRequest,
  registerKeys,
  registerStore,
  startSandbox,
  startTestGateway,
  tradeNo,
  type SandboxHandle,
  type SandboxMerchant,
  type TestCompany,
  type TestGateway,
} from './helpers.js';
import { PASSWORD, adminFetch, adminLogin, type Login } from './admin-helpers.js';

const LINE = 'LINE_QRCODE_PAY';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** The icash key set of a sandbox merchant as the admin API's `fields`. */
const keyFields = (m: SandboxMerchant): Record<string, string> => ({
  'platform-id': m.PlatformID,
  'enc-key-id': m.EncKeyID,
  'aes-key': m.AESKey,
  'aes-iv': m.AESIV,
  'client-private-key': m.ClientPrivateKey,
  'server-public-key': m.ServerPublicKey,
});

const storeFields = (m: SandboxMerchant): Record<string, string> => ({
  'platform-id': m.PlatformID,
  'merchant-id': m.MerchantID,
});

/** A stretch from the middle of a PEM's base64 body: never reformatted, so a copy would show it. */
const pemBody = (pem: string): string =>
  pem
    .replace(/-----[A-Z ]+-----/g, '')
    .replace(/\s+/g, '')
    .slice(40, 120);

/**
 * Management through the admin API over a real socket and a real database
 * (SQLite, and PostgreSQL in the postgres project): companies, credentials and
 * store configurations (proved by real payments against the sandbox), users,
 * webhook endpoints (a test event verified with standardwebhooks), the role
 * table, company isolation, and an audit log with every change and no secret.
 */
describe('admin API: management', () => {
  let sandbox: SandboxHandle;
  let t: TestGateway;
  let receiver: Receiver;
  let a: TestCompany;
  let b: TestCompany;
  let merchant: SandboxMerchant;
  let users: UserService;
  /** Every secret and password this file handles: none may reach the audit log. */
  const secrets: string[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox();
    t = await startTestGateway({
      OMNIGATE_ICASH_TEST_URL: sandbox.baseUrls.icash,
      OMNIGATE_LINEPAY_TEST_URL: sandbox.url,
      OMNIGATE_WEBHOOK_SCHEDULE: '0s,100ms,100ms',
      OMNIGATE_WEBHOOK_INTERVAL_MS: '50',
      OMNIGATE_WEBHOOK_TIMEOUT_MS: '1000',
      OMNIGATE_RECONCILE_SCHEDULE: '10m',
    });
    receiver = await startReceiver();
    a = await newCompany(t, 'company a');
    b = await newCompany(t, 'company b');
    merchant = await newMerchant(sandbox);
    await registerKeys(t, a.companyId, merchant);
    await registerStore(t, a.companyId, 'S1', merchant);
    secrets.push(merchant.AESKey, merchant.AESIV, pemBody(merchant.ClientPrivateKey), PASSWORD);
    users = new UserService(t.gateway.services.store, { actor: 'system' });
    for (const [email, role, companyId] of [
      ['admin@a.example', 'admin', a.companyId],
      ['operator@a.example', 'operator', a.companyId],
      ['viewer@a.example', 'viewer', a.companyId],
      ['admin@b.example', 'admin', b.companyId],
      ['operator@b.example', 'operator', b.companyId],
      ['root@platform.example', 'admin', null],
      ['operator@platform.example', 'operator', null],
      ['viewer@platform.example', 'viewer', null],
    ] as const) {
      await users.create({ email, role, companyId, password: PASSWORD });
    }
  });

  afterAll(async () => {
    await t?.close();
    await sandbox?.close();
    await receiver?.close();
  });

  const login = (email: string, password = PASSWORD): Promise<Login> =>
    adminLogin(t.url, email, password);

  const loginStatus = async (email: string, password: string): Promise<number> =>
    (
      await fetch(`${t.url}/admin/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      })
    ).status;

  const call = (
    method: Method,
    path: string,
    session?: Login,
    body?: object,
    /** null: no X-CSRF-Token header at all. */
    csrf: string | null | undefined = session?.csrf,
  ) => adminFetch(t.url, method, path, { session, body, csrf });

  /** A call answered as JSON (204: null), with its status and request id. */
  async function json<T = Record<string, unknown>>(
    method: Method,
    path: string,
    session?: Login,
    body?: object,
  ): Promise<{ status: number; body: T; requestId: string; headers: Headers }> {
    const res = await call(method, path, session, body);
    const text = await res.text();
    return {
      status: res.status,
      body: (text === '' ? null : JSON.parse(text)) as T,
      requestId: res.headers.get('x-request-id')!,
      headers: res.headers,
    };
  }

  const service = () =>
    new WebhookEndpoints(t.gateway.services.store, { httpsOnly: false, allowPrivate: true });
  const spareEndpoint = async (companyId = a.companyId) =>
    (await service().create(companyId, `${receiver.url}?spare`, null)).endpointId;
  let spareCount = 0;
  const spareUser = async (companyId: string | null = a.companyId) =>
    (
      await users.create({
        email: `spare${(spareCount += 1)}@example.com`,
        role: 'viewer',
        companyId,
        password: PASSWORD,
      })
    ).user.userId;
  /** A delivery of a test event to a spare endpoint of A. */
  const spareDelivery = async () => {
    const { eventId } = await service().sendTest(await spareEndpoint(), 'test');
    const [delivery] = await t.gateway.services.store.webhooks.deliveries({ eventId });
    return delivery!.deliveryId;
  };

  /** The receiver's requests of one event (its webhook-id), once `count` arrived. */
  const received = (eventId: string, count = 1): Promise<Received[]> =>
    waitFor(
      `${count} request(s) of ${eventId}`,
      () => {
        const got = receiver.received.filter((r) => r.headers['webhook-id'] === eventId);
        return got.length >= count ? got : undefined;
      },
      10_000,
    );

  it('the role table: every management route × viewer/operator/admin, 401 without a session, 403 csrf_failed without the token', async () => {
    const sessions = {
      viewer: await login('viewer@a.example'),
      operator: await login('operator@a.example'),
      admin: await login('admin@a.example'),
    };
    let emails = 0;
    const routes: {
      method: Method;
      path: () => Promise<string> | string;
      least: 'viewer' | 'operator' | 'admin';
      /** The answer when the role may (default 200). */
      allowed?: number;
      /** The answer to a company admin, when even it may not. */
      companyAdmin?: number;
      body?: () => object;
    }[] = [
      { method: 'GET', path: () => '/admin/v1/wallets', least: 'viewer' },
      {
        method: 'POST',
        path: () => '/admin/v1/companies',
        least: 'admin',
        companyAdmin: 403,
        body: () => ({ name: 'not for a company admin' }),
      },
      {
        method: 'PUT',
        path: () => `/admin/v1/stores/S2/configs/${TYPE}/test`,
        least: 'admin',
        body: () => ({ fields: storeFields(merchant) }),
      },
      {
        method: 'PUT',
        path: () => `/admin/v1/credentials/${TYPE}/test`,
        least: 'admin',
        body: () => ({ fields: keyFields(merchant) }),
      },
      {
        method: 'POST',
        path: () => '/admin/v1/users',
        least: 'admin',
        allowed: 201,
        body: () => ({
          email: `table${(emails += 1)}@a.example`,
          role: 'viewer',
          password: PASSWORD,
        }),
      },
      {
        method: 'POST',
        path: async () => `/admin/v1/users/${await spareUser()}/disable`,
        least: 'admin',
      },
      {
        method: 'POST',
        path: async () => `/admin/v1/users/${await spareUser()}/password`,
        least: 'admin',
        body: () => ({ password: PASSWORD }),
      },
      { method: 'GET', path: () => '/admin/v1/webhooks', least: 'viewer' },
      {
        method: 'POST',
        path: () => '/admin/v1/webhooks',
        least: 'admin',
        allowed: 201,
        body: () => ({ url: `${receiver.url}?table` }),
      },
      {
        method: 'DELETE',
        path: async () => `/admin/v1/webhooks/${await spareEndpoint()}`,
        least: 'admin',
        allowed: 204,
      },
      {
        method: 'POST',
        path: async () => `/admin/v1/webhooks/${await spareEndpoint()}/rotate-secret`,
        least: 'admin',
      },
      {
        method: 'GET',
        path: async () => `/admin/v1/webhooks/${await spareEndpoint()}/deliveries`,
        least: 'viewer',
      },
      {
        method: 'POST',
        path: async () => `/admin/v1/webhooks/deliveries/${await spareDelivery()}/resend`,
        least: 'operator',
      },
      {
        method: 'POST',
        path: async () => `/admin/v1/webhooks/${await spareEndpoint()}/test`,
        least: 'operator',
        allowed: 202,
      },
    ];
    const rank = { viewer: 0, operator: 1, admin: 2 } as const;
    const table: string[] = [];
    for (const route of routes) {
      const label = `${route.method} ${await route.path()}`;
      const anonymous = await call(route.method, await route.path(), undefined, route.body?.());
      expect(anonymous.status, `anonymous ${label}`).toBe(401);
      expect(((await anonymous.json()) as { code: string }).code).toBe('no_session');
      if (route.method !== 'GET') {
        const forged = await call(
          route.method,
          await route.path(),
          sessions.admin,
          route.body?.(),
          null,
        );
        expect(forged.status, `no CSRF token ${label}`).toBe(403);
        expect(((await forged.json()) as { code: string }).code).toBe('csrf_failed');
      }
      for (const role of ['viewer', 'operator', 'admin'] as const) {
        const path = await route.path();
        const res = await call(route.method, path, sessions[role], route.body?.());
        const expected =
          rank[role] < rank[route.least]
            ? 403
            : role === 'admin' && route.companyAdmin !== undefined
              ? route.companyAdmin
              : (route.allowed ?? 200);
        table.push(`${role} ${route.method} ${path}: ${res.status}`);
        expect(res.status, `${role} ${route.method} ${path}: ${await res.clone().text()}`).toBe(
          expected,
        );
        if (res.status === 403) expect(await res.json()).toMatchObject({ code: 'forbidden' });
        else await res.arrayBuffer();
      }
    }
    expect(table.length).toBe(routes.length * 3);

    // Platform users: only a platform admin creates companies and platform users.
    for (const [email, expected] of [
      ['viewer@platform.example', 403],
      ['operator@platform.example', 403],
      ['root@platform.example', 201],
    ] as const) {
      const session = await login(email);
      const company = await call('POST', '/admin/v1/companies', session, { name: `by ${email}` });
      expect(company.status, email).toBe(expected);
      const user = await call('POST', '/admin/v1/users', session, {
        email: `platform-${email}`,
        role: 'viewer',
        platform: true,
        password: PASSWORD,
      });
      expect(user.status, email).toBe(expected);
    }
    const fromCompany = await json('POST', '/admin/v1/users', sessions.admin, {
      email: 'would-be-platform@a.example',
      role: 'admin',
      platform: true,
    });
    expect(fromCompany.status).toBe(403);
    expect(fromCompany.body).toMatchObject({ code: 'forbidden' });
  });

  it('GET /wallets: every payment type with the options its credential and store forms need', async () => {
    const wallets = await json<
      {
        type: string;
        display_name: string;
        credential_options: { name: string; input: string; required: boolean }[];
        store_options: { name: string; input: string; choices?: string[] }[];
      }[]
    >('GET', '/admin/v1/wallets', await login('viewer@a.example'));
    expect(wallets.status).toBe(200);
    expect(wallets.body.map((w) => w.type)).toEqual([TYPE, LINE]);
    const icash = wallets.body[0]!;
    expect(icash.display_name).toBe('icash Pay');
    expect(icash.credential_options.map((o) => [o.name, o.input])).toEqual(
      Object.keys(keyFields(merchant)).map((name) => [
        name,
        name.startsWith('aes') ? 'secret' : name.endsWith('-key') ? 'file' : 'value',
      ]),
    );
    const line = wallets.body[1]!;
    expect(line.credential_options).toEqual([]);
    expect(line.store_options.find((o) => o.name === 'api-version')?.choices).toEqual(['v2', 'v4']);
    expect(line.store_options.find((o) => o.name === 'channel-secret')?.input).toBe('secret');
  });

  it('a platform admin creates a company, a client, a credential and store configurations; real payments then succeed', async () => {
    const root = await login('root@platform.example');
    const company = await json<{ company_id: string; name: string; created_at: string }>(
      'POST',
      '/admin/v1/companies',
      root,
      { name: '新公司' },
    );
    expect(company.status).toBe(201);
    expect(company.body).toMatchObject({
      name: '新公司',
      company_id: expect.stringMatching(/^cmp_/),
    });
    const companyId = company.body.company_id;
    const client = await json<{ client_id: string; client_secret: string }>(
      'POST',
      '/admin/v1/clients',
      root,
      { name: 'pos', company_id: companyId },
    );
    expect(client.status).toBe(201);
    secrets.push(client.body.client_secret);
    const token = await issueToken(t.url, client.body.client_id, client.body.client_secret);

    // The platform admin must say which company.
    const unnamed = await json('PUT', `/admin/v1/credentials/${TYPE}/test`, root, {
      fields: keyFields(merchant),
    });
    expect(unnamed.status).toBe(400);
    expect(unnamed.body).toMatchObject({ code: 'missing_field', message: 'company_id 不可為空' });
    const nowhere = await json('PUT', `/admin/v1/credentials/${TYPE}/test`, root, {
      company_id: 'cmp_nope',
      fields: keyFields(merchant),
    });
    expect(nowhere.status).toBe(404);

    const own = await newMerchant(sandbox);
    secrets.push(own.AESKey, own.AESIV, pemBody(own.ClientPrivateKey));
    const credential = await json<Record<string, unknown>>(
      'PUT',
      `/admin/v1/credentials/${TYPE}/test`,
      root,
      { company_id: companyId, fields: keyFields(own) },
    );
    expect(credential.status).toBe(200);
    expect(credential.body).toMatchObject({
      company_id: companyId,
      type: TYPE,
      env: 'test',
      credential_id: own.PlatformID,
      fingerprint: expect.any(String),
      secret_fields: expect.arrayContaining([expect.any(String)]),
    });
    // Metadata only: no key material in the answer.
    const answer = JSON.stringify(credential.body);
    for (const secret of [own.AESKey, own.AESIV, pemBody(own.ClientPrivateKey)]) {
      expect(answer).not.toContain(secret);
    }

    const storeView = await json<{
      company_id: string;
      store_id: string;
      configs: { type: string; env: string; account: Record<string, string> }[];
    }>('PUT', `/admin/v1/stores/S7/configs/${TYPE}/test`, root, {
      company_id: companyId,
      fields: { ...storeFields(own), 'icash-store-id': '' },
    });
    expect(storeView.status).toBe(200);
    expect(storeView.body).toMatchObject({
      company_id: companyId,
      store_id: 'S7',
      configs: [
        {
          type: TYPE,
          env: 'test',
          account: { PlatformID: own.PlatformID, MerchantID: own.MerchantID },
        },
      ],
    });

    const pay = await fetch(`${t.url}/v1/payment/integrate/pay`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        type: TYPE,
        store_id: 'S7',
        request: payRequest(await newBarcode(sandbox), tradeNo('MGT'), 100),
      }),
    });
    expect(pay.status).toBe(200);
    expect(await pay.json()).toMatchObject({ RtnCode: 1 });

    // LINE Pay: the channel secret is a store option (a secret input); v4 signs with it.
    const channel = await newChannel(sandbox, { apiVersion: 'v4' });
    secrets.push(channel.channelSecret);
    const lineStore = await json<{ configs: { type: string; account: Record<string, string> }[] }>(
      'PUT',
      `/admin/v1/stores/L1/configs/${LINE}/test`,
      root,
      {
        company_id: companyId,
        fields: {
          'channel-id': channel.channelId,
          'channel-secret': channel.channelSecret,
          'api-version': 'v4',
        },
      },
    );
    expect(lineStore.status).toBe(200);
    expect(lineStore.body.configs).toEqual([
      expect.objectContaining({ type: LINE, account: { channel_id: channel.channelId } }),
    ]);
    expect(JSON.stringify(lineStore.body)).not.toContain(channel.channelSecret);
    const linePay = await fetch(`${t.url}/v1/payment/integrate/pay`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        type: LINE,
        store_id: 'L1',
        is_test: true,
        request: {
          productName: '測試商品',
          amount: 150,
          currency: 'TWD',
          orderId: `MG-${Date.now()}`,
          oneTimeKey: await newKey(sandbox, channel, 1000),
        },
      }),
    });
    expect(linePay.status).toBe(200);
    expect(await linePay.json()).toMatchObject({ returnCode: '0000' });
    const listed = await json<{ data: { type: string; credential_id: string }[] }>(
      'GET',
      `/admin/v1/credentials?company_id=${companyId}`,
      root,
    );
    expect(listed.body.data.map((c) => [c.type, c.credential_id]).sort()).toEqual(
      [
        [LINE, channel.channelId],
        [TYPE, own.PlatformID],
      ].sort(),
    );
  });

  it('bad input: 400 invalid_field / missing_field naming the field; the wallet’s refusals with their message', async () => {
    const admin = await login('admin@a.example');
    const put = (path: string, body: object) => json('PUT', path, admin, body);
    const cases: [string, object, string, string | RegExp][] = [
      [`/admin/v1/credentials/${TYPE}/test`, {}, 'missing_field', 'fields 不可為空'],
      [
        `/admin/v1/credentials/${TYPE}/test`,
        { fields: { ...keyFields(merchant), bogus: '1' } },
        'invalid_field',
        /^fields\.bogus is not an option/,
      ],
      [
        `/admin/v1/credentials/${TYPE}/test`,
        { fields: { ...keyFields(merchant), 'aes-key': undefined } },
        'missing_field',
        'fields.aes-key 不可為空',
      ],
      [
        `/admin/v1/credentials/${TYPE}/test`,
        { fields: { ...keyFields(merchant), 'aes-key': 'short' } },
        'invalid_field',
        /AES key must be 32/,
      ],
      [
        `/admin/v1/credentials/${TYPE}/test`,
        { fields: { ...keyFields(merchant), 'client-private-key': 'x'.repeat(16 * 1024 + 1) } },
        'invalid_field',
        'fields.client-private-key 格式錯誤',
      ],
      [
        `/admin/v1/credentials/${TYPE}/test`,
        { fields: { ...keyFields(merchant), 'enc-key-id': { n: 7 } } },
        'invalid_field',
        'fields.enc-key-id 格式錯誤',
      ],
      [
        `/admin/v1/credentials/${TYPE}/staging`,
        { fields: keyFields(merchant) },
        'invalid_field',
        'env 格式錯誤',
      ],
      [`/admin/v1/credentials/NOPE/test`, { fields: {} }, 'unknown_payment_type', /NOPE/],
      [
        `/admin/v1/credentials/${LINE}/test`,
        { fields: {} },
        'invalid_field',
        /channels are stored with/,
      ],
      [
        `/admin/v1/stores/S%20X/configs/${TYPE}/test`,
        { fields: storeFields(merchant) },
        'invalid_field',
        /store id must be/,
      ],
      [
        `/admin/v1/stores/L9/configs/${LINE}/test`,
        { fields: { 'channel-id': '1', 'channel-secret': 's', 'api-version': 'v9' } },
        'invalid_field',
        'fields.api-version must be one of v2, v4',
      ],
    ];
    for (const [path, body, code, message] of cases) {
      const res = await put(path, body);
      expect(res.status, `${path} ${JSON.stringify(body).slice(0, 200)}`).toBe(400);
      expect(res.body).toMatchObject({ code, request_id: res.requestId });
      expect((res.body as { message: string }).message).toMatch(message);
    }
    for (const [body, code, message] of [
      [{ url: 'ftp://shop.example/hooks' }, 'invalid_field', 'the webhook URL must be http(s)'],
      [{ url: 'http://169.254.169.254/latest' }, 'invalid_field', /metadata/],
      [{ url: receiver.url, events: ['transaction.nope'] }, 'invalid_field', /unknown event/],
      [{ url: receiver.url, events: [] }, 'invalid_field', 'events 格式錯誤'],
      [{}, 'missing_field', 'url 不可為空'],
    ] as const) {
      const res = await json('POST', '/admin/v1/webhooks', admin, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ code });
      expect((res.body as { message: string }).message).toMatch(message);
    }
    for (const [body, code] of [
      [{ email: 'not-an-email', role: 'viewer' }, 'invalid_field'],
      [{ email: 'x@a.example', role: 'owner' }, 'invalid_field'],
      [{ email: 'x@a.example', role: 'viewer', password: 'short' }, 'invalid_field'],
      [{ email: 'viewer@a.example', role: 'viewer' }, 'invalid_field'],
      [{ role: 'viewer' }, 'missing_field'],
    ] as const) {
      const res = await json('POST', '/admin/v1/users', admin, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ code });
    }
    const me = (await users.list(a.companyId)).find((u) => u.email === 'admin@a.example')!;
    const self = await json('POST', `/admin/v1/users/${me.userId}/disable`, admin);
    expect(self.status).toBe(400);
    expect((await json('GET', '/admin/v1/session', admin)).status).toBe(200);
    // Unknown objects are 404, like another company's.
    for (const [method, path] of [
      ['POST', '/admin/v1/users/usr_nope/disable'],
      ['DELETE', '/admin/v1/webhooks/we_nope'],
      ['POST', '/admin/v1/webhooks/deliveries/wd_nope/resend'],
    ] as const) {
      expect((await json(method, path, admin)).status, path).toBe(404);
    }
  });

  it('company isolation: another company’s stores, credentials, webhooks and users are not found and not changed', async () => {
    const adminB = await login('admin@b.example');
    const operatorB = await login('operator@b.example');
    const viewerA = await login('viewer@a.example');
    const endpointA = await spareEndpoint();
    const deliveryA = await spareDelivery();
    const userA = await spareUser();
    const platformUser = await spareUser(null);

    for (const [session, method, path] of [
      [adminB, 'DELETE', `/admin/v1/webhooks/${endpointA}`],
      [adminB, 'POST', `/admin/v1/webhooks/${endpointA}/rotate-secret`],
      [adminB, 'GET', `/admin/v1/webhooks/${endpointA}/deliveries`],
      [operatorB, 'POST', `/admin/v1/webhooks/${endpointA}/test`],
      [operatorB, 'POST', `/admin/v1/webhooks/deliveries/${deliveryA}/resend`],
      [adminB, 'POST', `/admin/v1/users/${userA}/disable`],
      [adminB, 'POST', `/admin/v1/users/${userA}/password`],
      [adminB, 'POST', `/admin/v1/users/${platformUser}/disable`],
      [await login('admin@a.example'), 'POST', `/admin/v1/users/${platformUser}/password`],
    ] as const) {
      const res = await json(method, path, session);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body).toMatchObject({ code: 'not_found' });
    }
    // Nothing changed: the endpoint is still there, the user still logs in.
    expect((await t.gateway.services.store.webhooks.endpoint(endpointA))?.endpointId).toBe(
      endpointA,
    );
    const listedA = await json<{ data: { endpoint_id: string; company_id: string }[] }>(
      'GET',
      '/admin/v1/webhooks',
      viewerA,
    );
    expect(listedA.body.data.map((e) => e.endpoint_id)).toContain(endpointA);
    expect(new Set(listedA.body.data.map((e) => e.company_id))).toEqual(new Set([a.companyId]));
    const listedB = await json<{ data: { endpoint_id: string }[] }>(
      'GET',
      `/admin/v1/webhooks?company_id=${a.companyId}`,
      adminB,
    );
    expect(listedB.body.data.map((e) => e.endpoint_id)).not.toContain(endpointA);

    // A company admin's company_id is its own, whatever it names.
    const other = await newMerchant(sandbox);
    secrets.push(other.AESKey, other.AESIV, pemBody(other.ClientPrivateKey));
    const before = await json<{ data: unknown[] }>('GET', '/admin/v1/stores', viewerA);
    const store = await json<{ company_id: string }>(
      'PUT',
      `/admin/v1/stores/S1/configs/${TYPE}/test`,
      adminB,
      { company_id: a.companyId, fields: storeFields(other) },
    );
    expect(store.status).toBe(200);
    expect(store.body.company_id).toBe(b.companyId);
    expect((await json('GET', '/admin/v1/stores', viewerA)).body).toEqual(before.body);
    const credentialsBefore = await json('GET', '/admin/v1/credentials', viewerA);
    const credential = await json<{ company_id: string }>(
      'PUT',
      `/admin/v1/credentials/${TYPE}/test`,
      adminB,
      { company_id: a.companyId, fields: keyFields(other) },
    );
    expect(credential.status).toBe(200);
    expect(credential.body.company_id).toBe(b.companyId);
    expect((await json('GET', '/admin/v1/credentials', viewerA)).body).toEqual(
      credentialsBefore.body,
    );
    const hook = await json<{ company_id: string; secret: string }>(
      'POST',
      '/admin/v1/webhooks',
      adminB,
      { url: receiver.url, company_id: a.companyId },
    );
    expect(hook.status).toBe(201);
    expect(hook.body.company_id).toBe(b.companyId);
    secrets.push(hook.body.secret);
    const user = await json<{ company_id: string; password: string }>(
      'POST',
      '/admin/v1/users',
      adminB,
      { email: 'made-by-b@b.example', role: 'viewer', company_id: a.companyId },
    );
    expect(user.status).toBe(201);
    expect(user.body.company_id).toBe(b.companyId);
    secrets.push(user.body.password);

    // A platform admin acts on the company it names.
    const root = await login('root@platform.example');
    const forB = await json<{ endpoint_id: string; company_id: string; secret: string }>(
      'POST',
      '/admin/v1/webhooks',
      root,
      { url: receiver.url, company_id: b.companyId },
    );
    expect(forB.body.company_id).toBe(b.companyId);
    secrets.push(forB.body.secret);
    const onlyB = await json<{ data: { company_id: string }[] }>(
      'GET',
      `/admin/v1/webhooks?company_id=${b.companyId}`,
      root,
    );
    expect(new Set(onlyB.body.data.map((e) => e.company_id))).toEqual(new Set([b.companyId]));
    const everything = await json<{ data: { company_id: string }[] }>(
      'GET',
      '/admin/v1/webhooks',
      root,
    );
    expect(new Set(everything.body.data.map((e) => e.company_id))).toEqual(
      new Set([a.companyId, b.companyId]),
    );
    expect((await json('POST', `/admin/v1/users/${userA}/disable`, root)).status).toBe(200);
  });

  it('webhooks: created through the API, a test event reaches that endpoint only, signed; resend, rotate, delete', async () => {
    const admin = await login('admin@a.example');
    const operator = await login('operator@a.example');
    const made = await json<{ endpoint_id: string; secret: string; events: string[] | null }>(
      'POST',
      '/admin/v1/webhooks',
      admin,
      { url: `${receiver.url}?to=one` },
    );
    expect(made.status).toBe(201);
    expect(made.headers.get('cache-control')).toBe('no-store');
    expect(made.body.secret).toMatch(/^whsec_/);
    expect(made.body.events).toBeNull();
    secrets.push(made.body.secret);
    const one = made.body.endpoint_id;
    const second = await json<{ endpoint_id: string; secret: string }>(
      'POST',
      '/admin/v1/webhooks',
      admin,
      { url: `${receiver.url}?to=two`, events: ['transaction.declined'] },
    );
    secrets.push(second.body.secret);
    const listed = await json<{ data: Record<string, unknown>[] }>(
      'GET',
      '/admin/v1/webhooks',
      operator,
    );
    expect(listed.body.data.find((e) => e.endpoint_id === one)).toEqual({
      endpoint_id: one,
      company_id: a.companyId,
      url: `${receiver.url}?to=one`,
      events: null,
      status: 'active',
      created_at: expect.any(String),
    });
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');

    const test = await json<{ event_id: string }>(
      'POST',
      `/admin/v1/webhooks/${one}/test`,
      operator,
    );
    expect(test.status).toBe(202);
    const eventId = test.body.event_id;
    expect(eventId).toMatch(/^msg_/);
    const [first] = await received(eventId);
    expect(first!.path).toBe('/hooks?to=one');
    expect(verifyWithLibrary(made.body.secret, first!)).toEqual({
      type: 'webhook.test',
      timestamp: expect.any(String),
      data: { endpoint_id: one, company_id: a.companyId, test: true },
    });
    expect(verifyByHand(made.body.secret, first!)).toBe(true);
    expect(() => verifyWithLibrary(second.body.secret, first!)).toThrow();

    type Deliveries = {
      data: {
        delivery_id: string;
        event_id: string;
        event_type: string;
        status: string;
        attempts: { at: string; status_code: number | null; latency_ms: number; error: null }[];
      }[];
    };
    const delivered = await waitFor(
      'the test delivery recorded as delivered',
      async () => {
        const got = await json<Deliveries>('GET', `/admin/v1/webhooks/${one}/deliveries`, admin);
        const d = got.body.data.find((x) => x.event_id === eventId);
        return d?.status === 'delivered' ? d : undefined;
      },
      10_000,
    );
    expect(delivered).toMatchObject({
      event_type: 'webhook.test',
      attempts: [{ status_code: 204, error: null }],
    });
    // The other endpoint of the company got nothing of it.
    const ofSecond = await json<Deliveries>(
      'GET',
      `/admin/v1/webhooks/${second.body.endpoint_id}/deliveries`,
      admin,
    );
    expect(ofSecond.body.data.filter((d) => d.event_id === eventId)).toEqual([]);
    expect(receiver.received.filter((r) => r.headers['webhook-id'] === eventId)).toHaveLength(1);
    expect(await t.gateway.services.store.webhooks.deliveries({ eventId })).toHaveLength(1);
    // Whatever an endpoint subscribes to, a test reaches it.
    const toSecond = await json<{ event_id: string }>(
      'POST',
      `/admin/v1/webhooks/${second.body.endpoint_id}/test`,
      operator,
    );
    const [secondGot] = await received(toSecond.body.event_id);
    expect(secondGot!.path).toBe('/hooks?to=two');
    expect(verifyWithLibrary(second.body.secret, secondGot!)).toMatchObject({
      type: 'webhook.test',
    });

    // Resend: the same event (webhook-id, body) again, signed again.
    const resent = await json(
      'POST',
      `/admin/v1/webhooks/deliveries/${delivered.delivery_id}/resend`,
      operator,
    );
    expect(resent.status).toBe(200);
    expect(resent.body).toEqual({ delivery_id: delivered.delivery_id, status: 'pending' });
    const both = await received(eventId, 2);
    expect(both[1]!.body).toBe(both[0]!.body);
    expect(verifyWithLibrary(made.body.secret, both[1]!)).toMatchObject({ type: 'webhook.test' });
    await waitFor(
      'the resend recorded as a second attempt',
      async () => {
        const got = await json<Deliveries>('GET', `/admin/v1/webhooks/${one}/deliveries`, admin);
        const d = got.body.data.find((x) => x.delivery_id === delivered.delivery_id);
        return d?.status === 'delivered' && d.attempts.length === 2 ? d : undefined;
      },
      10_000,
    );

    // Rotate: the next event is signed with the new secret only.
    const rotated = await json<{ endpoint_id: string; secret: string }>(
      'POST',
      `/admin/v1/webhooks/${one}/rotate-secret`,
      admin,
    );
    expect(rotated.status).toBe(200);
    expect(rotated.headers.get('cache-control')).toBe('no-store');
    expect(rotated.body.secret).not.toBe(made.body.secret);
    secrets.push(rotated.body.secret);
    const after = await json<{ event_id: string }>(
      'POST',
      `/admin/v1/webhooks/${one}/test`,
      operator,
    );
    const [afterGot] = await received(after.body.event_id);
    expect(verifyWithLibrary(rotated.body.secret, afterGot!)).toMatchObject({
      type: 'webhook.test',
    });
    expect(() => verifyWithLibrary(made.body.secret, afterGot!)).toThrow();

    // Delete: gone from the list; no test, no resend, no deliveries list.
    expect((await json('DELETE', `/admin/v1/webhooks/${one}`, admin)).status).toBe(204);
    const remaining = await json<{ data: { endpoint_id: string }[] }>(
      'GET',
      '/admin/v1/webhooks',
      admin,
    );
    expect(remaining.body.data.map((e) => e.endpoint_id)).not.toContain(one);
    expect((await json('POST', `/admin/v1/webhooks/${one}/test`, operator)).status).toBe(404);
    expect(
      (
        await json(
          'POST',
          `/admin/v1/webhooks/deliveries/${delivered.delivery_id}/resend`,
          operator,
        )
      ).status,
    ).toBe(404);
    expect((await json('DELETE', `/admin/v1/webhooks/${one}`, admin)).status).toBe(404);
  });

  it('users: create (password shown once) → login; disable → that session is refused at once; new password → old sessions end', async () => {
    const admin = await login('admin@a.example');
    const created = await json<Record<string, unknown> & { user_id: string; password: string }>(
      'POST',
      '/admin/v1/users',
      admin,
      { email: 'New.Operator@A.example', role: 'operator' },
    );
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect(created.body).toEqual({
      user_id: expect.stringMatching(/^usr_/),
      email: 'new.operator@a.example',
      role: 'operator',
      company_id: a.companyId,
      status: 'active',
      password: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/),
    });
    secrets.push(created.body.password);
    const session = await login('new.operator@a.example', created.body.password);
    const me = await json<{ user: { role: string; company_id: string } }>(
      'GET',
      '/admin/v1/session',
      session,
    );
    expect(me.body.user).toMatchObject({ role: 'operator', company_id: a.companyId });

    const given = 'a password chosen by the admin';
    secrets.push(given);
    const withPassword = await json<Record<string, unknown> & { user_id: string }>(
      'POST',
      '/admin/v1/users',
      admin,
      { email: 'given@a.example', role: 'viewer', password: given },
    );
    expect(withPassword.status).toBe(201);
    expect(withPassword.body).not.toHaveProperty('password');
    const givenSession = await login('given@a.example', given);
    const listed = await json<{ data: { email: string; status: string }[] }>(
      'GET',
      '/admin/v1/users',
      admin,
    );
    expect(listed.body.data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ email: 'new.operator@a.example', status: 'active' }),
        expect.objectContaining({ email: 'given@a.example', status: 'active' }),
      ]),
    );

    const disabled = await json('POST', `/admin/v1/users/${created.body.user_id}/disable`, admin);
    expect(disabled.status).toBe(200);
    expect(disabled.body).toEqual({
      user_id: created.body.user_id,
      status: 'disabled',
      sessions_ended: 1,
    });
    const refused = await json('GET', '/admin/v1/session', session);
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ code: 'no_session' });
    expect(await loginStatus('new.operator@a.example', created.body.password)).toBe(401);

    const reset = await json<{ user_id: string; password: string }>(
      'POST',
      `/admin/v1/users/${withPassword.body.user_id}/password`,
      admin,
    );
    expect(reset.status).toBe(200);
    expect(reset.headers.get('cache-control')).toBe('no-store');
    expect(reset.body.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    secrets.push(reset.body.password);
    expect((await json('GET', '/admin/v1/session', givenSession)).status).toBe(401);
    expect(await loginStatus('given@a.example', given)).toBe(401);
    await login('given@a.example', reset.body.password);
    const chosen = 'yet another chosen password';
    secrets.push(chosen);
    const set = await json('POST', `/admin/v1/users/${withPassword.body.user_id}/password`, admin, {
      password: chosen,
    });
    expect(set.status).toBe(200);
    expect(set.body).not.toHaveProperty('password');
    await login('given@a.example', chosen);
  });

  it('the audit log: every change as the session’s user, with the request id and address, never a secret', async () => {
    const store = t.gateway.services.store;
    const admin = await login('admin@a.example');
    const adminUser = (await users.list(a.companyId)).find((u) => u.email === 'admin@a.example')!;
    // One more of each, so each entry can be matched to its call's request id.
    const changes: [string, Awaited<ReturnType<typeof json>>][] = [];
    const hook = await json<{ endpoint_id: string; secret: string }>(
      'POST',
      '/admin/v1/webhooks',
      admin,
      { url: `${receiver.url}?audit` },
    );
    secrets.push(hook.body.secret);
    changes.push(['webhook.create', hook]);
    const test = await json<{ event_id: string }>(
      'POST',
      `/admin/v1/webhooks/${hook.body.endpoint_id}/test`,
      admin,
    );
    changes.push(['webhook.test', test]);
    const [delivery] = await store.webhooks.deliveries({ eventId: test.body.event_id });
    changes.push([
      'webhook.resend',
      await json('POST', `/admin/v1/webhooks/deliveries/${delivery!.deliveryId}/resend`, admin),
    ]);
    const rotated = await json<{ secret: string }>(
      'POST',
      `/admin/v1/webhooks/${hook.body.endpoint_id}/rotate-secret`,
      admin,
    );
    secrets.push(rotated.body.secret);
    changes.push(['webhook.rotate_secret', rotated]);
    changes.push([
      'webhook.delete',
      await json('DELETE', `/admin/v1/webhooks/${hook.body.endpoint_id}`, admin),
    ]);
    changes.push([
      'credentials.set',
      await json('PUT', `/admin/v1/credentials/${TYPE}/test`, admin, {
        fields: keyFields(merchant),
      }),
    ]);
    changes.push([
      'store.set',
      await json('PUT', `/admin/v1/stores/S3/configs/${TYPE}/test`, admin, {
        fields: storeFields(merchant),
      }),
    ]);
    const user = await json<{ user_id: string; password: string }>(
      'POST',
      '/admin/v1/users',
      admin,
      {
        email: 'audited@a.example',
        role: 'viewer',
      },
    );
    secrets.push(user.body.password);
    changes.push(['user.create', user]);
    const password = await json<{ password: string }>(
      'POST',
      `/admin/v1/users/${user.body.user_id}/password`,
      admin,
    );
    secrets.push(password.body.password);
    changes.push(['user.password', password]);
    changes.push([
      'user.disable',
      await json('POST', `/admin/v1/users/${user.body.user_id}/disable`, admin),
    ]);
    const company = await json<{ company_id: string }>(
      'POST',
      '/admin/v1/companies',
      await login('root@platform.example'),
      { name: 'audited company' },
    );
    changes.push(['company.create', company]);

    for (const [action, res] of changes) {
      expect(res.status, action).toBeLessThan(300);
      const entries = await store.audit.list({ action, limit: 1000 });
      const entry = entries.find((e) => e.requestId === res.requestId);
      expect(entry, `${action} entry for ${res.requestId}`).toMatchObject({
        actor: expect.stringMatching(/^user:usr_/),
        source: '127.0.0.1',
      });
      if (action !== 'company.create') {
        expect(entry!.actor).toBe(`user:${adminUser.userId}`);
        expect(entry!.companyId).toBe(a.companyId);
      }
    }
    // The test event's entry names the event it sent.
    const [testEntry] = await store.audit.list({
      action: 'webhook.test',
      target: hook.body.endpoint_id,
    });
    expect(testEntry!.changes).toMatchObject({ event_id: test.body.event_id });

    // No secret or password of this whole file anywhere in the audit log.
    const everything = JSON.stringify(await store.audit.list({ limit: 100_000 }));
    expect(secrets.length).toBeGreaterThan(15);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThanOrEqual(12);
      expect(
        everything.includes(secret),
        `a secret (${secret.slice(0, 4)}…) in the audit log`,
      ).toBe(false);
    }
  });
});
