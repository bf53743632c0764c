import { execFile } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { loadConfig } from '../../src/config/config.js';
import { startGateway } from '../../src/runtime/gateway.js';
import type { SandboxMerchant, TestGateway } from '../gateway/helpers.js';
import { type TestDatabase, createTestDatabase } from '../support/backend.js';

export { TEST_BACKEND, createTestDatabase, type TestDatabase } from '../support/backend.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A secret value to look for, under a name that says what leaked. */
export interface Needle {
  name: string;
  bytes: Buffer;
}

const needle = (name: string, value: string | Buffer): Needle => ({
  name,
  bytes: typeof value === 'string' ? Buffer.from(value, 'utf8') : value,
});

/** Key material of one key set, as the values an operator holds. */
export interface KeyMaterial {
  label: string;
  aesKey: string;
  aesIv: string;
  /** PEM (PKCS#1 or PKCS#8) or bare base64 DER, as handed to the gateway. */
  clientPrivateKey: string;
}

export const merchantKeys = (label: string, m: SandboxMerchant): KeyMaterial => ({
  label,
  aesKey: m.AESKey,
  aesIv: m.AESIV,
  clientPrivateKey: m.ClientPrivateKey,
});

/** A random printable string of `length` characters (AES keys and IVs are text). */
export const randomText = (length: number): string =>
  randomBytes(length * 2)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, length);

/** A fresh key set as an operator might generate one: RSA 2048, 32-char AES key, 16-char IV. */
export function generatedKeys(
  label: string,
  format: 'pkcs1-pem' | 'pkcs8-pem' | 'pkcs8-der-base64',
): KeyMaterial & { serverPublicKey: string } {
  const client = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const server = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const clientPrivateKey =
    format === 'pkcs1-pem'
      ? client.privateKey.export({ format: 'pem', type: 'pkcs1' }).toString()
      : format === 'pkcs8-pem'
        ? client.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
        : client.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
  return {
    label,
    aesKey: randomText(32),
    aesIv: randomText(16),
    clientPrivateKey,
    serverPublicKey: server.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

/** The base64 lines of a PEM's body (at least 16 characters, so no short tail matches by chance). */
const pemLines = (pem: string): string[] =>
  pem
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('-----') && line.length >= 16);

/**
 * Every form a key set's secrets could take when leaked: the AES key and IV as
 * text and as base64, the private key's PEM body lines (PKCS#1 and PKCS#8),
 * the base64 of its DER, and the DER bytes themselves.
 */
export function keyNeedles(k: KeyMaterial): Needle[] {
  const key = /-----BEGIN/.test(k.clientPrivateKey)
    ? createPrivateKey(k.clientPrivateKey)
    : createPrivateKey({
        key: Buffer.from(k.clientPrivateKey, 'base64'),
        format: 'der',
        type: 'pkcs8',
      });
  const needles: Needle[] = [
    needle(`${k.label} AES key`, k.aesKey),
    needle(`${k.label} AES IV`, k.aesIv),
    needle(`${k.label} AES key base64`, Buffer.from(k.aesKey).toString('base64')),
    needle(`${k.label} AES IV base64`, Buffer.from(k.aesIv).toString('base64')),
  ];
  for (const type of ['pkcs1', 'pkcs8'] as const) {
    const pem = key.export({ format: 'pem', type }).toString();
    pemLines(pem).forEach((line, i) =>
      needles.push(needle(`${k.label} private key ${type} PEM line ${i + 1}`, line)),
    );
    const der = key.export({ format: 'der', type });
    needles.push(needle(`${k.label} private key ${type} DER base64`, der.toString('base64')));
    // The middle of the DER (the private exponent and primes), as raw bytes.
    needles.push(needle(`${k.label} private key ${type} DER bytes`, der.subarray(64, 192)));
  }
  return needles;
}

export const secretNeedle = (name: string, value: string): Needle => needle(name, value);

/** The names of the needles found in `haystack`. */
export function found(haystack: Buffer | string, needles: Needle[]): string[] {
  const bytes = typeof haystack === 'string' ? Buffer.from(haystack, 'utf8') : haystack;
  return needles.filter((n) => bytes.includes(n.bytes)).map((n) => n.name);
}

/** A data dir and a fresh database of the test project's backend, and how to remove both. */
export async function newDatabase(prefix: string): Promise<{
  dataDir: string;
  database: TestDatabase;
  remove(): Promise<void>;
}> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const database = await createTestDatabase(dataDir);
  return {
    dataDir,
    database,
    async remove() {
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The raw bytes of every SQLite file of a data dir (database, WAL, shared memory). */
export function databaseFiles(dataDir: string): { name: string; bytes: Buffer }[] {
  return readdirSync(dataDir)
    .filter((f) => f.startsWith('omnigate.sqlite'))
    .map((name) => ({ name, bytes: readFileSync(join(dataDir, name)) }));
}

/**
 * A gateway on a given data dir and database (so two instances can share one
 * database, or a test can stop the gateway and still read the database).
 * `close()` stops the gateway only; the caller drops the database.
 */
export async function startGatewayOn(
  dataDir: string,
  database: TestDatabase,
  env: Record<string, string> = {},
): Promise<TestGateway> {
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
  let closing: Promise<void> | undefined;
  return {
    gateway,
    url: gateway.url,
    dataDir,
    logs,
    databaseBytes: () => database.dump(),
    close: () => (closing ??= gateway.close()),
  };
}

export const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), prefix));
export const removeDir = (dir: string): void => rmSync(dir, { recursive: true, force: true });

/** One raw HTTP exchange: exact bytes in, the status, headers and text out. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: unknown;
}

export async function send(
  url: string,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS',
  path: string,
  headers: Record<string, string> = {},
  body?: string | Buffer,
): Promise<RawAnswer> {
  const res = await request(`${url}${path}`, { method, headers, body });
  const text = await res.body.text();
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: flat, text, json };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real `omnigate` executable as a child process. */
export const runCli = (env: NodeJS.ProcessEnv, args: string[]): Promise<CliRun> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/omnigate.mjs', ...args],
      { cwd: ROOT, env, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });

/** The environment for CLI runs on `dataDir`, without the caller's database or master key. */
export function cliEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const unset = new Set(['OMNIGATE_DATABASE_URL', 'OMNIGATE_MASTER_KEY', 'NODE_ENV']);
  return {
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !unset.has(name))),
    OMNIGATE_DATA_DIR: dataDir,
    ...extra,
  };
}
