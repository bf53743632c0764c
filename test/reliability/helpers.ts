import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { formatTaiwanTime } from '../../src/core/taiwan-time.js';
import { startSandbox, type SandboxCall, type SandboxHandle } from '../../src/sandbox/index.js';

/**
 * Helpers for the reliability suite and the soak script: the gateway as a real
 * child process (`node bin/omnigate.mjs serve`), provisioned with the real CLI,
 * talking to an in-process sandbox, its SQLite file read directly.
 */

export const TYPE = 'I_CASH_QRCODE_PAY';
export const STORE_ID = 'S1';
export const BIN = fileURLToPath(new URL('../../bin/omnigate.mjs', import.meta.url));

export { startSandbox, type SandboxCall, type SandboxHandle };

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** A port that was free a moment ago (listen on 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** True when a TCP connection to the URL's host and port is refused. */
export function connectionRefused(url: string, timeoutMs = 2000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(error.code === 'ECONNREFUSED');
    });
  });
}

export const tempDir = (prefix = 'omnigate-rel-'): string => mkdtempSync(join(tmpdir(), prefix));
export const removeDir = (dir: string): void => rmSync(dir, { recursive: true, force: true });

/** The environment of a child: ours without any OMNIGATE_* setting, plus `env`. */
function childEnv(dataDir: string, env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('OMNIGATE_')) base[name] = value;
  }
  return {
    ...base,
    NODE_ENV: 'development',
    OMNIGATE_DATA_DIR: dataDir,
    OMNIGATE_SANDBOX: 'off',
    OMNIGATE_LOG_LEVEL: 'warn',
    ...env,
  };
}

/** Runs `omnigate --json <args>` on a data dir; resolves to its one JSON object. */
export function cli(
  dataDir: string,
  args: string[],
  timeoutMs = 30_000,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BIN, '--json', ...args],
      { env: childEnv(dataDir, {}), timeout: timeoutMs, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new Error(`omnigate ${args.slice(0, 2).join(' ')} failed: ${stderr || error.message}`),
          );
          return;
        }
        try {
          resolve(JSON.parse(stdout) as Record<string, unknown>);
        } catch {
          reject(new Error(`omnigate ${args.slice(0, 2).join(' ')}: not JSON: ${stdout}`));
        }
      },
    );
  });
}

export interface SandboxMerchant {
  PlatformID: string;
  MerchantID: string;
  EncKeyID: string;
  AESKey: string;
  AESIV: string;
  ClientPrivateKey: string;
  ServerPublicKey: string;
}

