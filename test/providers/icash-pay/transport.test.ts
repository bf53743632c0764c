import {
  createCipheriv,
  createDecipheriv,
  generateKeyPairSync,
  randomBytes,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AesMaterial } from '../../../src/providers/icash-pay/envelope.js';
import {
  IcashTransport,
  interpretAnswer,
  type IcashKeySet,
  type IcashOutcome,
} from '../../../src/providers/icash-pay/transport.js';

/**
 * IcashTransport against real HTTP servers on 127.0.0.1 that speak icash's answer
 * envelope. The server side signs and encrypts with node:crypto directly, not with
 * the project's envelope helpers.
 */

const alphanumeric = (n: number): string => {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(n), (b) => chars[b % chars.length]).join('');
};

const AES_KEY = alphanumeric(32);
const AES_IV = alphanumeric(16);
const ENC_KEY_ID = '276504';
const PATH = '/Pos/DeductCancelICPOF';
const PAYLOAD = {
  PlatformID: '10523647',
  MerchantID: '10523650',
  MerchantTradeNo: '202305160934510006',
  MerchantTradeDate: '2023/07/10 23:10:10',
  StoreName: '台北信義店',
};
const ANSWER_DATA = {
  PlatformID: '10523647',
  MerchantID: '10523650',
  MMemberID: 'MM0000001',
  MobileInvoiceCarry: '/ABC1234',
  Timestamp: '2023/07/10 23:10:11',
};

let client: { publicKey: KeyObject; privateKey: KeyObject };
let server: { publicKey: KeyObject; privateKey: KeyObject };
let stranger: { publicKey: KeyObject; privateKey: KeyObject };
let keys: IcashKeySet;

beforeAll(() => {
  client = generateKeyPairSync('rsa', { modulusLength: 2048 });
  server = generateKeyPairSync('rsa', { modulusLength: 2048 });
  stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
  keys = {
    encKeyId: ENC_KEY_ID,
    aes: new AesMaterial(AES_KEY, AES_IV),
    clientPrivateKey: client.privateKey,
    serverPublicKey: server.publicKey,
  };
});

// --- the fake icash server ------------------------------------------------------

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Handler = (request: Received, res: ServerResponse) => void;

interface Running {
  baseUrl: string;
  received: Received[];
  close: () => Promise<void>;
}

