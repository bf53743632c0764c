import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { type SandboxCall } from '../../src/sandbox/icash-pay/index.js';
import { control, MerchantSession, onboard, TestClient } from './helpers.js';

let sandbox: SandboxHandle;
let client: TestClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  client = new TestClient(sandbox);
});

afterAll(async () => {
  await client.close();
  await sandbox.close();
});

describe('startSandbox', () => {
  it('listens on 127.0.0.1 and names the icash base URL', async () => {
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.baseUrls.icash).toBe(`${sandbox.url}/api/V2/Payment`);
    expect(await control(sandbox, 'GET', '/sandbox/healthz')).toEqual({
      status: 200,
      body: { status: 'ok' },
    });
  });
});

describe('POST /sandbox/merchants', () => {
  it('issues ids, AES text and PEM keys, and keeps the other halves to itself', async () => {
    const reply = await control(sandbox, 'POST', '/sandbox/merchants');
    expect(reply.status).toBe(201);
    const body = reply.body;
    expect(Object.keys(body).sort()).toEqual(
      [
        'AESIV',
        'AESKey',
        'ClientPrivateKey',
        'EncKeyID',
        'MerchantID',
        'PlatformID',
        'ServerPublicKey',
      ].sort(),
    );
    expect(body.MerchantID).toMatch(/^\d{8}$/);
    expect(body.PlatformID).toBe(body.MerchantID);
    expect(body.EncKeyID).toMatch(/^\d{5,9}$/);
    expect(body.AESKey).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(body.AESIV).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(body.ClientPrivateKey).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    expect(body.ServerPublicKey).toMatch(/^-----BEGIN PUBLIC KEY-----/);
  });

  it('registers the given ids, a platform with several merchants, and refuses a platform change', async () => {
    const platform = await onboard(sandbox, { PlatformID: '70000001', MerchantID: '70000002' });
    expect(platform.creds).toMatchObject({ PlatformID: '70000001', MerchantID: '70000002' });
    const sibling = await onboard(sandbox, { PlatformID: '70000001', MerchantID: '70000003' });
    // A key set of the platform serves all of its merchants.
    const viaFirstKeys = new MerchantSession(sandbox, client, {
      creds: { ...platform.creds, MerchantID: '70000003' },
      keys: platform.keys,
    });
    expect((await viaFirstKeys.query('NONE1')).rtnCode).toBe(2025);
    expect(sibling.creds.EncKeyID).not.toBe(platform.creds.EncKeyID);
    const conflict = await control(sandbox, 'POST', '/sandbox/merchants', {
      PlatformID: '70000009',
      MerchantID: '70000002',
    });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toHaveProperty('message');
  });

  it.each([['{"MerchantID":"123"}'], ['{"PlatformID":12345678}'], ['[1]'], ['not json']])(
    'answers 400 to %s',
    async (text) => {
      const res = await fetch(`${sandbox.url}/sandbox/merchants`, { method: 'POST', body: text });
      expect(res.status).toBe(400);
      expect(await res.json()).toHaveProperty('message');
    },
  );
});

describe('POST /sandbox/barcodes and GET /sandbox/wallets', () => {
  it('issues an 18-character barcode backed by a wallet', async () => {
    const reply = await control(sandbox, 'POST', '/sandbox/barcodes', { balance: 250 });
    expect(reply.status).toBe(201);
    expect(reply.body.Barcode).toMatch(/^IC[A-Z0-9]{16}$/);
    expect(reply.body.ICPAccount).toMatch(/^\d{16}$/);
    expect(reply.body.Balance).toBe(250);
    const wallet = await control(
      sandbox,
      'GET',
      `/sandbox/wallets/${String(reply.body.ICPAccount)}`,
    );
    expect(wallet.body).toMatchObject({ ICPAccount: reply.body.ICPAccount, Balance: 250 });
    const more = await control(sandbox, 'POST', '/sandbox/barcodes', {
      ICPAccount: reply.body.ICPAccount,
    });
    expect(more.status).toBe(201);
    expect(more.body.Barcode).not.toBe(reply.body.Barcode);
  });

  it.each([
    [{}, 400],
    [{ balance: -1 }, 400],
    [{ balance: 1.5 }, 400],
    [{ balance: '10' }, 400],
    [{ balance: 10, ttlSeconds: -5 }, 400],
    [{ ICPAccount: '0000000000000000' }, 404],
  ])('refuses %j with %i', async (body, status) => {
    const reply = await control(sandbox, 'POST', '/sandbox/barcodes', body);
    expect(reply.status).toBe(status);
    expect(reply.body).toHaveProperty('message');
  });

  it('answers 404 for an unknown wallet', async () => {
    expect((await control(sandbox, 'GET', '/sandbox/wallets/1234')).status).toBe(404);
  });
});

