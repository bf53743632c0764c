import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TYPE,
  api,
  newBarcode,
  newCompany,
  newMerchant,
  now,
  payRequest,
  registerKeys,
  registerStore,
  startSandbox,
  startTestGateway,
  tradeNo,
  type SandboxHandle,
  type SandboxMerchant,
  type TestCompany,
  type TestGateway,
} from '../gateway/helpers.js';
import { ROOT, removeDir, tempDir } from './helpers.js';

const listen = (server: HttpServer | HttpsServer): Promise<number> =>
  new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
const close = (server: HttpServer | HttpsServer): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** An https server with a self-signed certificate that counts what reaches it. */
describe('TLS verification is never disabled', () => {
  let dir: string;
  let cert: string;
  let server: HttpsServer;
  let port: number;
  let t: TestGateway;
  let company: TestCompany;
  const received: { url: string; bytes: number }[] = [];

  beforeAll(async () => {
    dir = tempDir('omnigate-sec-tls-');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-days',
        '2',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (req, res) => {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => (bytes += chunk.length));
      req.on('end', () => {
        received.push({ url: req.url ?? '', bytes });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"RtnCode":1}');
      });
    });
    port = await listen(server);
    const base = `https://127.0.0.1:${port}/api/V2/Payment`;
    t = await startTestGateway({ OMNIGATE_ICASH_TEST_URL: base, OMNIGATE_ICASH_PROD_URL: base });
    company = await newCompany(t);
    // Any sandbox merchant's keys will do: nothing may get through to be signed-checked.
    const sandbox = await startSandbox();
    const merchant = await newMerchant(sandbox);
    await sandbox.close();
    await registerKeys(t, company.companyId, merchant);
    await registerStore(t, company.companyId, 'S1', merchant);
  });

  afterAll(async () => {
    await t?.close();
    if (server) await close(server);
    removeDir(dir);
  });

  it('the server works for a client that trusts its certificate (the control)', async () => {
    const trusting = new Agent({ connect: { ca: cert } });
    const res = await request(`https://127.0.0.1:${port}/control`, {
      method: 'POST',
      body: 'x=1',
      dispatcher: trusting,
    });
    await res.body.text();
    await trusting.close();
    expect(res.statusCode).toBe(200);
    expect(received).toEqual([{ url: '/control', bytes: 3 }]);
    received.length = 0;
  });

  it.each(['cancel', 'pay'] as const)(
    '%s to a self-signed icash: 502 upstream_unavailable, ledger failed, no request received',
    async (operation) => {
      const no = tradeNo('TLS');
      const request =
        operation === 'cancel'
          ? { MerchantTradeNo: no, MerchantTradeDate: now() }
          : payRequest('12345678901234567', no);
      const res = await api(t.url, 'POST', `/v1/payment/integrate/${operation}`, {
        token: company.token,
        body: { type: TYPE, store_id: 'S1', request },
      });
      expect(res.status).toBe(502);
      expect(res.body.code).toBe('upstream_unavailable');
      const id = res.headers.get('x-request-id')!;
      const row = await api(t.url, 'GET', `/v1/payment/transactions/${id}`, {
        token: company.token,
      });
      expect(row.status).toBe(200);
      expect(row.body.state).toBe('failed');
      expect(received).toEqual([]);
    },
  );

  it('no code in src/ or bin/ turns certificate checks off', () => {
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const name of readdirSync(d)) {
        const path = join(d, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.(ts|js|mjs|cjs)$/.test(name)) files.push(path);
      }
    };
    walk(join(ROOT, 'src'));
    walk(join(ROOT, 'bin'));
    expect(files.length).toBeGreaterThan(20);
    const offenders = files.filter((file) =>
      /rejectUnauthorized\s*:\s*(false|0|!1)|NODE_TLS_REJECT_UNAUTHORIZED|checkServerIdentity\s*:|insecureHTTPParser|setDefaultResultOrder/.test(
        readFileSync(file, 'utf8'),
      ),
    );
    expect(offenders).toEqual([]);
    // A self-check of the pattern, so a typo cannot make this test pass vacuously.
    const probe = join(dir, 'probe.ts');
    writeFileSync(probe, 'new Agent({ connect: { rejectUnauthorized: false } });');
    expect(/rejectUnauthorized\s*:\s*(false|0|!1)/.test(readFileSync(probe, 'utf8'))).toBe(true);
    expect(process.env.NODE_TLS_REJECT_UNAUTHORIZED).not.toBe('0');
  });
});

