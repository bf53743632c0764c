import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DIST_BIN,
  buildBundle,
  childEnv,
  omnigateCli,
  startChild,
  type Started,
} from './processes.js';

/**
 * The gateway as in production: provisioned with the real CLI, started as `npm start`
 * does (the bundle built once, then `node <its flags> bin/omnigate-dist.mjs serve`) with
 * NODE_ENV=production and a SQLite file.
 */

/**
 * The node flags of package.json's `start` script (`node <flags> bin/omnigate-dist.mjs
 * serve`), so the bench runs the gateway exactly as `npm start` does.
 */
export function startScriptNodeFlags(): string[] {
  const manifest = JSON.parse(
    readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
  ) as { scripts?: Record<string, string> };
  const start = manifest.scripts?.start ?? '';
  const match = /(?:^|&&\s*)node((?:\s+--\S+)*)\s+bin\/omnigate-dist\.mjs serve\s*$/.exec(start);
  if (!match) throw new Error(`package.json start script not understood: ${start}`);
  return match[1]!.split(/\s+/).filter(Boolean);
}

export const TYPE = 'I_CASH_QRCODE_PAY';
export const STORE_ID = '0001';

/** A merchant's icash key set: RSA-2048 pairs and AES material, as icash would issue them. */
export interface MerchantKeys {
  platformId: string;
  merchantId: string;
  encKeyId: string;
  aesKey: string;
  aesIv: string;
  clientPrivateKeyPem: string;
  serverPublicKeyPem: string;
  /** The client key as a KeyObject, for the signature floor. */
  clientPrivateKey: KeyObject;
  /** The stand-in's own key: signs its one answer. */
  serverPrivateKey: KeyObject;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const text = (length: number): string =>
  Array.from(randomBytes(length), (b) => ALNUM[b % ALNUM.length]).join('');

export function generateMerchantKeys(): MerchantKeys {
  const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
  const client = rsa();
  const server = rsa();
  return {
    platformId: '10000001',
    merchantId: '10000002',
    encKeyId: '271828',
    aesKey: text(32),
    aesIv: text(16),
    clientPrivateKeyPem: client.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    serverPublicKeyPem: server.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    clientPrivateKey: client.privateKey,
    serverPrivateKey: server.privateKey,
  };
}

export interface Deployment {
  dataDir: string;
  databaseFile: string;
  masterKey: string;
  companyId: string;
  clientId: string;
  clientSecret: string;
}

/** The production environment of every omnigate process of one deployment. */
export function productionEnv(
  deployment: Pick<Deployment, 'dataDir' | 'databaseFile' | 'masterKey'>,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return childEnv({
    NODE_ENV: 'production',
    OMNIGATE_MASTER_KEY: deployment.masterKey,
    OMNIGATE_DATA_DIR: deployment.dataDir,
    OMNIGATE_DATABASE_URL: deployment.databaseFile,
    OMNIGATE_SANDBOX: 'off',
    OMNIGATE_LOG_LEVEL: 'warn',
    // The bench is one client sending far more than a POS would: measure the gateway, not its limit.
    OMNIGATE_RATE_LIMIT_PER_MINUTE: '0',
    ...extra,
  });
}

/** What provisioning needs of a key set (the sandbox hands out PEM text only). */
export type ProvisionKeys = Pick<
  MerchantKeys,
  | 'platformId'
  | 'merchantId'
  | 'encKeyId'
  | 'aesKey'
  | 'aesIv'
  | 'clientPrivateKeyPem'
  | 'serverPublicKeyPem'
>;

/** A fresh deployment with one company and one API client, through the CLI. */
function provisionCompany(
  dataDir: string,
  databaseUrl?: string,
): { deployment: Deployment; env: NodeJS.ProcessEnv } {
  const base = {
    dataDir,
    databaseFile: databaseUrl ?? join(dataDir, 'omnigate.sqlite'),
    masterKey: randomBytes(32).toString('base64'),
  };
  const env = productionEnv(base);
  const companyId = String(
    omnigateCli(['company', 'create', '--name', 'Bench Co'], env).company_id,
  );
  const client = omnigateCli(['client', 'create', '--company', companyId, '--name', 'bench'], env);
  return {
    deployment: {
      ...base,
      companyId,
      clientId: String(client.client_id),
      clientSecret: String(client.client_secret),
    },
    env,
  };
}

/** `databaseUrl`: a PostgreSQL URL instead of the SQLite file under `dataDir`. */
export function provision(dataDir: string, keys: ProvisionKeys, databaseUrl?: string): Deployment {
  const { deployment, env } = provisionCompany(dataDir, databaseUrl);
  const { companyId } = deployment;
  const privateFile = join(dataDir, 'client-private.pem');
  const publicFile = join(dataDir, 'server-public.pem');
  writeFileSync(privateFile, keys.clientPrivateKeyPem, { mode: 0o600 });
  writeFileSync(publicFile, keys.serverPublicKeyPem);
  omnigateCli(
    [
      'keys',
      'set',
      '--company',
      companyId,
      '--platform-id',
      keys.platformId,
      '--env',
      'prod',
      '--enc-key-id',
      keys.encKeyId,
      '--aes-key',
      keys.aesKey,
      '--aes-iv',
      keys.aesIv,
      '--client-private-key',
      privateFile,
      '--server-public-key',
      publicFile,
    ],
    env,
  );
  omnigateCli(
    [
      'store',
      'set',
      '--company',
      companyId,
      '--store',
      STORE_ID,
      '--type',
      TYPE,
      '--env',
      'prod',
      '--platform-id',
      keys.platformId,
      '--merchant-id',
      keys.merchantId,
    ],
    env,
  );
  return deployment;
}

export const LINE_TYPE = 'LINE_QRCODE_PAY';

/** A LINE Pay channel as LINE issues one: a 10-digit id and a 32-hex-character secret. */
export interface LineChannel {
  channelId: string;
  channelSecret: string;
}

export function generateLineChannel(): LineChannel {
  return {
    channelId: String(1_000_000_000 + (randomBytes(4).readUInt32BE(0) % 1_000_000_000)),
    channelSecret: randomBytes(16).toString('hex'),
  };
}

/**
 * company create, client create, then store `STORE_ID` as LINE_QRCODE_PAY (prod, API v4)
 * through the CLI; the secret through `--channel-secret-file`, never on the command line.
 */
export function provisionLine(dataDir: string, channel: LineChannel): Deployment {
  const { deployment, env } = provisionCompany(dataDir);
  const secretFile = join(dataDir, 'line-channel-secret');
  writeFileSync(secretFile, `${channel.channelSecret}\n`, { mode: 0o600 });
  omnigateCli(
    [
      'store',
      'set',
      '--company',
      deployment.companyId,
      '--store',
      STORE_ID,
      '--type',
      LINE_TYPE,
      '--env',
      'prod',
      '--channel-id',
      channel.channelId,
      '--channel-secret-file',
      secretFile,
      '--api-version',
      'v4',
    ],
    env,
  );
  return deployment;
}

export interface GatewayProcess extends Started {
  url: string;
}

/**
 * `node <start flags> [--cpu-prof] bin/omnigate-dist.mjs --json serve` (the bundle, built on the
 * first call) on a free port, production settings, upstream production URL `icashProdUrl`
 * (and `OMNIGATE_LINEPAY_PROD_URL` = `linePayProdUrl` when given).
 */
export async function startGateway(
  deployment: Deployment,
  icashProdUrl: string,
  options: {
    cpuProfileDir?: string;
    port?: number;
    linePayProdUrl?: string;
    /** More OMNIGATE_* settings (e.g. OMNIGATE_METRICS_PORT). */
    env?: Record<string, string>;
  } = {},
): Promise<GatewayProcess> {
  const env = productionEnv(deployment, {
    OMNIGATE_PORT: String(options.port ?? 0),
    OMNIGATE_ICASH_PROD_URL: icashProdUrl,
    ...(options.linePayProdUrl ? { OMNIGATE_LINEPAY_PROD_URL: options.linePayProdUrl } : {}),
    ...options.env,
  });
  // BENCH_NODE_FLAGS: extra node flags for the gateway, e.g. --perf-basic-prof for `perf record`.
  const profile = [
    ...startScriptNodeFlags(),
    ...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : []),
    ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean),
  ];
  buildBundle();
  const started = await startChild(
    [...profile, DIST_BIN, '--json', 'serve'],
    env,
    'omnigate serve',
  );
  return { ...started, url: String(started.hello.url) };
}

/** A bearer token by client credentials. */
export async function issueToken(url: string, deployment: Deployment): Promise<string> {
  const response = await fetch(`${url}/oauth/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'client_credentials',
      client_id: deployment.clientId,
      client_secret: deployment.clientSecret,
    }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!response.ok || typeof body.access_token !== 'string') {
    throw new Error(`token request failed: HTTP ${response.status} ${JSON.stringify(body)}`);
  }
  return body.access_token;
}
