import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config/config.js';
import { formatTaiwanTime } from '../../src/core/taiwan-time.js';
import { icashKeySet, icashStore } from '../../src/providers/icash-pay/provisioning.js';
import { sandboxMerchantKeySet } from '../../src/providers/icash-pay/provisioning.js';
import { startGateway, type GatewayHandle } from '../../src/runtime/gateway.js';
import { startSandbox, type SandboxHandle } from '../../src/sandbox/index.js';
import { type MerchantCredentials } from '../../src/sandbox/icash-pay/index.js';
import { createTestDatabase } from '../support/backend.js';

export const TYPE = 'I_CASH_QRCODE_PAY';

export type SandboxMerchant = MerchantCredentials;

export interface TestGateway {
  gateway: GatewayHandle;
  url: string;
  dataDir: string;
  /** Every byte the database holds (SQLite files, or a pg_dump on PostgreSQL). */
  databaseBytes(): Buffer;
  /** Every log line the gateway wrote. */
  logs: string[];
  close(): Promise<void>;
}

/**
 * A real gateway on a real socket, on a real SQLite file in a temp folder or,
 * in the `postgres` test project, on a fresh PostgreSQL database.
 */
export async function startTestGateway(env: Record<string, string> = {}): Promise<TestGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'omnigate-test-'));
  const database = await createTestDatabase(dataDir);
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const config = loadConfig({
    OMNIGATE_DATA_DIR: dataDir,
    OMNIGATE_PORT: '0',
    OMNIGATE_SANDBOX: 'off',
    OMNIGATE_LOG_LEVEL: 'info',
    OMNIGATE_UPSTREAM_TIMEOUT_MS: '2000',
    ...(database.url ? { OMNIGATE_DATABASE_URL: database.url } : {}),
    ...env,
  });
  const gateway = await startGateway(config, { demo: false, logStream });
  return {
    gateway,
    url: gateway.url,
    dataDir,
    logs,
    databaseBytes: () => database.dump(),
    async close() {
      await gateway.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function sandboxPost<T>(
  sandbox: SandboxHandle,
  path: string,
  body: object,
): Promise<T> {
  const res = await fetch(`${sandbox.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`sandbox ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export const newMerchant = (sandbox: SandboxHandle, body: object = {}): Promise<SandboxMerchant> =>
  sandboxPost<SandboxMerchant>(sandbox, '/sandbox/merchants', body);

export const newBarcode = async (sandbox: SandboxHandle, balance = 1000): Promise<string> =>
  (await sandboxPost<{ Barcode: string }>(sandbox, '/sandbox/barcodes', { balance })).Barcode;

/** A company with an OAuth client, provisioned through the same service the CLI uses. */
export interface TestCompany {
  companyId: string;
  clientId: string;
  clientSecret: string;
  token: string;
}

export async function newCompany(t: TestGateway, name = 'test company'): Promise<TestCompany> {
  const p = t.gateway.services.provisioning;
  const companyId = await p.createCompany(name);
  const client = await p.createClient(companyId, 'pos');
  const clientSecret = client.clientSecret.reveal();
  const token = await issueToken(t.url, client.clientId, clientSecret);
  return { companyId, clientId: client.clientId, clientSecret, token };
}

export async function issueToken(url: string, clientId: string, secret: string): Promise<string> {
  const res = await fetch(`${url}/oauth/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: secret,
    }),
  });
  if (res.status !== 200) throw new Error(`token: HTTP ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Registers the sandbox merchant's key set for the company. */
export async function registerKeys(
  t: TestGateway,
  companyId: string,
  merchant: SandboxMerchant,
  env: 'test' | 'prod' = 'test',
): Promise<void> {
  await t.gateway.services.provisioning.setCredential(
    icashKeySet(sandboxMerchantKeySet(companyId, merchant, env)),
  );
}

export async function registerStore(
  t: TestGateway,
  companyId: string,
  storeId: string,
  merchant: SandboxMerchant,
  env: 'test' | 'prod' = 'test',
): Promise<void> {
  await t.gateway.services.provisioning.setStore(
    icashStore({
      companyId,
      storeId,
      env,
      platformId: merchant.PlatformID,
      merchantId: merchant.MerchantID,
    }),
  );
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export async function api(
  url: string,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  options: {
    token?: string;
    body?: unknown;
    rawBody?: string;
    contentType?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<ApiAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const res = await fetch(`${url}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { raw: text };
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

export const now = (): string => formatTaiwanTime(new Date());

let sequence = 0;
/** A MerchantTradeNo unique within the test run. */
export const tradeNo = (prefix = 'T'): string =>
  `${prefix}${Date.now().toString(36)}${(sequence++).toString(36)}${Math.random().toString(36).slice(2, 6)}`.toUpperCase();

export function payRequest(
  barcode: string,
  merchantTradeNo: string,
  amount = 100,
): Record<string, unknown> {
  return {
    MerchantTradeNo: merchantTradeNo,
    StoreName: '測試門市',
    MerchantTradeDate: now(),
    TotalAmount: amount,
    ItemAmt: amount,
    UtilityAmt: 0,
    CommAmt: 0,
    Barcode: barcode,
  };
}

export const searchPath = (query: Record<string, string>): string =>
  `/v1/payment/integrate/search?${new URLSearchParams(query).toString()}`;

export { startSandbox, type SandboxHandle };

/** A sandbox, a gateway whose test environment is that sandbox, and a company with store `S1`. */
export interface StoreScenario {
  sandbox: SandboxHandle;
  t: TestGateway;
  company: TestCompany;
  merchant: SandboxMerchant;
}

/** The setup most pipeline tests share: store `S1` configured with a sandbox merchant's keys. */
export async function startStoreScenario(env: Record<string, string> = {}): Promise<StoreScenario> {
  const sandbox = await startSandbox();
  const t = await startTestGateway({ OMNIGATE_ICASH_TEST_URL: sandbox.baseUrls.icash, ...env });
  const company = await newCompany(t);
  const merchant = await newMerchant(sandbox);
  await registerKeys(t, company.companyId, merchant);
  await registerStore(t, company.companyId, 'S1', merchant);
  return { sandbox, t, company, merchant };
}
