import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FAST_RECONCILE,
  api,
  cancelBody,
  createDatabase,
  injectFault,
  issueToken,
  newMasterKey,
  newMerchant,
  pay,
  postgresReachable,
  provision,
  removeDir,
  spawnGateway,
  startSandbox,
  stopAll,
  tempDir,
  tradeNo,
  upstreamCalls,
  waitFor,
  type Deployment,
  type GatewayChild,
  type Provisioned,
  type SandboxHandle,
  type SandboxMerchant,
  type TestDatabase,
} from './helpers.js';

const postgres = await postgresReachable();

interface TransactionView {
  request_id: string;
  operation: string;
  state: string;
  error_code: string | null;
  reconciliation: { attempt: number; TradeStatus: string | null; result: string }[];
}

/**
 * Issue 7's kill test: two instances on one PostgreSQL database; `kill -9` one of
 * them while its cancel is held upstream. The survivor sees the dead instance's
 * `pending` row go stale, turns it `unknown`, and reconciles it with a query —
 * never a second cancel.
 */
describe.skipIf(!postgres)('kill -9 one of two instances mid-cancel (PostgreSQL)', () => {
  let sandbox: SandboxHandle | undefined;
  let merchant: SandboxMerchant;
  let database: TestDatabase | undefined;
  let deployment: Deployment;
  let company: Provisioned;
  const children: GatewayChild[] = [];
  let a: GatewayChild;
  let b: GatewayChild;

  beforeAll(async () => {
    sandbox = await startSandbox();
    merchant = await newMerchant(sandbox);
    database = await createDatabase();
    deployment = { dataDir: tempDir(), databaseUrl: database.url, masterKey: newMasterKey() };
    company = await provision(deployment, merchant);
    const env = {
      OMNIGATE_ICASH_TEST_URL: sandbox.baseUrls.icash,
      OMNIGATE_UPSTREAM_TIMEOUT_MS: '2000',
      OMNIGATE_SHUTDOWN_GRACE_MS: '0',
      OMNIGATE_PENDING_STALE_AFTER_MS: '3000',
      ...FAST_RECONCILE,
    };
    const started = await Promise.all([
      spawnGateway(deployment, env),
      spawnGateway(deployment, env),
    ]);
    children.push(...started);
    [a, b] = started as [GatewayChild, GatewayChild];
  }, 240_000);

  afterAll(async () => {
    await stopAll(children);
    await sandbox?.close();
    await database?.drop();
    if (deployment) removeDir(deployment.dataDir);
  }, 60_000);

  it('the surviving instance reconciles the dead one’s pending cancel, with no second cancel', async () => {
    const token = await issueToken(b.url, company);
    const no = tradeNo('KILL');
    await pay(sandbox!, a.url, token, no);

    // icash applies the cancel at once but holds its answer for 20 s.
    await injectFault(sandbox!, {
      MerchantID: merchant.MerchantID,
      fault: 'delay',
      delayMs: 20_000,
      count: 1,
      operation: 'DeductCancelICPOF',
      process: true,
    });
    const inFlight = api(a.url, 'POST', '/v1/payment/integrate/cancel', {
      token,
      body: cancelBody(no),
    }).then(
      (r) => r,
      (error: unknown) => error,
    );
    await waitFor(
      'the cancel to reach the sandbox',
      () => (upstreamCalls(sandbox!, 'DeductCancelICPOF', no).length === 1 ? true : undefined),
      10_000,
      5,
    );
    // Well inside A's 2 s upstream time-out: A dies with the row `pending`.
    process.kill(a.pid, 'SIGKILL');
    expect(await a.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const lost = await inFlight;
    expect(lost).toBeInstanceOf(Error);

    const rows = await database!.query<{ request_id: string; state: string }>(
      "SELECT request_id, state FROM transactions WHERE merchant_trade_no = $1 AND operation = 'cancel'",
      [no],
    );
    expect(rows).toHaveLength(1);
    const requestId = rows[0]!.request_id;

    // B, still running, turns the stale row `unknown` and settles it by a query.
    const settled = await waitFor(
      'B to reconcile the dead instance’s cancel',
      async () => {
        const view = await api(b.url, 'GET', `/v1/payment/transactions/${requestId}`, { token });
        expect(view.status).toBe(200);
        const body = view.body as unknown as TransactionView;
        return body.state === 'succeeded' ? body : undefined;
      },
      30_000,
      200,
    );
    expect(settled.operation).toBe('cancel');
    expect(settled.error_code).toBe('interrupted');
    expect(settled.reconciliation.at(-1)).toMatchObject({ TradeStatus: '4', result: 'succeeded' });
    expect(settled.reconciliation.filter((r) => r.result === 'succeeded')).toHaveLength(1);

    // B asked icash; it never sent the cancel again.
    expect(upstreamCalls(sandbox!, 'QueryTradeICPO', no).length).toBeGreaterThanOrEqual(1);
    expect(upstreamCalls(sandbox!, 'DeductCancelICPOF', no)).toHaveLength(1);
    expect(b.child.exitCode).toBeNull();
  }, 120_000);
});
