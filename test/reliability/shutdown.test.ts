import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  api,
  cancelBody,
  clearFaults,
  connectionRefused,
  gatewayEnv,
  injectFault,
  issueToken,
  ledgerRows,
  newBarcode,
  newMerchant,
  payBody,
  provision,
  removeDir,
  searchPath,
  spawnGateway,
  startSandbox,
  tempDir,
  tradeNo,
  transactionsPath,
  upstreamCalls,
  waitFor,
  type GatewayChild,
  type Provisioned,
  type SandboxHandle,
  type SandboxMerchant,
} from './helpers.js';

interface TransactionView {
  request_id: string;
  operation: string;
  state: string;
  reconciliation: { TradeStatus: string | null; result: string }[];
}

/**
 * Graceful shutdown of `omnigate serve` on SIGTERM: stop accepting, finish the
 * calls in flight up to OMNIGATE_SHUTDOWN_GRACE_MS, leave the rest `unknown`.
 */
describe('SIGTERM: graceful shutdown', () => {
  let sandbox: SandboxHandle;
  let merchant: SandboxMerchant;
  let dataDir: string;
  let provisioned: Provisioned;
  const children: GatewayChild[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox();
    merchant = await newMerchant(sandbox);
    dataDir = tempDir();
    provisioned = await provision(dataDir, merchant);
  }, 120_000);

  afterAll(async () => {
    for (const c of children) await c.stop('SIGKILL', 5000).catch(() => undefined);
    await sandbox?.close();
    if (dataDir) removeDir(dataDir);
  });

  beforeEach(async () => {
    await clearFaults(sandbox);
  });

  async function start(env: Record<string, string>): Promise<GatewayChild> {
    const child = await spawnGateway(dataDir, gatewayEnv(sandbox, env));
    children.push(child);
    return child;
  }

  /** A paid trade and a cancel of it held at the sandbox by a delay of `delayMs`. */
  async function cancelInFlight(gateway: GatewayChild, token: string, delayMs: number) {
    const no = tradeNo('TERM');
    const pay = await api(gateway.url, 'POST', '/v1/payment/integrate/pay', {
      token,
      body: payBody(await newBarcode(sandbox), no),
    });
    expect(pay.body.RtnCode).toBe(1);
    await injectFault(sandbox, {
      MerchantID: merchant.MerchantID,
      fault: 'delay',
      delayMs,
      count: 1,
      operation: 'DeductCancelICPOF',
      process: true,
    });
    const answer = api(gateway.url, 'POST', '/v1/payment/integrate/cancel', {
      token,
      body: cancelBody(no),
      timeoutMs: 60_000,
    }).then(
      (res) => ({ res, error: undefined, at: Date.now() }),
      (error: unknown) => ({ res: undefined, error, at: Date.now() }),
    );
    await waitFor(
      'the DeductCancelICPOF at the sandbox',
      () => (upstreamCalls(sandbox, 'DeductCancelICPOF', no).length > 0 ? true : undefined),
      10_000,
    );
    return { no, answer };
  }

  it('finishes the call in flight within the grace period, refuses new connections, exits 0', async () => {
    const gateway = await start({ OMNIGATE_SHUTDOWN_GRACE_MS: '10000' });
    const token = await issueToken(gateway.url, provisioned);
    const { no, answer } = await cancelInFlight(gateway, token, 1500);

    const signalledAt = Date.now();
    gateway.child.kill('SIGTERM');
    // The listener closes at once, while the cancel is still held upstream.
    await waitFor(
      'the listener to close',
      async () => ((await connectionRefused(gateway.url, 500)) ? true : undefined),
      1500,
      25,
    );
    const refusedAt = Date.now();
    const { res, error, at: answeredAt } = await answer;
    // The listener was closed while the call was still in flight.
    expect(refusedAt).toBeLessThan(answeredAt);
    expect(error).toBeUndefined();
    expect(res!.status).toBe(200);
    expect(res!.body.RtnCode).toBe(1);
    const exit = await gateway.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    // It exited once the call was done, not at the grace deadline (10 s).
    expect(Date.now() - signalledAt).toBeLessThan(8000);
    expect(await connectionRefused(gateway.url)).toBe(true);

    const rows = ledgerRows(dataDir, no).filter((r) => r.operation === 'cancel');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.state).toBe('succeeded');
  }, 120_000);

  it('past the grace period: exits promptly, leaves the call unknown, and a restart settles it', async () => {
    const gateway = await start({ OMNIGATE_SHUTDOWN_GRACE_MS: '500' });
    const token = await issueToken(gateway.url, provisioned);
    const { no, answer } = await cancelInFlight(gateway, token, 20_000);

    const signalledAt = Date.now();
    const exit = await gateway.stop('SIGTERM', 10_000);
    const tookMs = Date.now() - signalledAt;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(tookMs).toBeLessThan(5000);
    // The client did not get an answer the gateway could not know.
    const { res } = await answer;
    if (res) expect(res.status).not.toBe(200);

    const rows = ledgerRows(dataDir, no).filter((r) => r.operation === 'cancel');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.state).toBe('unknown');
    const requestId = rows[0]!.request_id;

    await clearFaults(sandbox);
    const restarted = await start({ OMNIGATE_SHUTDOWN_GRACE_MS: '500' });
    const settled = await waitFor(
      'the cancel row to settle',
      async () => {
        const list = await api(restarted.url, 'GET', transactionsPath(no), { token });
        const row = (list.body.transactions as TransactionView[] | undefined)?.find(
          (r) => r.request_id === requestId,
        );
        return row && row.state !== 'unknown' && row.state !== 'pending' ? row : undefined;
      },
      30_000,
      100,
    );
    expect(settled.state).toBe('succeeded');
    expect(settled.reconciliation.some((a) => a.TradeStatus === '4')).toBe(true);
    expect(upstreamCalls(sandbox, 'DeductCancelICPOF', no)).toHaveLength(1);
    const search = await api(restarted.url, 'GET', searchPath(no), { token });
    expect((search.body.EncData as Record<string, unknown>).TradeStatus).toBe('4');

    expect((await restarted.stop('SIGTERM', 20_000)).code).toBe(0);
  }, 120_000);
});
