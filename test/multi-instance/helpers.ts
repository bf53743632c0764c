import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startSandbox, type SandboxCall, type SandboxHandle } from '../../src/sandbox/index.js';

/**
 * Several gateway processes (`node bin/omnigate.mjs serve`) on one fresh
 * PostgreSQL database (and Redis), provisioned with the real CLI, talking to an
 * in-process sandbox over real sockets.
 */

// The process, sandbox and request helpers shared with the single-instance reliability tests.
export {
  BIN,
  STORE_ID,
  TYPE,
  cancelBody,
  clearFaults,
  injectFault,
  newBarcode,
  newMerchant,
  now,
  payBody,
  removeDir,
  sleep,
  tradeNo,
  upstreamCalls,
  waitFor,
  type Exit,
} from '../reliability/helpers.js';
import {
  newBarcode,
  payBody,
  BIN,
  TYPE,
  STORE_ID,
  waitFor,
  type Exit,
} from '../reliability/helpers.js';
export const POSTGRES_ADMIN_URL =
  process.env.OMNIGATE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.OMNIGATE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export { startSandbox, type SandboxCall, type SandboxHandle };

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
/** True when PostgreSQL answers on the admin URL within a few seconds. */
export async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({
    connectionString: POSTGRES_ADMIN_URL,
    connectionTimeoutMillis: 3000,
  });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** True when something accepts TCP connections on the Redis URL's port. */
export function redisReachable(url = REDIS_URL, timeoutMs = 2000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface TestDatabase {
  name: string;
  /** OMNIGATE_DATABASE_URL of the fresh database. */
  url: string;
  /** One query on the fresh database (a short-lived connection). */
  query<R extends object>(text: string, values?: unknown[]): Promise<R[]>;
  /** DROP DATABASE … WITH (FORCE); safe to call twice. */
  drop(): Promise<void>;
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database of its own, so runs never collide. */
export async function createDatabase(): Promise<TestDatabase> {
  const name = `og_mi_${randomBytes(6).toString('hex')}`;
  await withClient(POSTGRES_ADMIN_URL, (c) => c.query(`CREATE DATABASE ${name}`));
  const parsed = new URL(POSTGRES_ADMIN_URL);
  parsed.pathname = `/${name}`;
  const url = parsed.toString();
  let dropped = false;
  return {
    name,
    url,
    query: <R extends object>(text: string, values: unknown[] = []) =>
      withClient(url, async (c) => (await c.query<R>(text, values)).rows),
    async drop() {
      if (dropped) return;
      dropped = true;
      await withClient(POSTGRES_ADMIN_URL, (c) =>
        c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      );
    },
  };
}

export const newMasterKey = (): string => randomBytes(32).toString('base64');
export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'omnigate-mi-'));
/**
 * A child's environment: ours without NODE_ENV (vitest sets `test`) and without
 * any OMNIGATE_* setting, plus `env`.
 */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('OMNIGATE_') && name !== 'NODE_ENV') base[name] = value;
  }
  return { ...base, OMNIGATE_SANDBOX: 'off', OMNIGATE_LOG_LEVEL: 'warn', ...env };
}

/** What every process of one deployment shares: data dir, database and master key. */
export interface Deployment {
  dataDir: string;
  databaseUrl: string;
  masterKey: string;
}

const deploymentEnv = (d: Deployment): Record<string, string> => ({
  OMNIGATE_DATA_DIR: d.dataDir,
  OMNIGATE_DATABASE_URL: d.databaseUrl,
  OMNIGATE_MASTER_KEY: d.masterKey,
});

/** Runs `omnigate --json <args>`; resolves to its one JSON object. */
export function cli(
  d: Deployment,
  args: string[],
  timeoutMs = 90_000,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BIN, '--json', ...args],
      { env: childEnv(deploymentEnv(d)), timeout: timeoutMs, encoding: 'utf8' },
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

export interface SandboxMerchant {
  PlatformID: string;
  MerchantID: string;
  EncKeyID: string;
  AESKey: string;
  AESIV: string;
  ClientPrivateKey: string;
  ServerPublicKey: string;
}

