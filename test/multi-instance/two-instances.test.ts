import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FAST_RECONCILE,
  REDIS_URL,
  api,
  cancelBody,
  clearFaults,
  cli,
  createDatabase,
  injectFault,
  issueToken,
  newClient,
  newMasterKey,
  newMerchant,
  pay,
  postgresReachable,
  provision,
  redisReachable,
  removeDir,
  spawnGateway,
  startSandbox,
  stopAll,
  tempDir,
  tradeNo,
  upstreamCalls,
  waitFor,
  sleep,
  type ApiAnswer,
  type Deployment,
  type GatewayChild,
  type Provisioned,
  type SandboxHandle,
  type SandboxMerchant,
  type TestDatabase,
} from './helpers.js';

const ready = (await postgresReachable()) && (await redisReachable());

/** Any authenticated call that touches nothing upstream. */
const PROBE = `/v1/payment/transactions?MerchantTradeNo=PROBE`;

interface AttemptRow {
  request_id: string;
  attempt: number;
  result: string;
}

/**
 * Issue 7: two gateway processes on two ports, one PostgreSQL database and one
 * Redis, provisioned through the CLI; every multi-instance guarantee proven
 * over real sockets.
 */
describe.skipIf(!ready)('two gateway instances on one PostgreSQL database', () => {
  let sandbox: SandboxHandle | undefined;
  let merchant: SandboxMerchant;
  let database: TestDatabase | undefined;
  let deployment: Deployment;
  let company: Provisioned;
  const children: GatewayChild[] = [];
  let a: GatewayChild;
  let b: GatewayChild;
  /** A second pair, with OMNIGATE_RATE_LIMIT_PER_MINUTE=6. */
  let limitedA: GatewayChild;
  let limitedB: GatewayChild;
  /** Extra OAuth clients: each test counts its own calls and tokens. */
  let revocable: Provisioned;
  let limited: Provisioned;
  let unlimited: Provisioned;

  const start = async (env: Record<string, string> = {}): Promise<GatewayChild> => {
    const child = await spawnGateway(deployment, {
      OMNIGATE_ICASH_TEST_URL: sandbox!.baseUrls.icash,
      OMNIGATE_REDIS_URL: REDIS_URL,
      OMNIGATE_UPSTREAM_TIMEOUT_MS: '5000',
      ...FAST_RECONCILE,
      ...env,
    });
    children.push(child);
    return child;
  };

  beforeAll(async () => {
    sandbox = await startSandbox();
    merchant = await newMerchant(sandbox);
    database = await createDatabase();
    deployment = { dataDir: tempDir(), databaseUrl: database.url, masterKey: newMasterKey() };
    company = await provision(deployment, merchant);
    const six = { OMNIGATE_RATE_LIMIT_PER_MINUTE: '6' };
    [a, b, limitedA, limitedB, revocable, limited, unlimited] = await Promise.all([
      start(),
      start(),
      start(six),
      start(six),
      newClient(deployment, company.companyId, 'revocable'),
      newClient(deployment, company.companyId, 'limited'),
      newClient(deployment, company.companyId, 'unlimited'),
    ]);
  }, 240_000);

  afterAll(async () => {
    await stopAll(children);
    await sandbox?.close();
    await database?.drop();
    if (deployment) removeDir(deployment.dataDir);
  }, 60_000);

  it('runs two processes on two ports', () => {
    expect(a.pid).not.toBe(b.pid);
    expect(new URL(a.url).port).not.toBe(new URL(b.url).port);
  });

  it('a token of A works on B; a revocation on A, or of the client, holds on both at once', async () => {
    const client = revocable;
    const token = await issueToken(a.url, client);
    expect((await api(a.url, 'GET', PROBE, { token })).status).toBe(200);
    expect((await api(b.url, 'GET', PROBE, { token })).status).toBe(200);

    const revoked = await api(a.url, 'POST', '/oauth/v1/revoke', {
      form: { token, client_id: client.clientId, client_secret: client.clientSecret },
    });
    expect(revoked.status).toBe(200);
    expect((await api(b.url, 'GET', PROBE, { token })).status).toBe(401);
    expect((await api(a.url, 'GET', PROBE, { token })).status).toBe(401);

    // Revoking the client (CLI, a third process) ends every token it holds, on both.
    const fromA = await issueToken(a.url, client);
    const fromB = await issueToken(b.url, client);
    for (const [url, t] of [
      [a.url, fromA],
      [b.url, fromA],
      [a.url, fromB],
      [b.url, fromB],
    ] as const) {
      expect((await api(url, 'GET', PROBE, { token: t })).status).toBe(200);
    }
    expect(await cli(deployment, ['client', 'revoke', '--client', client.clientId])).toEqual({
      client_id: client.clientId,
      revoked: true,
    });
    for (const [url, t] of [
      [a.url, fromA],
      [b.url, fromA],
      [a.url, fromB],
      [b.url, fromB],
    ] as const) {
      const refused = await api(url, 'GET', PROBE, { token: t });
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe('invalid_token');
    }
    // And no new token for it, from either.
    for (const url of [a.url, b.url]) {
      const denied = await api(url, 'POST', '/oauth/v1/token', {
        form: {
          grant_type: 'client_credentials',
          client_id: client.clientId,
          client_secret: client.clientSecret,
        },
      });
      expect(denied.status).toBe(401);
    }
  }, 120_000);

  it('the same Idempotency-Key sent concurrently to A and B makes exactly one upstream cancel', async () => {
    const token = await issueToken(a.url, company);
    const no = tradeNo('IDEM');
    await pay(sandbox!, b.url, token, no);
    // Hold the winner upstream for a moment so the others really overlap it.
    await injectFault(sandbox!, {
      MerchantID: merchant.MerchantID,
      fault: 'delay',
      delayMs: 1000,
      count: 1,
      operation: 'DeductCancelICPOF',
      process: true,
    });
    const body = cancelBody(no);
    const key = `idem-${no}`;
    const send = (url: string) =>
      api(url, 'POST', '/v1/payment/integrate/cancel', {
        token,
        body,
        headers: { 'idempotency-key': key },
      });
    const burst = Array.from({ length: 20 }, (_, i) => send(i % 2 === 0 ? a.url : b.url));
    // Then a stream of retries, alternating, across the whole life of the first call
    // (through the moment it completes), until both instances replay it.
    const stream: Promise<ApiAnswer>[] = [];
    const replayedBy = new Set<string>();
    const deadline = Date.now() + 20_000;
    for (let i = 0; i < 400 && replayedBy.size < 2 && Date.now() < deadline; i += 1) {
      const url = i % 2 === 0 ? a.url : b.url;
      stream.push(
        send(url).then((r) => {
          if (r.headers.get('idempotent-replayed') === 'true') replayedBy.add(url);
          return r;
        }),
      );
      await sleep(5);
    }
    const answers = [...(await Promise.all(burst)), ...(await Promise.all(stream))];

    expect(upstreamCalls(sandbox!, 'DeductCancelICPOF', no)).toHaveLength(1);
    const originals = answers.filter(
      (r) => r.status === 200 && r.headers.get('idempotent-replayed') === null,
    );
    expect(originals).toHaveLength(1);
    const original = originals[0]!;
    expect(original.body.RtnCode).toBe(1);
    for (const r of answers) {
      if (r.status === 409) {
        expect(r.body.code).toBe('idempotency_in_progress');
      } else {
        expect(r.status).toBe(200);
        expect(r.text).toBe(original.text);
      }
    }
    expect(answers.filter((r) => r.status === 409).length).toBeGreaterThan(0);

    // Once it is done, both replay it byte for byte.
    for (const url of [a.url, b.url]) {
      const replay = await send(url);
      expect(replay.status).toBe(200);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.text).toBe(original.text);
    }
    expect(upstreamCalls(sandbox!, 'DeductCancelICPOF', no)).toHaveLength(1);
  }, 120_000);

  it('both reconcilers run, but each unknown row is checked by one at a time and settles once', async () => {
    const token = await issueToken(b.url, company);
    const trades = Array.from({ length: 8 }, () => tradeNo('RECON'));
    for (const [i, no] of trades.entries()) await pay(sandbox!, i % 2 ? a.url : b.url, token, no);
    // Every cancel is applied by icash, but its answer is lost: the outcome is unknown.
    await injectFault(sandbox!, {
      MerchantID: merchant.MerchantID,
      fault: 'drop',
      count: trades.length,
      operation: 'DeductCancelICPOF',
      process: true,
    });
    const answers = await Promise.all(
      trades.map((no, i) =>
        api(i % 2 ? a.url : b.url, 'POST', '/v1/payment/integrate/cancel', {
          token,
          body: cancelBody(no),
        }),
      ),
    );
    await clearFaults(sandbox!);
    const requestIds = answers.map((r) => {
      expect([502, 504]).toContain(r.status);
      expect(['upstream_invalid', 'upstream_timeout']).toContain(r.body.code);
      return String(r.body.request_id);
    });

    // Both instances' reconcilers race for these rows; each settles exactly once.
    await waitFor(
      'every unknown cancel reconciled',
      async () => {
        const rows = await database!.query<{ state: string }>(
          'SELECT state FROM transactions WHERE request_id = ANY($1)',
          [requestIds],
        );
        return rows.length === trades.length && rows.every((r) => r.state !== 'unknown')
          ? true
          : undefined;
      },
      60_000,
      100,
    );
    const states = await database!.query<{ request_id: string; state: string; n: number }>(
      'SELECT request_id, state, check_attempts AS n FROM transactions WHERE request_id = ANY($1)',
      [requestIds],
    );
    expect(states.map((s) => s.state)).toEqual(trades.map(() => 'succeeded'));

    const attempts = await database!.query<AttemptRow>(
      'SELECT request_id, attempt, result FROM reconciliation_attempts WHERE request_id = ANY($1) ORDER BY request_id, attempt',
      [requestIds],
    );
    for (const [i, requestId] of requestIds.entries()) {
      const mine = attempts.filter((r) => r.request_id === requestId);
      const numbers = mine.map((r) => r.attempt);
      // No attempt number twice, no gap, exactly one final 'succeeded' and it is the last.
      expect(new Set(numbers).size).toBe(numbers.length);
      expect(numbers).toEqual(numbers.map((_, j) => j + 1));
      expect(mine.filter((r) => r.result === 'succeeded')).toHaveLength(1);
      expect(mine.at(-1)!.result).toBe('succeeded');
      expect(states.find((s) => s.request_id === requestId)!.n).toBe(mine.length);
      // Every question asked upstream was recorded: no instance checked a row it did not hold.
      expect(upstreamCalls(sandbox!, 'QueryTradeICPO', trades[i]!)).toHaveLength(mine.length);
      // And the cancel itself was sent once.
      expect(upstreamCalls(sandbox!, 'DeductCancelICPOF', trades[i]!)).toHaveLength(1);
    }

    // Both instances see the settled state through the API.
    for (const url of [a.url, b.url]) {
      const view = await api(url, 'GET', `/v1/payment/transactions/${requestIds[0]}`, { token });
      expect(view.status).toBe(200);
      expect(view.body.state).toBe('succeeded');
    }
  }, 120_000);

  it('rate limits are shared through Redis: 3 calls on A and 3 on B, then 429 on either', async () => {
    const token = await issueToken(limitedA.url, limited);
    for (let i = 0; i < 3; i += 1) {
      expect((await api(limitedA.url, 'GET', PROBE, { token })).status).toBe(200);
      expect((await api(limitedB.url, 'GET', PROBE, { token })).status).toBe(200);
    }
    const seventhOnA = await api(limitedA.url, 'GET', PROBE, { token });
    expect(seventhOnA.status).toBe(429);
    expect(Number(seventhOnA.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await api(limitedB.url, 'GET', PROBE, { token })).status).toBe(429);

    // Another client of the same company has its own allowance.
    const otherToken = await issueToken(limitedB.url, unlimited);
    expect((await api(limitedB.url, 'GET', PROBE, { token: otherToken })).status).toBe(200);
  }, 120_000);
});
