import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TYPE,
  api,
  newBarcode,
  payRequest,
  sandboxPost,
  startStoreScenario,
  tradeNo,
  type StoreScenario,
} from './helpers.js';

/** One scrape: every sample, keyed by its name and labels exactly as exposed. */
type Samples = Map<string, number>;

function parse(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

/** The sum of a family's samples whose key contains every one of `parts`. */
function total(samples: Samples, name: string, ...parts: string[]): number {
  let sum = 0;
  for (const [key, value] of samples) {
    const family = key.split('{')[0];
    if (family === name && parts.every((part) => key.includes(part))) sum += value;
  }
  return sum;
}

describe('metrics listener (OMNIGATE_METRICS_PORT)', () => {
  let s: StoreScenario;
  let metricsUrl: string;

  beforeAll(async () => {
    s = await startStoreScenario({
      OMNIGATE_METRICS_PORT: '0',
      OMNIGATE_UPSTREAM_TIMEOUT_MS: '1000',
      OMNIGATE_RECONCILE_SCHEDULE: '100ms,200ms',
      OMNIGATE_RECONCILE_INTERVAL_MS: '50',
      OMNIGATE_TOKEN_FAILURES_PER_CLIENT: '1',
    });
    metricsUrl = s.t.gateway.metricsUrl!;
  });

  afterAll(async () => {
    await s?.t.close();
    await s?.sandbox.close();
  });

  const scrape = async (): Promise<Samples> => {
    const res = await fetch(metricsUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parse(await res.text());
  };

  const pay = async () =>
    api(s.t.url, 'POST', '/v1/payment/integrate/pay', {
      token: s.company.token,
      body: {
        type: TYPE,
        store_id: 'S1',
        request: payRequest(await newBarcode(s.sandbox), tradeNo('MET')),
      },
    });

  async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
    for (let i = 0; i < 200; i += 1) {
      const value = await read();
      if (ok(value)) return value;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('condition never held');
  }

  it('listens on its own port (not the API port), on 127.0.0.1 by default; only GET /metrics', async () => {
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(new URL(metricsUrl).port).not.toBe(new URL(s.t.url).port);
    expect((await fetch(metricsUrl.replace('/metrics', '/other'))).status).toBe(404);
    expect((await fetch(`${s.t.url}/metrics`)).status).toBe(404);
  });

  it('every family is present, and each moves when calls are made against the sandbox', async () => {
    const before = await scrape();
    for (const family of [
      'omnigate_process_cpu_user_seconds_total',
      'omnigate_process_resident_memory_bytes',
      'omnigate_nodejs_eventloop_lag_seconds',
      'omnigate_nodejs_heap_size_used_bytes',
      'omnigate_unknown_backlog',
      'omnigate_unknown_oldest_age_seconds',
    ]) {
      expect([...before.keys()], family).toContain(family);
    }

    // A payment answered by the sandbox.
    expect((await pay()).status).toBe(200);
    // The sandbox answers HTTP 500 to everything for this merchant: the pay is unknown, and
    // the reconciler's checks stay unknown until the fault is lifted.
    await sandboxPost(s.sandbox, '/sandbox/faults', {
      MerchantID: s.merchant.MerchantID,
      fault: 'http500',
      count: 10_000,
    });
    expect((await pay()).status).toBe(502);
    const stuck = await until(
      scrape,
      (m) => total(m, 'omnigate_reconcile_attempts_total', 'result="unknown"') > 0,
    );
    expect(total(stuck, 'omnigate_unknown_backlog')).toBe(1);
    expect(total(stuck, 'omnigate_ledger_transactions', 'state="unknown"')).toBe(1);
    expect(total(stuck, 'omnigate_unknown_oldest_age_seconds')).toBeGreaterThan(0);
    await fetch(`${s.sandbox.url}/sandbox/faults`, { method: 'DELETE' });
    // The backlog gauge reads the ledger, the attempts counter moves once the check is
    // recorded: wait for both, then check the counter moved exactly once.
    const settled = await until(
      scrape,
      (m) =>
        total(m, 'omnigate_unknown_backlog') === 0 &&
        total(m, 'omnigate_reconcile_attempts_total', 'result="succeeded"') > 0,
    );

    // Two failed token requests for one client: the second is refused by the limit.
    for (let i = 0; i < 2; i += 1) {
      await api(s.t.url, 'POST', '/oauth/v1/token', {
        rawBody: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: s.company.clientId,
          client_secret: 'wrong',
        }).toString(),
        contentType: 'application/x-www-form-urlencoded',
      });
    }
    const after = await scrape();

    const pays = ['route="/v1/payment/integrate/pay"', 'method="POST"'];
    expect(total(after, 'omnigate_http_requests_total', ...pays, 'status="200"')).toBe(
      total(before, 'omnigate_http_requests_total', ...pays, 'status="200"') + 1,
    );
    expect(total(after, 'omnigate_http_requests_total', ...pays, 'status="502"')).toBe(1);
    expect(total(after, 'omnigate_http_request_duration_seconds_count', ...pays)).toBe(
      total(before, 'omnigate_http_request_duration_seconds_count', ...pays) + 2,
    );
    const upstream = [`type="${TYPE}"`, 'operation="pay"'];
    expect(total(after, 'omnigate_upstream_calls_total', ...upstream, 'outcome="answered"')).toBe(
      total(before, 'omnigate_upstream_calls_total', ...upstream, 'outcome="answered"') + 1,
    );
    expect(
      total(after, 'omnigate_upstream_calls_total', ...upstream, 'outcome="unknown"') +
        total(after, 'omnigate_upstream_calls_total', ...upstream, 'outcome="untrusted"'),
    ).toBe(1);
    expect(total(after, 'omnigate_upstream_call_duration_seconds_count', ...upstream)).toBe(
      total(before, 'omnigate_upstream_call_duration_seconds_count', ...upstream) + 2,
    );
    expect(total(settled, 'omnigate_reconcile_attempts_total', 'result="succeeded"')).toBe(1);
    expect(total(after, 'omnigate_ledger_transactions', 'state="succeeded"')).toBeGreaterThan(
      total(before, 'omnigate_ledger_transactions', 'state="succeeded"'),
    );
    expect(total(after, 'omnigate_ledger_transactions', 'state="unknown"')).toBe(0);
    expect(total(after, 'omnigate_unknown_oldest_age_seconds')).toBe(0);
    expect(total(after, 'omnigate_rate_limit_refusals_total', 'limit="token_attempts"')).toBe(1);
    expect(total(after, 'omnigate_process_cpu_user_seconds_total')).toBeGreaterThan(0);
    // A route pattern, never a raw path with ids in it.
    const routes = [...after.keys()].filter((k) => k.startsWith('omnigate_http_requests_total'));
    expect(routes.every((k) => !k.includes('MET'))).toBe(true);
  });

  it('the Grafana dashboard (docs/grafana-dashboard.json) asks only for families the listener exposes', async () => {
    const text = await (await fetch(metricsUrl)).text();
    const exposed = new Set(
      text
        .split('\n')
        .filter((line) => line.startsWith('# TYPE '))
        .map((line) => line.split(' ')[2]),
    );
    const dashboard = readFileSync('docs/grafana-dashboard.json', 'utf8');
    const asked = new Set(
      [...dashboard.matchAll(/omnigate_[a-z0-9_]+/g)].map(([name]) =>
        name.replace(/_(bucket|count|sum)$/, ''),
      ),
    );
    expect(asked.size).toBeGreaterThan(8);
    for (const name of asked) expect(exposed, name).toContain(name);
  });

  it('is off unless OMNIGATE_METRICS_PORT is set', async () => {
    const { startTestGateway } = await import('./helpers.js');
    const plain = await startTestGateway();
    try {
      expect(plain.gateway.metricsUrl).toBeNull();
      expect(plain.gateway.services.metrics).toBeUndefined();
    } finally {
      await plain.close();
    }
  });
});