export interface FaultSpec {
  MerchantID: string;
  fault: 'delay' | 'http500' | 'drop' | 'bad_signature' | 'non_json';
  count?: number;
  delayMs?: number;
  operation?: 'DeductICPOF' | 'DeductCancelICPOF' | 'QueryTradeICPO';
  process?: boolean;
}

/** The sandbox's calls of one operation for one MerchantTradeNo. */
export interface Provisioned {
  companyId: string;
  clientId: string;
  clientSecret: string;
}

/** Another OAuth client of the company, through the CLI. */
export async function newClient(
  d: Deployment,
  companyId: string,
  name = 'pos',
): Promise<Provisioned> {
  const client = await cli(d, ['client', 'create', '--company', companyId, '--name', name]);
  return {
    companyId,
    clientId: String(client.client_id),
    clientSecret: String(client.client_secret),
  };
}

/**
 * A company, an OAuth client, the merchant's key set (key files written from the
 * sandbox's PEMs) and store STORE_ID, all through the `omnigate` CLI.
 */
export async function provision(d: Deployment, merchant: SandboxMerchant): Promise<Provisioned> {
  const company = await cli(d, ['company', 'create', '--name', 'multi-instance']);
  const companyId = String(company.company_id);
  const privateKeyFile = join(d.dataDir, 'client-private.pem');
  const publicKeyFile = join(d.dataDir, 'server-public.pem');
  writeFileSync(privateKeyFile, merchant.ClientPrivateKey, { mode: 0o600 });
  writeFileSync(publicKeyFile, merchant.ServerPublicKey);
  // Three independent processes at once: the database orders their writes.
  const keys = cli(d, [
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
  ]);
  const store = cli(d, [
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
  ]);
  const [client] = await Promise.all([newClient(d, companyId), keys, store]);
  return client;
}

export interface GatewayChild {
  child: ChildProcess;
  pid: number;
  url: string;
  exited: Promise<Exit>;
  output(): { stdout: string; stderr: string };
  /** Sends `signal` and waits (bounded) for the exit; SIGKILL when late. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit>;
}

/**
 * `node bin/omnigate.mjs serve` with OMNIGATE_PORT=0; resolves once it printed
 * `omnigate listening on <url>`.
 */
export async function spawnGateway(
  d: Deployment,
  env: Record<string, string>,
  startTimeoutMs = 90_000,
): Promise<GatewayChild> {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: childEnv({ ...deploymentEnv(d), OMNIGATE_PORT: '0', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Never outlive the test process, whatever happens to it.
  const orphanGuard = () => child.kill('SIGKILL');
  process.once('exit', orphanGuard);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  let exit: Exit | undefined;
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      process.off('exit', orphanGuard);
      resolve(exit);
    });
  });
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<Exit> => {
    if (exit) return exit;
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timeoutMs);
    });
    const result = await Promise.race([exited, late]);
    clearTimeout(timer);
    if (result !== 'late') return result;
    child.kill('SIGKILL');
    return exited;
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

/** Stops every child, each bounded; never throws. */
export async function stopAll(children: GatewayChild[]): Promise<void> {
  await Promise.all(children.map((c) => c.stop('SIGTERM', 10_000).catch(() => undefined)));
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

export async function issueToken(url: string, p: Provisioned): Promise<string> {
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

/** Pays `merchantTradeNo` with a fresh barcode through `url`; fails unless icash says RtnCode 1. */
export async function pay(
  sandbox: SandboxHandle,
  url: string,
  token: string,
  merchantTradeNo: string,
): Promise<void> {
  const barcode = await newBarcode(sandbox);
  const paid = await api(url, 'POST', '/v1/payment/integrate/pay', {
    token,
    body: payBody(barcode, merchantTradeNo),
  });
  if (paid.status !== 200 || paid.body.RtnCode !== 1) {
    throw new Error(`pay ${merchantTradeNo}: HTTP ${paid.status} ${paid.text}`);
  }
}

/** The reconciliation settings of every instance in these tests: check at once, look often. */
export const FAST_RECONCILE = {
  OMNIGATE_RECONCILE_SCHEDULE: '200ms',
  OMNIGATE_RECONCILE_INTERVAL_MS: '100',
};