describe('an icash answer is used only after its signature verifies with the configured key', () => {
  let sandbox: SandboxHandle;
  let t: TestGateway;
  let company: TestCompany;
  let merchant: SandboxMerchant;
  let other: SandboxMerchant;

  beforeAll(async () => {
    sandbox = await startSandbox();
    t = await startTestGateway({ OMNIGATE_ICASH_TEST_URL: sandbox.baseUrls.icash });
    company = await newCompany(t);
    merchant = await newMerchant(sandbox);
    other = await newMerchant(sandbox);
    // The merchant's own keys, but another merchant's server public key.
    await registerKeys(t, company.companyId, {
      ...merchant,
      ServerPublicKey: other.ServerPublicKey,
    });
    await registerStore(t, company.companyId, 'S1', merchant);
  });

  afterAll(async () => {
    await t?.close();
    await sandbox?.close();
  });

  it.each(['cancel', 'pay', 'search'] as const)(
    '%s: icash signs with its real key, the gateway expects another → 502 upstream_invalid',
    async (operation) => {
      const before = sandbox.wallets.icash.log.list().length;
      const no = tradeNo('SIG');
      const body =
        operation === 'cancel'
          ? { MerchantTradeNo: no, MerchantTradeDate: now() }
          : operation === 'pay'
            ? payRequest(await newBarcode(sandbox), no)
            : { MerchantTradeNo: no };
      const res =
        operation === 'search'
          ? await api(
              t.url,
              'GET',
              `/v1/payment/integrate/search?${new URLSearchParams({
                type: TYPE,
                store_id: 'S1',
                request: JSON.stringify(body),
              }).toString()}`,
              { token: company.token },
            )
          : await api(t.url, 'POST', `/v1/payment/integrate/${operation}`, {
              token: company.token,
              body: { type: TYPE, store_id: 'S1', request: body },
            });
      expect(res.status).toBe(502);
      expect(res.body.code).toBe('upstream_invalid');
      expect(Object.keys(res.body).sort()).toEqual(['code', 'message', 'request_id']);
      // The request itself was fine: icash received it, signed by the right client key.
      const calls = sandbox.wallets.icash.log.list().slice(before);
      expect(calls).toHaveLength(1);
      expect(calls[0]!.signatureValid).toBe(true);
      const row = await t.gateway.services.store.ledger.get(
        company.companyId,
        res.headers.get('x-request-id')!,
      );
      // A money-moving call's outcome is unknown; a query moved nothing either way.
      if (operation === 'search') expect(['failed', 'unknown']).toContain(row?.state);
      else expect(row?.state).toBe('unknown');
    },
  );

  it('a request carrying other addresses (Host, X-Forwarded-Host, fields) still goes only to the configured URL', async () => {
    let hits = 0;
    const decoy = createHttpServer((_req, res) => {
      hits += 1;
      res.end('{}');
    });
    const decoyPort = await listen(decoy);
    try {
      const before = sandbox.wallets.icash.log.list().length;
      const decoyUrl = `http://127.0.0.1:${decoyPort}`;
      const res = await api(t.url, 'POST', '/v1/payment/integrate/cancel', {
        token: company.token,
        headers: {
          'x-forwarded-host': `127.0.0.1:${decoyPort}`,
          'x-forwarded-proto': 'http',
          forwarded: `host=127.0.0.1:${decoyPort}`,
          'x-original-url': decoyUrl,
        },
        body: {
          type: TYPE,
          store_id: 'S1',
          request: { MerchantTradeNo: tradeNo('HOST'), MerchantTradeDate: now() },
        },
      });
      expect(res.status).toBe(502);
      expect(sandbox.wallets.icash.log.list().length).toBe(before + 1);
      // An address inside the request is an unknown field: refused before anything is sent.
      const withUrl = await api(t.url, 'POST', '/v1/payment/integrate/cancel', {
        token: company.token,
        body: {
          type: TYPE,
          store_id: 'S1',
          base_url: decoyUrl,
          request: { MerchantTradeNo: tradeNo('HOST'), MerchantTradeDate: now(), Url: decoyUrl },
        },
      });
      expect(withUrl.status).toBe(400);
      expect(withUrl.body.code).toBe('unsupported_field');
      expect(hits).toBe(0);
    } finally {
      await close(decoy);
    }
  });
});
