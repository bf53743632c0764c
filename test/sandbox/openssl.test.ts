import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { control, type ControlReply } from './helpers.js';

/**
 * A merchant that shares no code with the sandbox: every byte of the envelope is
 * made and checked by the openssl command-line tool.
 */

let sandbox: SandboxHandle;
let dir: string;

beforeAll(async () => {
  sandbox = await startSandbox();
  dir = mkdtempSync(join(tmpdir(), 'omnigate-openssl-'));
});

afterAll(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

const file = (name: string): string => join(dir, name);

function openssl(args: string[], input?: string): string {
  return execFileSync('openssl', args, {
    input,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

const hex = (ascii: string): string => Buffer.from(ascii, 'ascii').toString('hex');

function taiwanNow(): string {
  const t = new Date(Date.now() + 8 * 3_600_000).toISOString();
  return `${t.slice(0, 10).replaceAll('-', '/')} ${t.slice(11, 19)}`;
}

describe('a request built entirely with openssl', () => {
  it('deducts, and the answer verifies and decrypts with openssl', async () => {
    const merchantReply: ControlReply = await control(sandbox, 'POST', '/sandbox/merchants');
    const m = merchantReply.body as Record<string, string>;
    const barcode = (await control(sandbox, 'POST', '/sandbox/barcodes', { balance: 100 })).body;
    writeFileSync(file('client.pem'), m.ClientPrivateKey ?? '');
    writeFileSync(file('server-pub.pem'), m.ServerPublicKey ?? '');
    const aes = [
      '-aes-256-cbc',
      '-K',
      hex(m.AESKey ?? ''),
      '-iv',
      hex(m.AESIV ?? ''),
      '-base64',
      '-A',
    ];

    const payload = JSON.stringify({
      PlatformID: m.PlatformID,
      MerchantID: m.MerchantID,
      MerchantTradeNo: `OSSL${Date.now()}`,
      StoreName: '測試門市',
      MerchantTradeDate: taiwanNow(),
      TotalAmount: '5000',
      ItemAmt: '5000',
      UtilityAmt: '0',
      CommAmt: '0',
      Item: [{ ItemNo: '1', ItemName: '咖啡', Quantity: '1' }],
      Barcode: barcode.Barcode,
    });
    writeFileSync(file('payload.json'), payload);
    const encData = openssl(['enc', ...aes, '-in', file('payload.json')]).trim();
    writeFileSync(file('encdata.txt'), encData);
    openssl([
      'dgst',
      '-sha256',
      '-sign',
      file('client.pem'),
      '-out',
      file('req.sig'),
      file('encdata.txt'),
    ]);
    const signature = openssl(['base64', '-A', '-in', file('req.sig')]).trim();

    const res = await fetch(`${sandbox.baseUrls.icash}/Pos/DeductICPOF`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-iCP-EncKeyID': m.EncKeyID ?? '',
        'X-iCP-Signature': signature,
      },
      body: `EncData=${encodeURIComponent(encData)}`,
    });
    expect(res.status).toBe(200);
    const raw = Buffer.from(await res.arrayBuffer());
    writeFileSync(file('body.bin'), raw);
    writeFileSync(file('resp.sig.b64'), res.headers.get('x-icp-signature') ?? '');
    openssl(['base64', '-d', '-A', '-in', file('resp.sig.b64'), '-out', file('resp.sig')]);
    const verified = openssl([
      'dgst',
      '-sha256',
      '-verify',
      file('server-pub.pem'),
      '-signature',
      file('resp.sig'),
      file('body.bin'),
    ]);
    expect(verified.trim()).toBe('Verified OK');

    const body = JSON.parse(raw.toString('utf8')) as {
      EncData: string;
      RtnCode: number;
      RtnMsg: string;
    };
    expect(body).toMatchObject({ RtnCode: 1, RtnMsg: '成功' });
    writeFileSync(file('resp.b64'), body.EncData);
    const inner = JSON.parse(openssl(['enc', '-d', ...aes, '-in', file('resp.b64')])) as Record<
      string,
      unknown
    >;
    expect(inner).toMatchObject({
      MerchantID: m.MerchantID,
      TotalAmount: '5000',
      ICPAmount: '5000',
    });
    expect(inner.TransactionID).toMatch(/^\d{20}$/);

    // A body altered by one byte no longer verifies.
    raw[raw.length - 2] = 0x20;
    writeFileSync(file('body.bin'), raw);
    expect(() =>
      openssl([
        'dgst',
        '-sha256',
        '-verify',
        file('server-pub.pem'),
        '-signature',
        file('resp.sig'),
        file('body.bin'),
      ]),
    ).toThrow();
  });
});
