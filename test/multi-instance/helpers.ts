import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startSandbox, type SandboxHandle } from '../../src/sandbox/index.js';
import { type SandboxCall } from '../../src/sandbox/icash-pay/index.js';

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
  api,
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
  issueToken,
  type ApiAnswer,
  type Exit,
  type FaultSpec,
  type GatewayChild,
  type SandboxMerchant,
} from '../reliability/helpers.js';
import {
  api,
  configureMerchant,
  newBarcode,
  payBody,
  runCli,
  startGatewayProcess,
  type GatewayChild,
  type SandboxMerchant,
} from '../reliability/helpers.js';
export const POSTGRES_ADMIN_URL =
  process.env.OMNIGATE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.OMNIGATE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export { startSandbox, type SandboxCall, type SandboxHandle };

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

/** Runs `omnigate --json <args>` on the deployment; resolves to its one JSON object. */
export const cli = (
  d: Deployment,
  args: string[],
  timeoutMs = 90_000,
): Promise<Record<string, unknown>> => runCli(deploymentEnv(d), args, timeoutMs);

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
  // Three independent processes at once: the database orders their writes.
  const [client] = await Promise.all([
    newClient(d, companyId),
    configureMerchant((args) => cli(d, args), d.dataDir, companyId, merchant),
  ]);
  return client;
}

/**
 * `node bin/omnigate.mjs serve` of the deployment with OMNIGATE_PORT=0; resolves
 * once it printed `omnigate listening on <url>`.
 */
export const spawnGateway = (
  d: Deployment,
  env: Record<string, string>,
  startTimeoutMs = 90_000,
): Promise<GatewayChild> => startGatewayProcess({ ...deploymentEnv(d), ...env }, startTimeoutMs);

/** Stops every child, each bounded; never throws. */
export async function stopAll(children: GatewayChild[]): Promise<void> {
  await Promise.all(children.map((c) => c.stop('SIGTERM', 10_000).catch(() => undefined)));
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
