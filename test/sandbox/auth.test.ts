import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBase64, verifyBase64 } from '../../src/providers/icash-pay/envelope.js';
import { IcashOperation } from '../../src/providers/icash-pay/wire.js';
import { type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { ids, onboard, type TestMerchant } from './helpers.js';

let sandbox: SandboxHandle;
let merchant: TestMerchant;

beforeAll(async () => {
  sandbox = await startSandbox();
  merchant = await onboard(sandbox);
});

afterAll(async () => {
  await sandbox.close();
});

interface RawReply {
  status: number;
  text: string;
  signature: string | null;
}

async function post(
  headers: Record<string, string>,
  body: string,
  path: string = IcashOperation.QueryTrade,
): Promise<RawReply> {
  const res = await fetch(sandbox.baseUrls.icash + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
  return {
    status: res.status,
    text: await res.text(),
    signature: res.headers.get('x-icp-signature'),
  };
}

const queryJson = (): string => JSON.stringify({ ...ids(merchant), MerchantTradeNo: 'NOPE1' });

/** A request made by hand: `encData` is sent and signed as given. */
function signed(
  encData: string,
  keyId = merchant.creds.EncKeyID,
): [Record<string, string>, string] {
  return [
    {
      'X-iCP-EncKeyID': keyId,
      'X-iCP-Signature': signBase64(encData, merchant.keys.clientPrivateKey),
    },
    `EncData=${encodeURIComponent(encData)}`,
  ];
}

const MESSAGES: Record<number, string> = {
  1011: '驗證簽章失敗，請確認金鑰是否正確。',
  1016: 'X-iCP-EncKeyID 有誤，請確認後再試。',
  1017: 'X-iCP-Signature 有誤，請確認後再試。',
  1018: '解密失敗，請確認 AES 金鑰或資料是否正確。',
  1019: '傳入資料反序列化失敗，請確認資料是否正確',
};

function expectAuthFailure(reply: RawReply, code: number): void {
  expect(reply.status).toBe(200);
  expect(reply.signature).toBeNull();
  expect(JSON.parse(reply.text)).toEqual({ RtnCode: code, RtnMsg: MESSAGES[code] });
}

describe('the authentication layer', () => {
  it('1016 when the key id is missing, not numeric or unknown', async () => {
    const [headers, body] = signed(merchant.keys.aes.encrypt(queryJson()));
    const { 'X-iCP-EncKeyID': _dropped, ...withoutKeyId } = headers;
    expect(_dropped).toBeDefined();
    expectAuthFailure(await post(withoutKeyId, body), 1016);
    expectAuthFailure(await post({ ...headers, 'X-iCP-EncKeyID': 'abc' }, body), 1016);
    expectAuthFailure(await post({ ...headers, 'X-iCP-EncKeyID': '1' }, body), 1016);
  });

  it('1017 when the signature header is missing or blank', async () => {
    const encData = merchant.keys.aes.encrypt(queryJson());
    const body = `EncData=${encodeURIComponent(encData)}`;
    expectAuthFailure(await post({ 'X-iCP-EncKeyID': merchant.creds.EncKeyID }, body), 1017);
    expectAuthFailure(
      await post({ 'X-iCP-EncKeyID': merchant.creds.EncKeyID, 'X-iCP-Signature': ' ' }, body),
      1017,
    );
  });

  it('1011 when the signature is not the merchant’s', async () => {
    const encData = merchant.keys.aes.encrypt(queryJson());
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const body = `EncData=${encodeURIComponent(encData)}`;
    const headers = { 'X-iCP-EncKeyID': merchant.creds.EncKeyID };
    expectAuthFailure(
      await post({ ...headers, 'X-iCP-Signature': signBase64(encData, stranger) }, body),
      1011,
    );
    expectAuthFailure(
      await post({ ...headers, 'X-iCP-Signature': 'bm90IGEgc2lnbmF0dXJl' }, body),
      1011,
    );
    // A signature over the percent-encoded text is not a signature over EncData.
    const overEncoded = signBase64(
      encodeURIComponent(encData) + 'x',
      merchant.keys.clientPrivateKey,
    );
    expectAuthFailure(await post({ ...headers, 'X-iCP-Signature': overEncoded }, body), 1011);
  });

  it('1018 when EncData is missing or does not decrypt', async () => {
    expectAuthFailure(await post(...signed('bm90IGVuY3J5cHRlZA==')), 1018);
    expectAuthFailure(await post(...signed('AAAA')), 1018);
    expectAuthFailure(await post(...signed('***')), 1018);
    const [headers] = signed('');
    expectAuthFailure(await post(headers, ''), 1018);
  });

  it('1019 when the plaintext is not a JSON object', async () => {
    expectAuthFailure(await post(...signed(merchant.keys.aes.encrypt('hello'))), 1019);
    expectAuthFailure(await post(...signed(merchant.keys.aes.encrypt('[1,2]'))), 1019);
  });

  it('logs auth failures with what could be read', async () => {
    const calls = sandbox.wallets.icash.log
      .list()
      .filter((c) => c.encKeyId === merchant.creds.EncKeyID);
    const byCode = new Map(calls.map((c) => [c.rtnCode, c]));
    expect(byCode.get(1011)).toMatchObject({ signatureValid: false, payload: null });
    expect(byCode.get(1019)).toMatchObject({ signatureValid: true, payload: null });
    expect(
      sandbox.wallets.icash.log.list().some((c) => c.encKeyId === 'abc' && c.rtnCode === 1016),
    ).toBe(true);
  });
});

describe('the answer envelope', () => {
  it('signs the raw body, keeps the key order and encrypts a Timestamp', async () => {
    const reply = await post(...signed(merchant.keys.aes.encrypt(queryJson())));
    expect(reply.status).toBe(200);
    expect(reply.text).toMatch(
      /^\{"EncData":"[A-Za-z0-9+/=]+","RtnCode":2025,"RtnMsg":"訂單不存在"\}$/,
    );
    expect(reply.signature).not.toBeNull();
    expect(
      verifyBase64(Buffer.from(reply.text), reply.signature ?? '', merchant.keys.serverPublicKey),
    ).toBe(true);
    const inner = JSON.parse(
      merchant.keys.aes.decrypt(JSON.parse(reply.text).EncData as string),
    ) as Record<string, unknown>;
    expect(inner).toMatchObject({ ...ids(merchant), MerchantTradeNo: 'NOPE1' });
    expect(inner.Timestamp).toMatch(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/);
    const logged = sandbox.wallets.icash.log.list().at(-1);
    expect(logged).toMatchObject({
      path: '/api/V2/Payment/Cashier/QueryTradeICPO',
      encKeyId: merchant.creds.EncKeyID,
      signatureValid: true,
      rtnCode: 2025,
      payload: { MerchantTradeNo: 'NOPE1' },
    });
  });

  it('accepts EncData whose + was not percent-encoded', async () => {
    let json = queryJson();
    let encData = merchant.keys.aes.encrypt(json);
    for (let i = 0; !encData.includes('+') && i < 200; i += 1) {
      json = JSON.stringify({ ...ids(merchant), MerchantTradeNo: `NOPE${i}` });
      encData = merchant.keys.aes.encrypt(json);
    }
    expect(encData).toContain('+');
    const [headers] = signed(encData);
    const reply = await post(headers, `EncData=${encData}`);
    expect(JSON.parse(reply.text)).toMatchObject({ RtnCode: 2025 });
  });

  it('answers 405 to a GET on an icash path and 404 elsewhere', async () => {
    const get = await fetch(sandbox.baseUrls.icash + IcashOperation.Deduct);
    expect(get.status).toBe(405);
    const unknown = await fetch(sandbox.baseUrls.icash + '/Pos/Nothing', { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toHaveProperty('message');
  });
});
