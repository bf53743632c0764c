import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { formatTaiwanTime } from '../../src/core/taiwan-time.js';
import { startSandbox, type SandboxHandle } from '../../src/sandbox/index.js';
import { type MerchantCredentials, type SandboxCall } from '../../src/sandbox/icash-pay/index.js';
import { keysSetArgs, merchantKeySet, storeSetArgs } from '../support/cli-args.js';

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

/**
 * A child's environment: ours without NODE_ENV (vitest sets `test`) and without
 * any OMNIGATE_* setting, then a development gateway's quiet defaults, then `env`.
 */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('OMNIGATE_') && name !== 'NODE_ENV') base[name] = value;
  }
  return {
    ...base,
    NODE_ENV: 'development',
    OMNIGATE_SANDBOX: 'off',
    OMNIGATE_LOG_LEVEL: 'warn',
    ...env,
  };
}

/** Runs `omnigate --json <args>` with `env`; resolves to its one JSON object. */
export function runCli(
  env: Record<string, string>,
  args: string[],
  timeoutMs = 30_000,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BIN, '--json', ...args],
      { env: childEnv(env), timeout: timeoutMs, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new Error(
              `omnigate ${args.slice(0, 2).join(' ')} failed` +
                (error.killed ? ` (killed after ${timeoutMs} ms)` : '') +
                `: ${stderr || error.message}`,
            ),
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

/** Runs `omnigate --json <args>` on a data dir; resolves to its one JSON object. */
export const cli = (
  dataDir: string,
  args: string[],
  timeoutMs?: number,
): Promise<Record<string, unknown>> => runCli({ OMNIGATE_DATA_DIR: dataDir }, args, timeoutMs);

export type SandboxMerchant = MerchantCredentials;

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
  operation?: 'DeductICPOF' | 'DeductCancelICPOF' | 'QueryTradeICPO' | 'RefundICPO';
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
  return sandbox.wallets.icash.log
    .list()
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
 * The merchant's key set (key files written into `dir` from the sandbox's PEMs)
 * and store STORE_ID, through `run` (the `omnigate` CLI), side by side.
 */
export async function configureMerchant(
  run: (args: string[]) => Promise<unknown>,
  dir: string,
  companyId: string,
  merchant: SandboxMerchant,
): Promise<void> {
  const clientPrivateKey = join(dir, 'client-private.pem');
  const serverPublicKey = join(dir, 'server-public.pem');
  writeFileSync(clientPrivateKey, merchant.ClientPrivateKey, { mode: 0o600 });
  writeFileSync(serverPublicKey, merchant.ServerPublicKey);
  await Promise.all([
    run(keysSetArgs(merchantKeySet(companyId, merchant, { clientPrivateKey, serverPublicKey }))),
    run(
      storeSetArgs({
        companyId,
        storeId: STORE_ID,
        type: TYPE,
        env: 'test',
        platformId: merchant.PlatformID,
        merchantId: merchant.MerchantID,
      }),
    ),
  ]);
}

/**
 * A company, an OAuth client, the merchant's key set and a store, all through
 * the `omnigate` CLI on `dataDir`.
 */
export async function provision(dataDir: string, merchant: SandboxMerchant): Promise<Provisioned> {
  const company = await cli(dataDir, ['company', 'create', '--name', 'reliability']);
  const companyId = String(company.company_id);
  // The company exists (and the schema is migrated): the rest can run side by side.
  const [client] = await Promise.all([
    cli(dataDir, ['client', 'create', '--company', companyId, '--name', 'pos']),
    configureMerchant((args) => cli(dataDir, args), dataDir, companyId, merchant),
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
 * `node bin/omnigate.mjs serve` with `env` and OMNIGATE_PORT=0; resolves once it
 * printed `omnigate listening on <url>`.
 */
export async function startGatewayProcess(
  env: Record<string, string>,
  startTimeoutMs = 30_000,
): Promise<GatewayChild> {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: childEnv({ OMNIGATE_PORT: '0', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Never outlive the test process, whatever happens to it.
  const orphanGuard = () => child.kill('SIGKILL');
  process.once('exit', orphanGuard);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  let exit: Exit | undefined;
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      process.off('exit', orphanGuard);
      resolve(exit);
    });
  });
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
    return { child, pid: child.pid!, url, exited, output: () => ({ stdout, stderr }), stop };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

/** `node bin/omnigate.mjs serve` on `dataDir` (see startGatewayProcess). */
export const spawnGateway = (
  dataDir: string,
  env: Record<string, string>,
  startTimeoutMs?: number,
): Promise<GatewayChild> =>
  startGatewayProcess({ OMNIGATE_DATA_DIR: dataDir, ...env }, startTimeoutMs);

/** The environment every reliability child shares: sandbox off, upstream = the in-process sandbox. */
export function gatewayEnv(
  sandbox: SandboxHandle,
  env: Record<string, string> = {},
): Record<string, string> {
  return {
    OMNIGATE_ICASH_TEST_URL: sandbox.baseUrls.icash,
    OMNIGATE_UPSTREAM_TIMEOUT_MS: '30000',
    OMNIGATE_RECONCILE_SCHEDULE: '200ms',
    OMNIGATE_RECONCILE_INTERVAL_MS: '100',
    ...env,
  };
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  /** The body exactly as received. */
  text: string;
  body: Record<string, unknown>;
}

export async function api(
  url: string,
  method: 'GET' | 'POST',
  path: string,
  options: {
    token?: string;
    body?: unknown;
    form?: Record<string, string>;
    headers?: Record<string, string>;
    timeoutMs?: number;
  } = {},
): Promise<ApiAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const res = await fetch(`${url}${path}`, {
    method,
    headers,
    body,
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  });
  const text = await res.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { raw: text };
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

/** A bearer token for an OAuth client, by client credentials. */
export async function issueToken(
  url: string,
  p: { clientId: string; clientSecret: string },
): Promise<string> {
  const res = await api(url, 'POST', '/oauth/v1/token', {
    form: {
      grant_type: 'client_credentials',
      client_id: p.clientId,
      client_secret: p.clientSecret,
    },
    timeoutMs: 10_000,
  });
  if (res.status !== 200) throw new Error(`token: HTTP ${res.status} ${res.text}`);
  return String(res.body.access_token);
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

export const refundBody = (original: string, merchantTradeNo: string, amount: number): object => ({
  type: TYPE,
  store_id: STORE_ID,
  request: {
    OMerchantTradeNo: original,
    MerchantTradeNo: merchantTradeNo,
    MerchantTradeDate: now(),
    RefundTotalAmount: amount,
    RefundItemAmt: amount,
    RefundUtilityAmt: 0,
    RefundCommAmt: 0,
  },
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