const running: Running[] = [];
const transports: IcashTransport[] = [];

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function startServer(handler: Handler): Promise<Running> {
  const received: Received[] = [];
  const http: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: Received = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(request);
      handler(request, res);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const entry: Running = {
    baseUrl: `http://127.0.0.1:${port}/api/V2/Payment`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
  running.push(entry);
  return entry;
}

function transport(timeoutMs = 2000): IcashTransport {
  const t = new IcashTransport({ timeoutMs });
  transports.push(t);
  return t;
}

/** Independent AES-256-CBC/PKCS#7 encryption with node:crypto, as icash's server does it. */
function serverEncrypt(plain: string | Buffer, key = AES_KEY): string {
  const cipher = createCipheriv(
    'aes-256-cbc',
    Buffer.from(key, 'ascii'),
    Buffer.from(AES_IV, 'ascii'),
  );
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

function signRaw(body: Buffer, key: KeyObject = server.privateKey): string {
  return sign('sha256', body, key).toString('base64');
}

interface Reply {
  status?: number;
  body: string | Buffer;
  /** `true` signs the raw body with the server key; a string is sent as the header as-is. */
  signature?: boolean | string;
  signWith?: KeyObject;
}

function reply(res: ServerResponse, r: Reply): void {
  const body = typeof r.body === 'string' ? Buffer.from(r.body, 'utf8') : r.body;
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (r.signature === true) headers['X-iCP-Signature'] = signRaw(body, r.signWith);
  else if (typeof r.signature === 'string') headers['X-iCP-Signature'] = r.signature;
  res.writeHead(r.status ?? 200, headers);
  res.end(body);
}

const answerBody = (fields: Record<string, unknown>): string => JSON.stringify(fields);

async function callWith(handler: Handler, timeoutMs?: number): Promise<[IcashOutcome, Running]> {
  const s = await startServer(handler);
  const outcome = await transport(timeoutMs).call(s.baseUrl, PATH, keys, PAYLOAD);
  return [outcome, s];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// --- the request on the wire ------------------------------------------------------

describe('the request icash receives', () => {
  it('is a form-urlencoded POST of the percent-encoded, signed EncData', async () => {
    const [outcome, s] = await callWith((_req, res) =>
      reply(res, {
        body: answerBody({
          EncData: serverEncrypt(JSON.stringify(ANSWER_DATA)),
          RtnCode: 1,
          RtnMsg: '成功',
        }),
        signature: true,
      }),
    );
    expect(outcome.kind).toBe('answered');
    expect(s.received).toHaveLength(1);
    const req = s.received[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe(`/api/V2/Payment${PATH}`);
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req.headers['x-icp-enckeyid']).toBe(ENC_KEY_ID);

    // Body: exactly `EncData=<percent-encoded base64>`; no raw + / = survive.
    expect(req.body).toMatch(/^EncData=[A-Za-z0-9%]+$/);
    const encData = decodeURIComponent(req.body.slice('EncData='.length));
    expect(encData).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(req.body).toBe(`EncData=${encodeURIComponent(encData)}`);
    expect(new URLSearchParams(req.body).get('EncData')).toBe(encData);

    // Signature: over the EncData string (before percent-encoding), client key.
    const signature = req.headers['x-icp-signature'];
    expect(typeof signature).toBe('string');
    expect(
      verify(
        'sha256',
        Buffer.from(encData, 'utf8'),
        client.publicKey,
        Buffer.from(signature as string, 'base64'),
      ),
    ).toBe(true);
    expect(
      verify(
        'sha256',
        Buffer.from(req.body, 'utf8'),
        client.publicKey,
        Buffer.from(signature as string, 'base64'),
      ),
    ).toBe(false);

    // Payload: AES-256-CBC with the key set's key and IV, UTF-8 compact JSON.
    const decipher = createDecipheriv(
      'aes-256-cbc',
      Buffer.from(AES_KEY, 'ascii'),
      Buffer.from(AES_IV, 'ascii'),
    );
    const plain = Buffer.concat([
      decipher.update(Buffer.from(encData, 'base64')),
      decipher.final(),
    ]).toString('utf8');
    expect(plain).toBe(JSON.stringify(PAYLOAD));
    expect(JSON.parse(plain)).toEqual(PAYLOAD);
  });
});

// --- answered -----------------------------------------------------------------------

describe('answered', () => {
  it('a signed success with EncData is decrypted and trusted', async () => {
    const [outcome] = await callWith((_req, res) =>
      reply(res, {
        body: answerBody({
          EncData: serverEncrypt(JSON.stringify(ANSWER_DATA)),
          RtnCode: 1,
          RtnMsg: '成功',
        }),
        signature: true,
      }),
    );
    expect(outcome).toMatchObject({
      kind: 'answered',
      rtnCode: 1,
      rtnMsg: '成功',
      encData: ANSWER_DATA,
      signed: true,
    });
    expect(outcome.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it.each([
    ['the integer 1', { RtnCode: 1 }],
    ['the string "1"', { RtnCode: '1' }],
    ['the string "0001"', { RtnCode: '0001' }],
    ['V1 StatusCode "0001"', { StatusCode: '0001', StatusMessage: '成功' }],
  ])('RtnCode as %s is normalised to 1', async (_what, code) => {
    const [outcome] = await callWith((_req, res) =>
      reply(res, {
        body: answerBody({
          EncData: serverEncrypt(JSON.stringify(ANSWER_DATA)),
          RtnMsg: '成功',
          ...code,
        }),
        signature: true,
      }),
    );
    expect(outcome).toMatchObject({ kind: 'answered', rtnCode: 1, rtnMsg: '成功', signed: true });
  });

  it('a signed business error carries its decrypted EncData', async () => {
    const data = {
      PlatformID: '10523647',
      MerchantID: '10523650',
      Timestamp: '2023/07/10 23:10:11',
    };
    const [outcome] = await callWith((_req, res) =>
      reply(res, {
        body: answerBody({
          EncData: serverEncrypt(JSON.stringify(data)),
          RtnCode: 2067,
          RtnMsg: '訂單已取消',
        }),
        signature: true,
      }),
    );
    expect(outcome).toMatchObject({
      kind: 'answered',
      rtnCode: 2067,
      rtnMsg: '訂單已取消',
      encData: data,
      signed: true,
    });
  });

  it('a signed answer without EncData is answered with encData null', async () => {
    const [outcome] = await callWith((_req, res) =>
      reply(res, {
        body: answerBody({ RtnCode: 9999, RtnMsg: '系統發生未預期錯誤，請重新再試。' }),
        signature: true,
      }),
    );
    expect(outcome).toMatchObject({ kind: 'answered', rtnCode: 9999, encData: null, signed: true });
  });

  it('an unsigned authentication-layer error is answered, signed: false', async () => {
    const [outcome] = await callWith((_req, res) =>
      reply(res, { body: '{"RtnCode":1016,"RtnMsg":"X-iCP-EncKeyID 有誤，請確認後再試。"}' }),
    );
    expect(outcome).toEqual({
      kind: 'answered',
      rtnCode: 1016,
      rtnMsg: 'X-iCP-EncKeyID 有誤，請確認後再試。',
      encData: null,
      signed: false,
      latencyMs: expect.any(Number) as number,
    });
  });

  it.each([1011, 1017, 1018, 1019])(
    'unsigned auth-layer code %i is answered, signed: false',
    async (code) => {
      const [outcome] = await callWith((_req, res) =>
        reply(res, { body: answerBody({ RtnCode: code, RtnMsg: 'x' }) }),
      );
      expect(outcome).toMatchObject({
        kind: 'answered',
        rtnCode: code,
        signed: false,
        encData: null,
      });
    },
  );

  it('the signature is checked over the raw body bytes: odd spacing and key order are accepted', async () => {
    const enc = serverEncrypt(JSON.stringify(ANSWER_DATA));
    const body = `{ "RtnMsg" : "成功",\r\n\t"RtnCode":1 ,"EncData":  "${enc}"  }\n`;
    const [outcome] = await callWith((_req, res) => reply(res, { body, signature: true }));
    expect(outcome).toMatchObject({
      kind: 'answered',
      rtnCode: 1,
      encData: ANSWER_DATA,
      signed: true,
    });
  });

  it('a signature over the re-serialised JSON instead of the raw bytes is refused', async () => {
    const enc = serverEncrypt(JSON.stringify(ANSWER_DATA));
    const body = `{ "RtnMsg" : "成功", "RtnCode":1, "EncData":"${enc}" }`;
    const canonical = Buffer.from(JSON.stringify(JSON.parse(body)), 'utf8');
    const [outcome] = await callWith((_req, res) =>
      reply(res, { body, signature: signRaw(canonical) }),
    );
    expect(outcome).toMatchObject({
      kind: 'untrusted',
      reason: 'answer signature does not verify',
    });
  });

  it('a signature over the body re-encoded from a wrongly decoded string is refused', async () => {
    // Signed over the UTF-8 bytes; a client verifying latin1-decoded text would differ.
    const body = Buffer.from(answerBody({ RtnCode: 2025, RtnMsg: '訂單不存在' }), 'utf8');
    const wrong = Buffer.from(body.toString('latin1'), 'utf8');
    const [outcome] = await callWith((_req, res) =>
      reply(res, { body, signature: signRaw(wrong) }),
    );
    expect(outcome.kind).toBe('untrusted');
  });
});

// --- not_sent and unknown ---------------------------------------------------------

describe('not_sent', () => {
  it('a closed port (connection refused) is not_sent', async () => {
    const s = await startServer(() => undefined);
    await s.close();
    running.splice(running.indexOf(s), 1);
    const outcome = await transport().call(s.baseUrl, PATH, keys, PAYLOAD);
    expect(outcome).toMatchObject({ kind: 'not_sent', reason: 'ECONNREFUSED' });
  });

  it('a host that does not resolve is not_sent', async () => {
    const outcome = await transport().call('http://omnigate-test.invalid', PATH, keys, PAYLOAD);
    expect(outcome.kind).toBe('not_sent');
  });
});

describe('unknown', () => {
  it('a server that answers after timeoutMs is unknown', async () => {
    const [outcome, s] = await callWith((_req, res) => {
      setTimeout(() => {
        if (!res.destroyed)
          reply(res, { body: answerBody({ RtnCode: 1, RtnMsg: '成功' }), signature: true });
      }, 1500);
    }, 200);
    expect(outcome.kind).toBe('unknown');
    expect(outcome.latencyMs).toBeGreaterThanOrEqual(150);
    expect(outcome.latencyMs).toBeLessThan(1400);
    expect(s.received).toHaveLength(1);
  });

  it('a server that stalls in the middle of the body is unknown', async () => {
    const [outcome] = await callWith((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'X-iCP-Signature': 'AAAA' });
      res.write('{"RtnCode":');
    }, 300);
    expect(outcome.kind).toBe('unknown');
  });

  it('a server that destroys the socket after reading the request is unknown', async () => {
    let destroyed = false;
    const s = await startServer((_req, res) => {
      destroyed = true;
      res.socket?.destroy();
    });
    const outcome = await transport().call(s.baseUrl, PATH, keys, PAYLOAD);
    expect(destroyed).toBe(true);
    expect(outcome.kind).toBe('unknown');
    expect(s.received).toHaveLength(1);
  });

  it('a server that resets after sending half the body is unknown', async () => {
    const [outcome] = await callWith((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"RtnCode":1,');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    expect(outcome.kind).toBe('unknown');
  });

  it.each([500, 502, 503, 504])('HTTP %i is unknown', async (status) => {
    const [outcome] = await callWith((_req, res) =>
      reply(res, { status, body: answerBody({ RtnCode: 0, RtnMsg: 'x' }), signature: true }),
    );
    expect(outcome).toMatchObject({ kind: 'unknown', httpStatus: status });
  });
});

// --- untrusted ----------------------------------------------------------------------

describe('untrusted', () => {
  const good = (): string =>
    answerBody({ EncData: serverEncrypt(JSON.stringify(ANSWER_DATA)), RtnCode: 1, RtnMsg: '成功' });

  it('a signature by another key', async () => {
    const [outcome] = await callWith((_req, res) =>
      reply(res, { body: good(), signature: true, signWith: stranger.privateKey }),
    );
    expect(outcome).toMatchObject({
      kind: 'untrusted',
      reason: 'answer signature does not verify',
    });
  });

  it('a signature by the client key (a reflected request signature)', async () => {
    const [outcome] = await callWith((_req, res) =>
      reply(res, { body: good(), signature: true, signWith: client.privateKey }),
    );
    expect(outcome.kind).toBe('untrusted');
  });

  it('a valid signature over a different body', async () => {
    const [outcome] = await callWith((_req, res) =>
      reply(res, {
        body: good(),
        signature: signRaw(Buffer.from(good().replace('成功', '失敗'), 'utf8')),
      }),
    );
    expect(outcome).toMatchObject({
      kind: 'untrusted',
      reason: 'answer signature does not verify',
    });
  });

  it.each(['not base64!', 'AAAA', ' '])('a garbage signature header %j', async (signature) => {
    const [outcome] = await callWith((_req, res) => reply(res, { body: good(), signature }));
    expect(outcome.kind).toBe('untrusted');
  });

  it('a missing signature on a normal answer', async () => {
    const [outcome] = await callWith((_req, res) => reply(res, { body: good() }));
    expect(outcome).toMatchObject({ kind: 'untrusted', reason: 'answer is not signed' });
  });

  it('a missing signature on an auth-layer code that carries EncData', async () => {
    const body = answerBody({ EncData: serverEncrypt('{}'), RtnCode: 1016, RtnMsg: 'x' });
    const [outcome] = await callWith((_req, res) => reply(res, { body }));
    expect(outcome).toMatchObject({ kind: 'untrusted', reason: 'answer is not signed' });
  });

  it('a missing signature on an unsigned business code', async () => {
    const [outcome] = await callWith((_req, res) =>
      reply(res, { body: answerBody({ RtnCode: 2025, RtnMsg: 'x' }) }),
    );
    expect(outcome).toMatchObject({ kind: 'untrusted', reason: 'answer is not signed' });
  });

  it.each(['<html>gateway</html>', '', '[1,2]', 'null', '"RtnCode"'])(
    'a signed body that is not a JSON object: %j',
    async (body) => {
      const [outcome] = await callWith((_req, res) => reply(res, { body, signature: true }));
      expect(outcome).toMatchObject({ kind: 'untrusted', reason: 'answer is not a JSON object' });
    },
  );

  it('a signed JSON object without RtnCode', async () => {
    const [outcome] = await callWith((_req, res) =>
      reply(res, {
        body: answerBody({ EncData: serverEncrypt('{}'), RtnMsg: '成功' }),
        signature: true,
      }),
    );
    expect(outcome).toMatchObject({ kind: 'untrusted', reason: 'answer has no RtnCode' });
  });

  it.each([
    ['not base64', 'not*base64'],
    ['not whole blocks', Buffer.alloc(20).toString('base64')],
    ['bad padding', Buffer.alloc(32).toString('base64')],
  ])('signed EncData that does not decrypt (%s)', async (_what, encData) => {
    const [outcome] = await callWith((_req, res) =>
      reply(res, {
        body: answerBody({ EncData: encData, RtnCode: 1, RtnMsg: '成功' }),
        signature: true,
      }),
    );
    expect(outcome).toMatchObject({ kind: 'untrusted', reason: 'answer EncData does not decrypt' });
  });

  it('signed EncData under another AES key', async () => {
    const [outcome] = await callWith((_req, res) =>
      reply(res, {
        body: answerBody({
          EncData: serverEncrypt(JSON.stringify(ANSWER_DATA), alphanumeric(32)),
          RtnCode: 1,
          RtnMsg: '成功',
        }),
        signature: true,
      }),
    );
    expect(outcome.kind).toBe('untrusted');
  });

  it('signed EncData that decrypts to invalid UTF-8', async () => {
    const [outcome] = await callWith((_req, res) =>
      reply(res, {
        body: answerBody({
          EncData: serverEncrypt(Buffer.from([0x7b, 0xff, 0x7d])),
          RtnCode: 1,
          RtnMsg: '成功',
        }),
        signature: true,
      }),
    );
    expect(outcome).toMatchObject({ kind: 'untrusted', reason: 'answer EncData does not decrypt' });
  });

  it.each(['not json', '[1]', 'null', '12'])(
    'signed EncData whose plaintext is not a JSON object: %j',
    async (plain) => {
      const [outcome] = await callWith((_req, res) =>
        reply(res, {
          body: answerBody({ EncData: serverEncrypt(plain), RtnCode: 1, RtnMsg: '成功' }),
          signature: true,
        }),
      );
      expect(outcome).toMatchObject({ kind: 'untrusted', reason: 'answer EncData is not JSON' });
    },
  );

  it('signed EncData that is not a string', async () => {
    const [outcome] = await callWith((_req, res) =>
      reply(res, {
        body: answerBody({ EncData: { a: 1 }, RtnCode: 1, RtnMsg: '成功' }),
        signature: true,
      }),
    );
    expect(outcome).toMatchObject({ kind: 'untrusted', reason: 'answer EncData is not a string' });
  });

  it('a signed answer over 1 MiB (no icash answer is that large)', async () => {
    const [outcome] = await callWith((_req, res) =>
      reply(res, {
        body: answerBody({ RtnCode: 1, RtnMsg: '成功', Padding: 'x'.repeat(1024 * 1024) }),
        signature: true,
      }),
    );
    expect(outcome).toMatchObject({ kind: 'untrusted', reason: 'answer too large' });
  });

  it.each([301, 400, 404])('HTTP %i', async (status) => {
    const [outcome] = await callWith((_req, res) =>
      reply(res, { status, body: answerBody({ RtnCode: 1, RtnMsg: '成功' }), signature: true }),
    );
    expect(outcome).toMatchObject({ kind: 'untrusted', httpStatus: status });
  });
});

// --- connection reuse and the pure function -------------------------------------------

describe('IcashTransport', () => {
  it('serves sequential and concurrent calls over one transport', async () => {
    const s = await startServer((_req, res) =>
      reply(res, {
        body: answerBody({
          EncData: serverEncrypt(JSON.stringify(ANSWER_DATA)),
          RtnCode: 1,
          RtnMsg: '成功',
        }),
        signature: true,
      }),
    );
    const t = transport();
    const first = await t.call(s.baseUrl, PATH, keys, PAYLOAD);
    const rest = await Promise.all(
      Array.from({ length: 10 }, () => t.call(s.baseUrl, PATH, keys, PAYLOAD)),
    );
    for (const outcome of [first, ...rest]) expect(outcome.kind).toBe('answered');
    expect(s.received).toHaveLength(11);
  });

  it('a server that fails once does not poison the next call', async () => {
    let calls = 0;
    const s = await startServer((_req, res) => {
      calls += 1;
      if (calls === 1) {
        res.socket?.destroy();
        return;
      }
      reply(res, { body: answerBody({ RtnCode: 2025, RtnMsg: '訂單不存在' }), signature: true });
    });
    const t = transport();
    expect((await t.call(s.baseUrl, PATH, keys, PAYLOAD)).kind).toBe('unknown');
    expect(await t.call(s.baseUrl, PATH, keys, PAYLOAD)).toMatchObject({
      kind: 'answered',
      rtnCode: 2025,
    });
    expect(calls).toBe(2);
  });

  it('does not retry a POST whose connection dropped', async () => {
    const s = await startServer((_req, res) => {
      res.socket?.destroy();
    });
    const outcome = await transport().call(s.baseUrl, PATH, keys, PAYLOAD);
    expect(outcome.kind).toBe('unknown');
    await sleep(50);
    expect(s.received).toHaveLength(1);
  });
});

describe('interpretAnswer', () => {
  it('verifies before parsing: a tampered but valid JSON body is untrusted', () => {
    const raw = Buffer.from(answerBody({ RtnCode: 1, RtnMsg: '成功' }), 'utf8');
    const signature = signRaw(raw);
    expect(interpretAnswer(200, raw, signature, keys, 1)).toMatchObject({
      kind: 'answered',
      rtnCode: 1,
    });
    const tampered = Buffer.from(answerBody({ RtnCode: 1, RtnMsg: '成功 ' }), 'utf8');
    expect(interpretAnswer(200, tampered, signature, keys, 1).kind).toBe('untrusted');
  });

  it('treats an empty signature header like a missing one', () => {
    const raw = Buffer.from(answerBody({ RtnCode: 1, RtnMsg: '成功' }), 'utf8');
    expect(interpretAnswer(200, raw, '', keys, 1)).toMatchObject({
      kind: 'untrusted',
      reason: 'answer is not signed',
    });
  });

  it('passes latencyMs through', () => {
    const raw = Buffer.from('{"RtnCode":1016,"RtnMsg":"x"}', 'utf8');
    expect(interpretAnswer(200, raw, undefined, keys, 12.5).latencyMs).toBe(12.5);
  });
});