describe('trade controls', () => {
  it.each([
    ['/sandbox/trades/settle', { MerchantID: '12345678', MerchantTradeNo: 'NONE' }, 404],
    ['/sandbox/trades/settle', { MerchantID: '1', MerchantTradeNo: 'X' }, 400],
    ['/sandbox/trades/settle', { MerchantID: '12345678' }, 400],
    ['/sandbox/trades/backdate', { MerchantID: '12345678', MerchantTradeNo: 'X', days: -1 }, 400],
    ['/sandbox/trades/backdate', { MerchantID: '12345678', MerchantTradeNo: 'X', days: 1 }, 404],
  ])('%s %j answers %i', async (path, body, status) => {
    const reply = await control(sandbox, 'POST', path, body);
    expect(reply.status).toBe(status);
    expect(reply.body).toHaveProperty('message');
  });

  it('backdate moves PaymentDate back by whole days', async () => {
    const session = new MerchantSession(sandbox, client, await onboard(sandbox));
    const trade = await session.paidTrade();
    const before = String((await session.query(trade.no)).encData?.PaymentDate);
    const moved = await control(sandbox, 'POST', '/sandbox/trades/backdate', {
      MerchantID: session.merchant.creds.MerchantID,
      MerchantTradeNo: trade.no,
      days: 1,
    });
    const after = String((await session.query(trade.no)).encData?.PaymentDate);
    expect(moved.body.PaymentDate).toBe(after);
    expect(after.slice(11)).toBe(before.slice(11));
    expect(after).not.toBe(before);
  });
});

describe('GET /sandbox/calls', () => {
  it('returns the call log, filtered by merchant, as handle.wallets.icash.log.list() does', async () => {
    const a = new MerchantSession(sandbox, client, await onboard(sandbox));
    const b = new MerchantSession(sandbox, client, await onboard(sandbox));
    await a.query('A1');
    await b.query('B1');
    await a.query('A2');
    const reply = await control<SandboxCall[]>(
      sandbox,
      'GET',
      `/sandbox/calls?MerchantID=${a.merchant.creds.MerchantID}`,
    );
    expect(reply.body.map((c) => c.payload?.MerchantTradeNo)).toEqual(['A1', 'A2']);
    expect(reply.body[0]).toMatchObject({
      path: '/api/V2/Payment/Cashier/QueryTradeICPO',
      encKeyId: a.merchant.creds.EncKeyID,
      signatureValid: true,
      rtnCode: 2025,
    });
    expect(Number.isNaN(Date.parse(String(reply.body[0]?.at)))).toBe(false);
    const all = await control<SandboxCall[]>(sandbox, 'GET', '/sandbox/calls');
    expect(all.body).toEqual(sandbox.wallets.icash.log.list());
    expect((await control(sandbox, 'GET', '/sandbox/calls?MerchantID=x')).status).toBe(400);
  });

  it('answers 404 JSON for unknown control paths and methods', async () => {
    expect((await control(sandbox, 'GET', '/sandbox/nothing')).status).toBe(404);
    expect((await control(sandbox, 'PUT', '/sandbox/merchants', {})).status).toBe(404);
    expect((await control(sandbox, 'GET', '/elsewhere')).status).toBe(404);
  });
});