async function sandboxRequest<T>(
  sandbox: SandboxHandle,
  method: 'POST' | 'DELETE' | 'GET',
  path: string,
  body?: object,
): Promise<T> {
  const res = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`sandbox ${method} ${path}: HTTP ${res.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

export const newMerchant = (sandbox: SandboxHandle): Promise<SandboxMerchant> =>
  sandboxRequest<SandboxMerchant>(sandbox, 'POST', '/sandbox/merchants', {});

export const newBarcode = async (sandbox: SandboxHandle, balance = 1000): Promise<string> =>
  (await sandboxRequest<{ Barcode: string }>(sandbox, 'POST', '/sandbox/barcodes', { balance }))
    .Barcode;

export type FaultKind = 'delay' | 'http500' | 'drop' | 'bad_signature' | 'non_json';

export interface FaultSpec {
  MerchantID: string;
  fault: FaultKind;
  count?: number;
  delayMs?: number;
  operation?: 'DeductICPOF' | 'DeductCancelICPOF' | 'QueryTradeICPO';
  process?: boolean;
}

export const injectFault = (sandbox: SandboxHandle, fault: FaultSpec): Promise<unknown> =>
  sandboxRequest(sandbox, 'POST', '/sandbox/faults', fault);

export const clearFaults = (sandbox: SandboxHandle): Promise<unknown> =>
  sandboxRequest(sandbox, 'DELETE', '/sandbox/faults');

/** The sandbox's calls of one operation for one MerchantTradeNo. */
export function upstreamCalls(
  sandbox: SandboxHandle,
  operation: string,
  merchantTradeNo: string,
): SandboxCall[] {
  return sandbox
    .calls()
    .filter(
      (c) => c.path.endsWith(`/${operation}`) && c.payload?.MerchantTradeNo === merchantTradeNo,
    );
}

export interface Provisioned {
  companyId: string;
  clientId: string;
  clientSecret: string;
  storeId: string;
}

/**
 * A company, an OAuth client, the merchant's key set (key files written from the
 * sandbox's PEMs) and a store, all through the `omnigate` CLI on `dataDir`.
 */
export async function provision(dataDir: string, merchant: SandboxMerchant): Promise<Provisioned> {
  const company = await cli(dataDir, ['company', 'create', '--name', 'reliability']);
  const companyId = String(company.company_id);
  const privateKeyFile = join(dataDir, 'client-private.pem');
  const publicKeyFile = join(dataDir, 'server-public.pem');
  writeFileSync(privateKeyFile, merchant.ClientPrivateKey, { mode: 0o600 });
  writeFileSync(publicKeyFile, merchant.ServerPublicKey);
  // The company exists (and the schema is migrated): the rest can run side by side.
  const [client] = await Promise.all([
    cli(dataDir, ['client', 'create', '--company', companyId, '--name', 'pos']),
    cli(dataDir, [
      'keys',
      'set',
      '--company',
      companyId,
      '--platform-id',
      merchant.PlatformID,
      '--env',
      'test',
      '--enc-key-id',
      merchant.EncKeyID,
      '--aes-key',
      merchant.AESKey,
      '--aes-iv',
      merchant.AESIV,
      '--client-private-key',
      privateKeyFile,
      '--server-public-key',
      publicKeyFile,
    ]),
    cli(dataDir, [
      'store',
      'set',
      '--company',
      companyId,
      '--store',
      STORE_ID,
      '--type',
      TYPE,
      '--env',
      'test',
      '--platform-id',
      merchant.PlatformID,
      '--merchant-id',
      merchant.MerchantID,
    ]),
  ]);
  return {
    companyId,
    clientId: String(client.client_id),
    clientSecret: String(client.client_secret),
    storeId: STORE_ID,
  };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface GatewayChild {
  child: ChildProcess;
  pid: number;
  url: string;
  /** Resolves when the process has exited. */
  exited: Promise<Exit>;
  output(): { stdout: string; stderr: string };
  /** Sends `signal` and waits (bounded) for the exit. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit>;
}

/**
 * `node bin/omnigate.mjs serve` on `dataDir`; resolves once it printed
 * `omnigate listening on <url>`.
 */
export async function spawnGateway(
  dataDir: string,
  env: Record<string, string>,
  startTimeoutMs = 30_000,
): Promise<GatewayChild> {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: childEnv(dataDir, { OMNIGATE_PORT: '0', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let exit: Exit | undefined;
  void exited.then((e) => (exit = e));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<Exit> => {
    if (exit) return exit;
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timeoutMs);
    });
    const result = await Promise.race([exited, late]);
    clearTimeout(timer);
    if (result === 'late') {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`gateway ${child.pid} did not exit within ${timeoutMs} ms of ${signal}`);
    }
    return result;
  };
  try {
    const url = await waitFor(
      'omnigate listening on <url>',
      () => {
        const match = /omnigate listening on (http:\/\/\S+)/.exec(stdout);
        if (match) return match[1]!;
        if (exit)
          throw new Error(`gateway exited (${exit.code ?? exit.signal}): ${stdout}\n${stderr}`);
        return undefined;
      },
      startTimeoutMs,
      25,
    );
    return {
      child,
      pid: child.pid!,
      url,
      exited,
      output: () => ({ stdout, stderr }),
      stop,
    };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

/** The environment every reliability child shares: sandbox off, upstream = the in-process sandbox. */
export function gatewayEnv(
  sandbox: SandboxHandle,
  env: Record<string, string> = {},
): Record<string, string> {
  return {
    OMNIGATE_ICASH_TEST_URL: sandbox.icashBaseUrl,
    OMNIGATE_UPSTREAM_TIMEOUT_MS: '30000',
    OMNIGATE_RECONCILE_SCHEDULE: '200ms',
    OMNIGATE_RECONCILE_INTERVAL_MS: '100',
    ...env,
  };
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export async function api(
  url: string,
  method: 'GET' | 'POST',
  path: string,
  options: {
    token?: string;
    body?: unknown;
    headers?: Record<string, string>;
    timeoutMs?: number;
  } = {},
): Promise<ApiAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  });
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { raw: text };
  }
  return { status: res.status, headers: res.headers, body };
}

export async function issueToken(url: string, p: Provisioned): Promise<string> {
  const res = await fetch(`${url}/oauth/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: p.clientId,
      client_secret: p.clientSecret,
    }),
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 200) throw new Error(`token: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

export const now = (): string => formatTaiwanTime(new Date());

let sequence = 0;
/** A MerchantTradeNo unique within the run. */
export const tradeNo = (prefix = 'R'): string =>
  `${prefix}${Date.now().toString(36)}${(sequence++).toString(36)}${Math.random().toString(36).slice(2, 6)}`.toUpperCase();

export const payBody = (barcode: string, merchantTradeNo: string, amount = 100): object => ({
  type: TYPE,
  store_id: STORE_ID,
  request: {
    MerchantTradeNo: merchantTradeNo,
    StoreName: '測試門市',
    MerchantTradeDate: now(),
    TotalAmount: amount,
    ItemAmt: amount,
    UtilityAmt: 0,
    CommAmt: 0,
    Barcode: barcode,
  },
});

export const cancelBody = (merchantTradeNo: string, date = now()): object => ({
  type: TYPE,
  store_id: STORE_ID,
  request: { MerchantTradeNo: merchantTradeNo, MerchantTradeDate: date },
});

export const searchPath = (merchantTradeNo: string): string =>
  `/v1/payment/integrate/search?${new URLSearchParams({
    type: TYPE,
    store_id: STORE_ID,
    request: JSON.stringify({ MerchantTradeNo: merchantTradeNo }),
  }).toString()}`;

export const transactionsPath = (merchantTradeNo: string): string =>
  `/v1/payment/transactions?${new URLSearchParams({ MerchantTradeNo: merchantTradeNo }).toString()}`;

export interface LedgerRow {
  request_id: string;
  operation: string;
  state: string;
  error_code: string | null;
  merchant_trade_no: string | null;
}

/** Opens the gateway's SQLite file read-only, runs `fn`, closes it. */
export function withLedgerFile<T>(dataDir: string, fn: (db: SQLite.Database) => T): T {
  const db = new SQLite(join(dataDir, 'omnigate.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** The ledger rows of one MerchantTradeNo, straight from the file. */
export const ledgerRows = (dataDir: string, merchantTradeNo: string): LedgerRow[] =>
  withLedgerFile(
    dataDir,
    (db) =>
      db
        .prepare(
          'SELECT request_id, operation, state, error_code, merchant_trade_no FROM transactions WHERE merchant_trade_no = ? ORDER BY created_at',
        )
        .all(merchantTradeNo) as LedgerRow[],
  );
