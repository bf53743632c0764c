import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserService } from '../../src/admin/users.js';
import {
  TYPE,
  api,
  newBarcode,
  newCompany,
  now,
  payRequest,
  startStoreScenario,
  tradeNo,
  type StoreScenario,
  type TestCompany,
} from './helpers.js';
import { PASSWORD, adminFetch, adminLogin, type Login } from './admin-helpers.js';

/**
 * The admin API over a real socket and a real database: sessions (cookie,
 * CSRF, logout, disabled users, failed-login limits), the role table, company
 * isolation, the transaction list with its cursor, the CSV and the timeline.
 */
describe('admin API /admin/v1', () => {
  let s: StoreScenario;
  let other: TestCompany;
  let users: UserService;
  const paid: string[] = [];
  let refundId: string;
  let otherPayId: string;

  beforeAll(async () => {
    s = await startStoreScenario({
      OMNIGATE_LOGIN_FAILURES_PER_ACCOUNT: '3',
      // The background reconciler leaves unknown calls alone: "check now" is the test's.
      OMNIGATE_RECONCILE_SCHEDULE: '10m',
    });
    other = await newCompany(s.t, 'other company');
    users = new UserService(s.t.gateway.services.store, { actor: 'system' });
    const a = s.company.companyId;
    for (const [email, role, companyId] of [
      ['admin@a.example', 'admin', a],
      ['operator@a.example', 'operator', a],
      ['viewer@a.example', 'viewer', a],
      ['viewer@b.example', 'viewer', other.companyId],
      ['root@platform.example', 'admin', null],
      ['locked@a.example', 'viewer', a],
      ['leaver@a.example', 'viewer', a],
    ] as const) {
      await users.create({ email, role, companyId, password: PASSWORD });
    }
    const pay = async (company: TestCompany, no: string) =>
      api(s.t.url, 'POST', '/v1/payment/integrate/pay', {
        token: company.token,
        body: {
          type: TYPE,
          store_id: 'S1',
          request: payRequest(await newBarcode(s.sandbox), no, 100),
        },
      });
    for (let i = 0; i < 3; i += 1) {
      const res = await pay(s.company, tradeNo('ADM'));
      expect(res.status).toBe(200);
      paid.push(res.headers.get('x-request-id')!);
    }
    const original = (await s.t.gateway.services.store.ledger.find(paid[0]!))!.merchantTradeNo!;
    const refund = await api(s.t.url, 'POST', '/v1/payment/integrate/refund', {
      token: s.company.token,
      body: {
        type: TYPE,
        store_id: 'S1',
        request: {
          OMerchantTradeNo: original,
          MerchantTradeNo: tradeNo('REF'),
          MerchantTradeDate: now(),
          RefundTotalAmount: 40,
          RefundItemAmt: 40,
          RefundUtilityAmt: 0,
          RefundCommAmt: 0,
        },
      },
    });
    expect(refund.status).toBe(200);
    refundId = refund.headers.get('x-request-id')!;
    // The other company's call: refused (no store of its own), but a ledger row of its own.
    const theirs = await pay(other, tradeNo('OTH'));
    otherPayId = theirs.headers.get('x-request-id')!;
  });

  afterAll(async () => {
    await s?.t.close();
    await s?.sandbox.close();
  });

  const login = (email: string, password = PASSWORD): Promise<Login> =>
    adminLogin(s.t.url, email, password);

  const call = (
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    session?: Login,
    /** null: no X-CSRF-Token header at all. */
    csrf: string | null | undefined = session?.csrf,
    body?: object,
  ) => adminFetch(s.t.url, method, path, { session, csrf, body });

  it('POST /admin/v1/session: an HttpOnly SameSite=Strict cookie (not Secure in development) and a CSRF token', async () => {
    const res = await fetch(`${s.t.url}/admin/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'Viewer@A.example', password: PASSWORD }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^omnigate_session=ogu_[A-Za-z0-9_-]{43}; /);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/admin');
    expect(cookie).not.toContain('Secure');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.user).toEqual({
      user_id: expect.stringMatching(/^usr_/),
      email: 'viewer@a.example',
      role: 'viewer',
      company_id: s.company.companyId,
    });
    expect(body.csrf_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The token is stored hashed: the cookie's value is nowhere in the database.
    expect(s.t.databaseBytes().includes(cookie.split(';')[0]!.split('=')[1]!)).toBe(false);

    for (const [email, password] of [
      ['viewer@a.example', 'wrong password!'],
      ['nobody@a.example', PASSWORD],
    ]) {
      const refused = await fetch(`${s.t.url}/admin/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({
        code: 'invalid_credentials',
        request_id: refused.headers.get('x-request-id'),
      });
    }
  });

  it('the role table: viewer/operator/admin × routes → allowed, 403, and 401 without a session', async () => {
    const sessions = {
      viewer: await login('viewer@a.example'),
      operator: await login('operator@a.example'),
      admin: await login('admin@a.example'),
    };
    const spare = async () =>
      (await s.t.gateway.services.provisioning.createClient(s.company.companyId, 'spare')).clientId;
    const routes: {
      method: 'GET' | 'POST';
      path: () => Promise<string> | string;
      least: 'viewer' | 'operator' | 'admin';
      /** The answer when the role may (default 200). */
      allowed?: number;
      body?: object;
    }[] = [
      { method: 'GET', path: () => '/admin/v1/companies', least: 'viewer' },
      { method: 'GET', path: () => '/admin/v1/stores', least: 'viewer' },
      {
        method: 'POST',
        path: () => '/admin/v1/clients',
        least: 'admin',
        allowed: 201,
        body: { name: 'made by the console' },
      },
      {
        method: 'POST',
        path: async () => `/admin/v1/clients/${await spare()}/revoke`,
        least: 'admin',
      },
      { method: 'GET', path: () => '/admin/v1/session', least: 'viewer' },
      { method: 'GET', path: () => '/admin/v1/transactions', least: 'viewer' },
      { method: 'GET', path: () => '/admin/v1/transactions.csv', least: 'viewer' },
      { method: 'GET', path: () => `/admin/v1/transactions/${paid[0]}`, least: 'viewer' },
      { method: 'GET', path: () => '/admin/v1/audit', least: 'viewer' },
      { method: 'GET', path: () => '/admin/v1/stats', least: 'viewer' },
      { method: 'GET', path: () => '/admin/v1/clients', least: 'viewer' },
      { method: 'GET', path: () => '/admin/v1/credentials', least: 'viewer' },
      { method: 'GET', path: () => '/admin/v1/users', least: 'admin' },
      {
        method: 'POST',
        path: () => `/admin/v1/transactions/${paid[0]}/check`,
        least: 'operator',
        // A settled call: allowed, but there is nothing to check.
        allowed: 409,
      },
      {
        method: 'POST',
        path: async () => `/admin/v1/clients/${await spare()}/rotate-secret`,
        least: 'admin',
      },
      // A refund row takes neither action: allowed, refused for what it is, no money moves.
      {
        method: 'POST',
        path: () => `/admin/v1/transactions/${refundId}/refund`,
        least: 'operator',
        allowed: 409,
        body: { amount: 1 },
      },
      {
        method: 'POST',
        path: () => `/admin/v1/transactions/${refundId}/cancel`,
        least: 'operator',
        allowed: 409,
      },
    ];
    const rank = { viewer: 0, operator: 1, admin: 2 } as const;
    const table: string[] = [];
    for (const route of routes) {
      const anonymous = await call(route.method, await route.path(), undefined, null, route.body);
      expect(anonymous.status, `anonymous ${route.method}`).toBe(401);
      expect(((await anonymous.json()) as { code: string }).code).toBe('no_session');
      for (const role of ['viewer', 'operator', 'admin'] as const) {
        const path = await route.path();
        const res = await call(route.method, path, sessions[role], undefined, route.body);
        const expected = rank[role] >= rank[route.least] ? (route.allowed ?? 200) : 403;
        table.push(
          `${role} ${route.method} ${path.split('/').slice(0, 4).join('/')}: ${res.status}`,
        );
        expect(res.status, `${role} ${route.method} ${path}`).toBe(expected);
        if (res.status === 403) {
          expect(await res.json()).toMatchObject({ code: 'forbidden' });
        } else {
          await res.arrayBuffer();
        }
      }
    }
    expect(table.length).toBe(routes.length * 3);
  });

  it('the audit log in cursor pages, newest first, and within a time range', async () => {
    const admin = await login('admin@a.example');
    for (let i = 0; i < 3; i += 1) {
      const made = await call('POST', '/admin/v1/clients', admin, undefined, {
        name: `paged ${i}`,
      });
      expect(made.status).toBe(201);
    }
    type AuditPage = { data: { id: string; at: string }[]; next_cursor: string | null };
    const all = (await (await call('GET', '/admin/v1/audit?limit=500', admin)).json()) as AuditPage;
    expect(all.data.length).toBeGreaterThanOrEqual(3);
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page = (await (
        await call('GET', `/admin/v1/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`, admin)
      ).json()) as AuditPage;
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((e) => e.id));
      cursor = page.next_cursor;
    }
    expect(seen).toEqual(all.data.map((e) => e.id));
    expect([...seen].sort().reverse()).toEqual(seen);
    // A range: from the newest entry's time on, only entries at or after it.
    const newest = all.data[0]!.at;
    const recent = (await (
      await call('GET', `/admin/v1/audit?from=${encodeURIComponent(newest)}`, admin)
    ).json()) as AuditPage;
    expect(recent.data.length).toBeGreaterThan(0);
    expect(recent.data.every((e) => e.at >= newest)).toBe(true);
    const future = (await (
      await call('GET', '/admin/v1/audit?from=2999-01-01T00:00:00Z', admin)
    ).json()) as AuditPage;
    expect(future).toEqual({ data: [], next_cursor: null });
    expect((await call('GET', '/admin/v1/audit?cursor=nope', admin)).status).toBe(400);
    expect((await call('GET', '/admin/v1/audit?limit=0', admin)).status).toBe(400);
  });

  it('a field or filter the schema does not know is refused, never silently dropped', async () => {
    const admin = await login('admin@a.example');
    const body = await call('POST', '/admin/v1/clients', admin, undefined, {
      name: 'typo',
      compnay_id: 'x',
    });
    expect(body.status).toBe(400);
    expect(await body.json()).toMatchObject({
      code: expect.any(String),
      request_id: expect.any(String),
    });
    const filter = await call('GET', '/admin/v1/transactions?stat=unknown', admin);
    expect(filter.status).toBe(400);
    const clients = (await (await call('GET', '/admin/v1/clients', admin)).json()) as {
      data: { name: string | null }[];
    };
    expect(clients.data.map((c) => c.name)).not.toContain('typo');
  });

  it('every state-changing call needs the session’s X-CSRF-Token', async () => {
    const admin = await login('admin@a.example');
    const { clientId } = await s.t.gateway.services.provisioning.createClient(
      s.company.companyId,
      'csrf',
    );
    for (const csrf of [null, 'forged', (await login('admin@a.example')).csrf]) {
      const res = await call('POST', `/admin/v1/clients/${clientId}/rotate-secret`, admin, csrf);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'csrf_failed' });
    }
    const refusedLogout = await call('DELETE', '/admin/v1/session', admin, 'forged');
    expect(refusedLogout.status).toBe(403);
    const rotated = await call('POST', `/admin/v1/clients/${clientId}/rotate-secret`, admin);
    expect(rotated.status).toBe(200);
    const body = (await rotated.json()) as { client_secret: string };
    expect(body.client_secret).toMatch(/^ogs_/);
    // Audited as this user, with the request id and the address; never the secret.
    const [entry] = await s.t.gateway.services.store.audit.list({
      action: 'client.rotate_secret',
      target: clientId,
    });
    expect(entry).toMatchObject({
      actor: expect.stringMatching(/^user:usr_/),
      requestId: rotated.headers.get('x-request-id'),
      source: '127.0.0.1',
    });
    expect(JSON.stringify(entry)).not.toContain(body.client_secret);
  });

  it('a revoked client: revoking it again changes nothing, a new secret is 409 client_revoked', async () => {
    const admin = await login('admin@a.example');
    const { clientId } = await s.t.gateway.services.provisioning.createClient(
      s.company.companyId,
      'leaving',
    );
    for (let i = 0; i < 2; i += 1) {
      const revoked = await call('POST', `/admin/v1/clients/${clientId}/revoke`, admin);
      expect(revoked.status).toBe(200);
      expect(await revoked.json()).toEqual({ client_id: clientId, revoked: true });
    }
    const audit = s.t.gateway.services.store.audit;
    expect(await audit.list({ action: 'client.revoke', target: clientId })).toHaveLength(1);
    const rotated = await call('POST', `/admin/v1/clients/${clientId}/rotate-secret`, admin);
    expect(rotated.status).toBe(409);
    expect(await rotated.json()).toMatchObject({ code: 'client_revoked' });
    expect(await audit.list({ action: 'client.rotate_secret', target: clientId })).toEqual([]);
    // An id that cannot have been issued is as absent as one that was never issued.
    for (const id of ['%00', 'x%20y', 'ogc_nope']) {
      const res = await call('POST', `/admin/v1/clients/${id}/revoke`, admin);
      expect(res.status, id).toBe(404);
    }
  });

  it('filters the database cannot hold or Date cannot read are refused, not failed', async () => {
    const viewer = await login('viewer@a.example');
    for (const query of [
      'q=a%00b',
      'store_id=%00',
      'from=2026-12-31T23:59:60Z',
      'to=2026-06-30T23:59:60Z',
      'company_id=%00',
    ]) {
      const res = await call('GET', `/admin/v1/transactions?${query}`, viewer);
      expect(res.status, query).toBe(400);
      const csv = await call('GET', `/admin/v1/transactions.csv?${query}`, viewer);
      expect(csv.status, query).toBe(400);
    }
    for (const path of ['/admin/v1/audit?actor=%00', '/admin/v1/clients?company_id=a&company_id=b'])
      expect((await call('GET', path, viewer)).status, path).toBe(400);
  });

  it('company isolation: a company user sees only its company; a platform user every one, or the one it chooses', async () => {
    const viewerA = await login('viewer@a.example');
    const viewerB = await login('viewer@b.example');
    const root = await login('root@platform.example');
    const ids = async (session: Login, query = '') =>
      (
        (await (await call('GET', `/admin/v1/transactions?limit=500${query}`, session)).json()) as {
          data: { request_id: string; company_id: string }[];
        }
      ).data;
    const mine = await ids(viewerA);
    expect(new Set(mine.map((r) => r.company_id))).toEqual(new Set([s.company.companyId]));
    expect(mine.map((r) => r.request_id)).toEqual(expect.arrayContaining([...paid, refundId]));
    // Asking for another company changes nothing for a company user.
    expect(await ids(viewerA, `&company_id=${other.companyId}`)).toEqual(mine);
    expect((await ids(viewerB)).map((r) => r.request_id)).toEqual([otherPayId]);
    const everything = await ids(root);
    expect(everything.map((r) => r.request_id)).toEqual(
      expect.arrayContaining([...paid, refundId, otherPayId]),
    );
    expect((await ids(root, `&company_id=${other.companyId}`)).map((r) => r.request_id)).toEqual([
      otherPayId,
    ]);
    // Another company's transaction is not found, exactly like one that does not exist.
    const foreign = await call('GET', `/admin/v1/transactions/${otherPayId}`, viewerA);
    expect(foreign.status).toBe(404);
    expect(((await foreign.json()) as { code: string }).code).toBe('not_found');
    const csv = await (await call('GET', '/admin/v1/transactions.csv', viewerB)).text();
    expect(csv).toContain(otherPayId);
    expect(csv).not.toContain(paid[0]!);
    const companies = (await (await call('GET', '/admin/v1/companies', viewerB)).json()) as {
      data: { company_id: string }[];
    };
    expect(companies.data.map((c) => c.company_id)).toEqual([other.companyId]);
    const stores = (await (await call('GET', '/admin/v1/stores', viewerB)).json()) as {
      data: unknown[];
    };
    expect(stores.data).toEqual([]);
    const storesA = (await (await call('GET', '/admin/v1/stores', viewerA)).json()) as {
      data: { store_id: string }[];
    };
    expect(storesA.data.map((st) => st.store_id)).toEqual(['S1']);
    const clients = (await (await call('GET', '/admin/v1/clients', viewerB)).json()) as {
      data: { company_id: string }[];
    };
    expect(clients.data.every((c) => c.company_id === other.companyId)).toBe(true);
  });

  it('transactions: newest first, filters, and a cursor that neither repeats nor skips when rows arrive', async () => {
    const viewer = await login('viewer@a.example');
    const page = async (query: string) =>
      (await (await call('GET', `/admin/v1/transactions?${query}`, viewer)).json()) as {
        data: { request_id: string; operation: string; state: string; trade_no: string }[];
        next_cursor: string | null;
      };
    const all = (await page('limit=500')).data.map((r) => r.request_id);
    expect(all).toEqual([...all].sort().reverse());
    const walked: string[] = [];
    let cursor: string | null = null;
    let inserted = false;
    do {
      const got = await page(`limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      walked.push(...got.data.map((r) => r.request_id));
      cursor = got.next_cursor;
      if (!inserted) {
        // A new call arrives between two pages: it is newer than every page still to come.
        const res = await api(s.t.url, 'POST', '/v1/payment/integrate/pay', {
          token: s.company.token,
          body: {
            type: TYPE,
            store_id: 'S1',
            request: payRequest(await newBarcode(s.sandbox), tradeNo('NEW'), 100),
          },
        });
        expect(res.status).toBe(200);
        inserted = true;
      }
    } while (cursor !== null);
    expect(walked).toEqual(all);
    const refunds = await page('operation=refund');
    expect(refunds.data.map((r) => r.request_id)).toEqual([refundId]);
    const byPrefix = await page(`q=${refunds.data[0]!.trade_no.slice(0, 6)}`);
    expect(byPrefix.data.map((r) => r.request_id)).toContain(refundId);
    expect((await page('q=%25')).data).toEqual([]);
    expect((await call('GET', '/admin/v1/transactions?limit=0', viewer)).status).toBe(400);
    expect((await call('GET', '/admin/v1/transactions?cursor=nope', viewer)).status).toBe(400);
  });

  it('transactions.csv: UTF-8 with a BOM, one header line, one line per row', async () => {
    const viewer = await login('viewer@a.example');
    const res = await call('GET', '/admin/v1/transactions.csv', viewer);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^request_id,company_id,created_at,operation,/);
    const listed = (
      (await (await call('GET', '/admin/v1/transactions?limit=500', viewer)).json()) as {
        data: unknown[];
      }
    ).data;
    expect(lines.length - 1).toBe(listed.length);
  });

  it('a transaction’s timeline: a refund names its original, the payment lists its refunds', async () => {
    const viewer = await login('viewer@a.example');
    const detail = async (id: string) =>
      (await (await call('GET', `/admin/v1/transactions/${id}`, viewer)).json()) as {
        request_id: string;
        transaction: { request_id: string; reconciliation: unknown[] };
        timeline: {
          refunds: { request_id: string }[];
          original: { request_id: string }[];
          reconciliation: unknown[];
          audit: unknown[];
        };
      };
    const refund = await detail(refundId);
    expect(refund.transaction.request_id).toBe(refundId);
    expect(refund.timeline.original.map((r) => r.request_id)).toEqual([paid[0]]);
    const payment = await detail(paid[0]!);
    expect(payment.timeline.refunds.map((r) => r.request_id)).toEqual([refundId]);
    expect(payment.timeline.reconciliation).toEqual([]);
  });

  it('stats: per bucket, counts by state and operation, amounts paid and refunded, latency; the backlog; per company', async () => {
    const viewer = await login('viewer@a.example');
    const stats = (await (await call('GET', '/admin/v1/stats?bucket=hour', viewer)).json()) as {
      bucket: string;
      buckets: {
        start: string;
        count: number;
        by_state: Record<string, number>;
        by_operation: Record<string, number>;
        paid: Record<string, number>;
        refunded: Record<string, number>;
        upstream_latency_ms: { p50: number | null; p99: number | null };
      }[];
      total: {
        count: number;
        by_operation: Record<string, number>;
        paid: Record<string, number>;
        upstream_latency_ms: { p50: number | null; p99: number | null };
      };
      unknown_backlog: { count: number; oldest_age_seconds: number | null };
    };
    expect(stats.bucket).toBe('hour');
    const listed = (
      (await (await call('GET', '/admin/v1/transactions?limit=500', viewer)).json()) as {
        data: { operation: string; state: string; amount: number | null; currency: string }[];
      }
    ).data;
    const sum = (pick: (b: (typeof stats.buckets)[number]) => number) =>
      stats.buckets.reduce((n, b) => n + pick(b), 0);
    expect(sum((b) => b.count)).toBe(listed.length);
    expect(sum((b) => b.by_operation.refund ?? 0)).toBe(1);
    const paidTotal = listed
      .filter((r) => r.operation === 'pay' && r.state === 'succeeded')
      .reduce((n, r) => n + r.amount!, 0);
    expect(sum((b) => b.paid[listed[0]!.currency] ?? 0)).toBe(paidTotal);
    expect(sum((b) => Object.values(b.refunded).reduce((x, y) => x + y, 0))).toBe(40);
    for (const b of stats.buckets) {
      expect(b.upstream_latency_ms.p50).toBeLessThanOrEqual(b.upstream_latency_ms.p99!);
    }
    // The whole range: the buckets' sums, and percentiles of every latency at once.
    expect(stats.total.count).toBe(listed.length);
    expect(stats.total.by_operation.refund).toBe(1);
    expect(stats.total.paid[listed[0]!.currency]).toBe(paidTotal);
    const latencies = (
      (await (await call('GET', '/admin/v1/transactions?limit=500', viewer)).json()) as {
        data: { upstream_latency_ms: number | null }[];
      }
    ).data
      .map((r) => r.upstream_latency_ms)
      .filter((l): l is number => l !== null)
      .sort((x, y) => x - y);
    expect(stats.total.upstream_latency_ms).toEqual({
      p50: latencies[Math.ceil(0.5 * latencies.length) - 1],
      p99: latencies[Math.ceil(0.99 * latencies.length) - 1],
    });
    expect(stats.unknown_backlog).toEqual({ count: 0, oldest_age_seconds: null });
    const theirs = (await (
      await call('GET', '/admin/v1/stats', await login('viewer@b.example'))
    ).json()) as { buckets: { count: number }[] };
    expect(theirs.buckets.reduce((n, b) => n + b.count, 0)).toBe(1);
    expect(
      (
        await call(
          'GET',
          '/admin/v1/stats?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z',
          viewer,
        )
      ).status,
    ).toBe(400);
  });

  it('POST /admin/v1/clients: a company admin creates in its company, a platform admin names one; audited as the user', async () => {
    const root = await login('root@platform.example');
    const none = await call('POST', '/admin/v1/clients', root, undefined, { name: 'x' });
    expect(none.status).toBe(400);
    const made = await call('POST', '/admin/v1/clients', root, undefined, {
      name: 'for b',
      company_id: other.companyId,
    });
    expect(made.status).toBe(201);
    const body = (await made.json()) as {
      client_id: string;
      company_id: string;
      client_secret: string;
    };
    expect(body.company_id).toBe(other.companyId);
    const token = await api(s.t.url, 'POST', '/oauth/v1/token', {
      rawBody: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: body.client_id,
        client_secret: body.client_secret,
      }).toString(),
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(token.status).toBe(200);
    // A company admin's company_id is its own, whatever it asks.
    const adminA = await login('admin@a.example');
    const mine = (await (
      await call('POST', '/admin/v1/clients', adminA, undefined, { company_id: other.companyId })
    ).json()) as { company_id: string };
    expect(mine.company_id).toBe(s.company.companyId);
    const [entry] = await s.t.gateway.services.store.audit.list({
      action: 'client.create',
      target: body.client_id,
    });
    expect(entry).toMatchObject({
      actor: expect.stringMatching(/^user:usr_/),
      companyId: other.companyId,
    });
    expect(JSON.stringify(entry)).not.toContain(body.client_secret);
  });

  it('POST …/check asks the provider now about an unknown call, records the attempt and audits it', async () => {
    await fetch(`${s.sandbox.url}/sandbox/faults`, { method: 'DELETE' });
    await fetch(`${s.sandbox.url}/sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ MerchantID: s.merchant.MerchantID, fault: 'http500', count: 1 }),
    });
    const res = await api(s.t.url, 'POST', '/v1/payment/integrate/pay', {
      token: s.company.token,
      body: {
        type: TYPE,
        store_id: 'S1',
        request: payRequest(await newBarcode(s.sandbox), tradeNo('CHK'), 100),
      },
    });
    expect(res.status).toBe(502);
    const id = res.headers.get('x-request-id')!;
    expect((await s.t.gateway.services.store.ledger.find(id))!.state).toBe('unknown');
    const foreign = await call(
      'POST',
      `/admin/v1/transactions/${id}/check`,
      await login('root@platform.example'),
    );
    expect(foreign.status).toBe(200);
    const body = (await foreign.json()) as { state: string; reconciliation: { result: string }[] };
    // The sandbox took the payment before the fault hit its answer.
    expect(body.state).toBe('succeeded');
    expect(body.reconciliation.map((a) => a.result)).toEqual(['succeeded']);
    const again = await call(
      'POST',
      `/admin/v1/transactions/${id}/check`,
      await login('operator@a.example'),
    );
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: 'not_unknown' });
    const other = await call(
      'POST',
      `/admin/v1/transactions/${id}/check`,
      await login('viewer@b.example'),
    );
    expect(other.status).toBe(403);
    const [entry] = await s.t.gateway.services.store.audit.list({
      action: 'transaction.check',
      target: id,
    });
    expect(entry).toMatchObject({
      actor: expect.stringMatching(/^user:usr_/),
      changes: { state_before: 'unknown', state: 'succeeded' },
    });
  });

  it('logout and a disabled user end the session at once; failed logins are limited per account', async () => {
    const viewer = await login('viewer@a.example');
    expect((await call('DELETE', '/admin/v1/session', viewer)).status).toBe(204);
    expect((await call('GET', '/admin/v1/session', viewer)).status).toBe(401);

    const leaver = await login('leaver@a.example');
    expect((await call('GET', '/admin/v1/session', leaver)).status).toBe(200);
    await users.disable('leaver@a.example');
    expect((await call('GET', '/admin/v1/session', leaver)).status).toBe(401);
    const again = await fetch(`${s.t.url}/admin/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'leaver@a.example', password: PASSWORD }),
    });
    expect(again.status).toBe(401);

    // OMNIGATE_LOGIN_FAILURES_PER_ACCOUNT=3: after three failures even the right password waits.
    for (let i = 0; i < 3; i += 1) {
      const wrong = await fetch(`${s.t.url}/admin/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'locked@a.example', password: `wrong-${i}` }),
      });
      expect(wrong.status).toBe(401);
    }
    const locked = await fetch(`${s.t.url}/admin/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'locked@a.example', password: PASSWORD }),
    });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await locked.json()).toMatchObject({ code: 'rate_limited' });
  });
});
