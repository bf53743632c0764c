import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  cancelBody,
  clearFaults,
  gatewayEnv,
  injectFault,
  issueToken,
  ledgerRows,
  newBarcode,
  newMerchant,
  payBody,
  provision,
  refundBody,
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

interface Attempt {
  attempt: number;
  TradeStatus: string | null;
  result: string;
}
interface TransactionView {
  request_id: string;
  operation: string;
  state: string;
  MerchantTradeNo: string | null;
  reconciliation: Attempt[];
}

/**
 * The kill test of issue 4: `kill -9` the gateway while a cancel is held by an
 * upstream delay; the ledger row was durable before the upstream call; after a
 * restart the row is reconciled to the sandbox's truth and the client's retry
 * with the same Idempotency-Key gets it, with exactly one cancel sent to icash.
 */
describe('kill -9 during an upstream cancel', () => {
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

  it('restart reconciles the pending cancel to succeeded; the retry with the same key replays it', async () => {
    const env = gatewayEnv(sandbox);
    const first = await spawnGateway(dataDir, env);
    children.push(first);
    const token = await issueToken(first.url, provisioned);

    const no = tradeNo('KILL');
    const pay = await api(first.url, 'POST', '/v1/payment/integrate/pay', {
      token,
      body: payBody(await newBarcode(sandbox), no),
    });
    expect(pay.status).toBe(200);
    expect(pay.body.RtnCode).toBe(1);

    await injectFault(sandbox, {
      MerchantID: merchant.MerchantID,
      fault: 'delay',
      delayMs: 20_000,
      count: 1,
      operation: 'DeductCancelICPOF',
      process: true,
    });
    const key = `kill-${no}`;
    const body = cancelBody(no);
    const inFlight = api(first.url, 'POST', '/v1/payment/integrate/cancel', {
      token,
      body,
      headers: { 'idempotency-key': key },
      timeoutMs: 60_000,
    }).then(
      (answer) => ({ answer, error: undefined }),
      (error: unknown) => ({ answer: undefined, error }),
    );

    // The cancel reached icash (and was applied there); its answer is held back.
    await waitFor(
      'the DeductCancelICPOF at the sandbox',
      () => (upstreamCalls(sandbox, 'DeductCancelICPOF', no).length > 0 ? true : undefined),
      10_000,
    );
    first.child.kill('SIGKILL');
    const exit = await first.exited;
    expect(exit.signal).toBe('SIGKILL');
    const lost = await inFlight;
    expect(lost.answer).toBeUndefined();
    expect(lost.error).toBeInstanceOf(Error);

    // The ledger row was committed before the upstream call: it survived the kill as pending.
    const afterKill = ledgerRows(dataDir, no);
    const cancelRows = afterKill.filter((r) => r.operation === 'cancel');
    expect(cancelRows).toHaveLength(1);
    expect(cancelRows[0]!.state).toBe('pending');
    const requestId = cancelRows[0]!.request_id;

    await clearFaults(sandbox);
    const second = await spawnGateway(dataDir, env);
    children.push(second);

    // Tokens survive the restart.
    const settled = await waitFor(
      'the cancel row to settle',
      async () => {
        const res = await api(second.url, 'GET', transactionsPath(no), { token });
        expect(res.status).toBe(200);
        const rows = (res.body.transactions as TransactionView[]).filter(
          (r) => r.operation === 'cancel',
        );
        const row = rows.find((r) => r.request_id === requestId);
        return row && row.state !== 'unknown' && row.state !== 'pending' ? row : undefined;
      },
      30_000,
      100,
    );
    expect(settled.state).toBe('succeeded');
    expect(settled.reconciliation.length).toBeGreaterThanOrEqual(1);
    expect(
      settled.reconciliation.some((a) => a.TradeStatus === '4' && a.result === 'succeeded'),
    ).toBe(true);
    // The row went pending → unknown (at restart) → succeeded (by the reconciler).
    expect(ledgerRows(dataDir, no).find((r) => r.request_id === requestId)).toMatchObject({
      state: 'succeeded',
      error_code: 'interrupted',
    });

    // The client retries the same cancel with the same key and body: it learns the truth.
    const retry = await api(second.url, 'POST', '/v1/payment/integrate/cancel', {
      token,
      body,
      headers: { 'idempotency-key': key },
    });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.state).toBe('succeeded');
    expect(retry.body.request_id).toBe(requestId);

    // icash saw exactly one cancel for the trade, and the trade is cancelled there.
    expect(upstreamCalls(sandbox, 'DeductCancelICPOF', no)).toHaveLength(1);
    const search = await api(second.url, 'GET', searchPath(no), { token });
    expect((search.body.EncData as Record<string, unknown>).TradeStatus).toBe('4');

    const stopped = await second.stop('SIGTERM', 20_000);
    expect(stopped.code).toBe(0);
  }, 120_000);

  it('kill -9 during a refund: the pending row is reconciled after restart, the refund counted once', async () => {
    const env = gatewayEnv(sandbox);
    const first = await spawnGateway(dataDir, env);
    children.push(first);
    const token = await issueToken(first.url, provisioned);
    const original = tradeNo('KRP');
    const pay = await api(first.url, 'POST', '/v1/payment/integrate/pay', {
      token,
      body: payBody(await newBarcode(sandbox), original, 300),
    });
    expect(pay.body.RtnCode).toBe(1);

    await injectFault(sandbox, {
      MerchantID: merchant.MerchantID,
      fault: 'delay',
      delayMs: 20_000,
      count: 1,
      operation: 'RefundICPO',
      process: true,
    });
    const no = tradeNo('KRF');
    const inFlight = api(first.url, 'POST', '/v1/payment/integrate/refund', {
      token,
      body: refundBody(original, no, 120),
      timeoutMs: 60_000,
    }).catch((error: unknown) => error);
    await waitFor(
      'the RefundICPO at the sandbox',
      () => (upstreamCalls(sandbox, 'RefundICPO', no).length > 0 ? true : undefined),
      10_000,
    );
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(await inFlight).toBeInstanceOf(Error);
    const [row] = ledgerRows(dataDir, no);
    expect(row).toMatchObject({ operation: 'refund', state: 'pending' });

    await clearFaults(sandbox);
    const second = await spawnGateway(dataDir, env);
    children.push(second);
    const settled = await waitFor(
      'the refund row to settle',
      async () => {
        const res = await api(second.url, 'GET', transactionsPath(no), { token });
        const view = (res.body.transactions as TransactionView[])[0];
        return view && view.state !== 'unknown' && view.state !== 'pending' ? view : undefined;
      },
      30_000,
      100,
    );
    expect(settled).toMatchObject({ state: 'succeeded', operation: 'refund' });
    const payView = await api(second.url, 'GET', transactionsPath(original), { token });
    expect((payView.body.transactions as Record<string, unknown>[])[0]).toMatchObject({
      refunded_amount: 120,
      refundable_amount: 180,
    });
    expect(upstreamCalls(sandbox, 'RefundICPO', no)).toHaveLength(1);
    const search = await api(second.url, 'GET', searchPath(original), { token });
    expect((search.body.EncData as Record<string, unknown>).TradeStatus).toBe('3');
    expect((await second.stop('SIGTERM', 20_000)).code).toBe(0);
  }, 120_000);
});
