import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IcashOperation } from '../../src/providers/icash-pay/wire.js';
import { type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import {
  balanceOf,
  control,
  deductPayload,
  issueBarcode,
  MerchantSession,
  onboard,
  TestClient,
  type TestMerchant,
} from './helpers.js';

let sandbox: SandboxHandle;
let client: TestClient;
/** Gives up after 300 ms, for faults that never answer in time. */
let impatient: TestClient;
let merchant: TestMerchant;
let session: MerchantSession;

beforeAll(async () => {
  sandbox = await startSandbox();
  client = new TestClient(sandbox);
  impatient = new TestClient(sandbox, 300);
  merchant = await onboard(sandbox);
  session = new MerchantSession(sandbox, client, merchant);
});

beforeEach(async () => {
  await control(sandbox, 'DELETE', '/sandbox/faults');
});

afterAll(async () => {
  await client.close();
  await impatient.close();
  await sandbox.close();
});

async function inject(fault: Record<string, unknown>): Promise<void> {
  const reply = await control(sandbox, 'POST', '/sandbox/faults', {
    MerchantID: merchant.creds.MerchantID,
    ...fault,
  });
  expect(reply.status).toBe(201);
}

/** Deducts NT$100 through `via` and returns the outcome with the trade's number and wallet. */
async function deductThrough(via: TestClient) {
  const { Barcode, ICPAccount } = await issueBarcode(sandbox, { balance: 500 });
  const payload = deductPayload(merchant, Barcode, 100);
  const outcome = await via.raw(merchant, IcashOperation.Deduct, payload);
  return { outcome, no: String(payload.MerchantTradeNo), account: ICPAccount };
}

describe('injected faults', () => {
  it('delay: a slow answer past the client time-out is unknown, yet the deduct happened', async () => {
    await inject({ fault: 'delay', delayMs: 3_000 });
    const { outcome, no, account } = await deductThrough(impatient);
    expect(outcome.kind).toBe('unknown');
    expect((await session.query(no)).encData).toMatchObject({ TradeStatus: '1' });
    expect(await balanceOf(sandbox, account)).toBe(400);
  });

  it('delay: a short delay answers normally', async () => {
    await inject({ fault: 'delay', delayMs: 50 });
    const { outcome } = await deductThrough(client);
    expect(outcome).toMatchObject({ kind: 'answered', rtnCode: 1 });
  });

  it('http500: unknown with the status, and the deduct happened', async () => {
    await inject({ fault: 'http500' });
    const { outcome, no } = await deductThrough(client);
    expect(outcome).toMatchObject({ kind: 'unknown', httpStatus: 500 });
    expect((await session.query(no)).encData).toMatchObject({ TradeStatus: '1' });
  });

  it('drop: the connection closes without an answer, and the cancel happened', async () => {
    const trade = await session.paidTrade(100, 100);
    await inject({ fault: 'drop', operation: 'DeductCancelICPOF' });
    const outcome = await impatient.raw(merchant, IcashOperation.DeductCancel, {
      PlatformID: merchant.creds.PlatformID,
      MerchantID: merchant.creds.MerchantID,
      MerchantTradeNo: trade.no,
      MerchantTradeDate: '2025/01/01 10:00:00',
    });
    expect(outcome.kind).toBe('unknown');
    expect((await session.query(trade.no)).encData).toMatchObject({ TradeStatus: '4' });
    expect(await balanceOf(sandbox, trade.account)).toBe(100);
  });

  it('bad_signature: the answer is untrusted, and the deduct happened', async () => {
    await inject({ fault: 'bad_signature' });
    const { outcome, no } = await deductThrough(client);
    expect(outcome).toMatchObject({
      kind: 'untrusted',
      reason: 'answer signature does not verify',
    });
    expect((await session.query(no)).encData).toMatchObject({ TradeStatus: '1' });
  });

  it('non_json: a signed answer that is not JSON is untrusted, and the deduct happened', async () => {
    await inject({ fault: 'non_json' });
    const { outcome, no } = await deductThrough(client);
    expect(outcome).toMatchObject({ kind: 'untrusted', reason: 'answer is not a JSON object' });
    expect((await session.query(no)).encData).toMatchObject({ TradeStatus: '1' });
  });

  it('process:false leaves everything as it was', async () => {
    await inject({ fault: 'http500', process: false });
    const { outcome, no, account } = await deductThrough(client);
    expect(outcome).toMatchObject({ kind: 'unknown', httpStatus: 500 });
    expect((await session.query(no)).rtnCode).toBe(2025);
    expect(await balanceOf(sandbox, account)).toBe(500);
    const logged = sandbox.wallets.icash.log
      .list()
      .filter((c) => c.payload?.MerchantTradeNo === no && c.path.endsWith('DeductICPOF'));
    expect(logged).toMatchObject([{ fault: 'http500', rtnCode: null }]);
  });

  it('count and operation pick which calls are hit; other merchants are untouched', async () => {
    const trade = await session.paidTrade(100);
    await inject({ fault: 'http500', count: 2, operation: 'QueryTradeICPO' });
    const other = new MerchantSession(sandbox, client, await onboard(sandbox));
    expect((await other.query('X1')).rtnCode).toBe(2025);
    expect((await deductThrough(client)).outcome).toMatchObject({ kind: 'answered', rtnCode: 1 });
    const query = {
      PlatformID: merchant.creds.PlatformID,
      MerchantID: merchant.creds.MerchantID,
      MerchantTradeNo: trade.no,
    };
    expect(await client.raw(merchant, IcashOperation.QueryTrade, query)).toMatchObject({
      kind: 'unknown',
    });
    expect(await client.raw(merchant, IcashOperation.QueryTrade, query)).toMatchObject({
      kind: 'unknown',
    });
    expect(await client.raw(merchant, IcashOperation.QueryTrade, query)).toMatchObject({
      kind: 'answered',
      rtnCode: 1,
    });
  });

  it('lists pending faults and DELETE clears them', async () => {
    await inject({ fault: 'drop', count: 3 });
    const listed = await control<unknown[]>(sandbox, 'GET', '/sandbox/faults');
    expect(listed.body).toMatchObject([
      { fault: 'drop', count: 3, process: true, operation: null },
    ]);
    const cleared = await control(
      sandbox,
      'DELETE',
      `/sandbox/faults?MerchantID=${merchant.creds.MerchantID}`,
    );
    expect(cleared.body).toEqual({ cleared: 1 });
    expect((await deductThrough(client)).outcome).toMatchObject({ kind: 'answered', rtnCode: 1 });
  });

  it.each([
    [{ fault: 'explode' }],
    [{ fault: 'delay', delayMs: -1 }],
    [{ fault: 'drop', count: 0 }],
    [{ fault: 'drop', operation: 'Pay' }],
    [{ fault: 'drop', process: 'yes' }],
    [{ fault: 'drop', MerchantID: 'abc' }],
  ])('refuses the fault %j with 400', async (body) => {
    const reply = await control(sandbox, 'POST', '/sandbox/faults', {
      MerchantID: merchant.creds.MerchantID,
      ...body,
    });
    expect(reply.status).toBe(400);
    expect(reply.body).toHaveProperty('message');
  });
});
