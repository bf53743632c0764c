import { execFile } from 'node:child_process';
import { generateKeyPairSync, createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import {
  type StoreSetArgs,
  keysSetArgs,
  merchantKeySet,
  storeSetArgs,
} from '../support/cli-args.js';
import { startGateway, type GatewayHandle } from '../../src/runtime/gateway.js';
import {
  TYPE,
  api,
  issueToken,
  newMerchant,
  searchPath,
  startSandbox,
  tradeNo,
  type SandboxHandle,
  type SandboxMerchant,
} from '../gateway/helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The real `omnigate` executable as a child process, on a temp data dir, with
 * the default (SQLite) database.
 */
describe('omnigate CLI', { timeout: 120_000 }, () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let sandbox: SandboxHandle;
  let merchant: SandboxMerchant;

  const run = (...args: string[]): Promise<Run> =>
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

  /** A success: exit 0, exactly one JSON object on stdout (one line), nothing on stderr. */
  async function ok(...args: string[]): Promise<Record<string, unknown>> {
    const res = await run(...args);
    expect(res.code, res.stderr).toBe(0);
    const lines = res.stdout.split('\n').filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0]!) as unknown;
    expect(parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)).toBe(true);
    return parsed as Record<string, unknown>;
  }

  /** A failure: non-zero exit, a message on stderr, nothing on stdout. */
  async function fails(...args: string[]): Promise<string> {
    const res = await run(...args);
    expect(res.code).not.toBe(0);
    expect(res.stdout).toBe('');
    expect(res.stderr.trim()).not.toBe('');
    expect(res.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
    return res.stderr;
  }

  const file = (name: string, content: string): string => {
    const path = join(dataDir, name);
    writeFileSync(path, content);
    return path;
  };

  const databaseBytes = (): Buffer =>
    Buffer.concat(
      readdirSync(dataDir)
        .filter((f) => f.startsWith('omnigate.sqlite'))
        .map((f) => readFileSync(join(dataDir, f))),
    );

  let companyId: string;
  let clientId: string;
  let clientSecret: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'omnigate-cli-'));
    const unset = new Set(['OMNIGATE_DATABASE_URL', 'OMNIGATE_MASTER_KEY', 'NODE_ENV']);
    env = {
      ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !unset.has(name))),
      OMNIGATE_DATA_DIR: dataDir,
      OMNIGATE_LOG_LEVEL: 'silent',
    };
    sandbox = await startSandbox();
    merchant = await newMerchant(sandbox);
  });

  afterAll(async () => {
    await sandbox?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('--help lists the commands', async () => {
    const res = await run('--help');
    expect(res.code).toBe(0);
    for (const command of ['serve', 'sandbox', 'migrate', 'company', 'client', 'keys', 'store']) {
      expect(res.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    }
  });

  it('migrate', async () => {
    const first = await ok('migrate', '--json');
    expect(Array.isArray(first.applied)).toBe(true);
    expect((first.applied as unknown[]).length).toBeGreaterThan(0);
    expect(readdirSync(dataDir)).toContain('omnigate.sqlite');
    const again = await ok('--json', 'migrate');
    expect(again.applied).toEqual([]);
  });

  it('company create → {company_id}; client create → {client_id, client_secret}', async () => {
    const company = await ok('company', 'create', '--name', 'CLI 公司', '--json');
    expect(Object.keys(company)).toEqual(['company_id']);
    expect(company.company_id).toMatch(/^\S+$/);
    companyId = company.company_id as string;

    const client = await ok('client', 'create', '--company', companyId, '--name', 'pos', '--json');
    expect(Object.keys(client).sort()).toEqual(['client_id', 'client_secret']);
    clientId = client.client_id as string;
    clientSecret = client.client_secret as string;
    expect(clientSecret.length).toBeGreaterThanOrEqual(32);
  });

  it('a company that does not exist fails', async () => {
    const message = await fails('client', 'create', '--company', 'co_nope', '--json');
    expect(message).toContain('co_nope');
    await fails(
      'store',
      'set',
      '--company',
      'co_nope',
      '--store',
      'S1',
      '--type',
      TYPE,
      '--env',
      'test',
      '--platform-id',
      '1',
      '--merchant-id',
      '2',
      '--json',
    );
  });

  it('keys set: PEM and bare base64 key files; generated keys too', async () => {
    // The sandbox merchant's own keys, as PEM files.
    const pem = await ok(
      ...keysSetArgs(
        merchantKeySet(companyId, merchant, {
          clientPrivateKey: file('client.pem', merchant.ClientPrivateKey),
          serverPublicKey: file('server.pem', merchant.ServerPublicKey),
        }),
      ),
      '--json',
    );
    expect(pem).toMatchObject({ platform_id: merchant.PlatformID, env: 'test', stored: true });

    // The same keys as bare base64 DER (PKCS#8 / SPKI): replaces the set (upsert).
    const privateDer = createPrivateKey(merchant.ClientPrivateKey).export({
      format: 'der',
      type: 'pkcs8',
    });
    const publicDer = createPublicKey(merchant.ServerPublicKey).export({
      format: 'der',
      type: 'spki',
    });
    const bare = await ok(
      ...keysSetArgs(
        merchantKeySet(companyId, merchant, {
          clientPrivateKey: file('client.b64', `${privateDer.toString('base64')}\n`),
          serverPublicKey: file('server.b64', publicDer.toString('base64')),
        }),
      ),
      '--json',
    );
    expect(bare.stored).toBe(true);

    // Keys generated here, PKCS#1 PEM and bare base64 variants.
    const generated = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const server = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await ok(
      ...keysSetArgs({
        companyId,
        platformId: 'GEN001',
        env: 'prod',
        encKeyId: '7',
        aesKey: 'A'.repeat(32),
        aesIv: 'B'.repeat(16),
        clientPrivateKey: file(
          'gen-client.pem',
          generated.privateKey.export({ format: 'pem', type: 'pkcs1' }).toString(),
        ),
        serverPublicKey: file(
          'gen-server.b64',
          server.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
        ),
      }),
      '--json',
    );
  });

  it('keys set with a bad AES key, a bad key file or a missing file fails', async () => {
    const args = (over: Record<string, string>) => {
      const o = {
        aes: merchant.AESKey,
        iv: merchant.AESIV,
        priv: join(dataDir, 'client.pem'),
        pub: join(dataDir, 'server.pem'),
        ...over,
      };
      return [
        ...keysSetArgs({
          companyId,
          platformId: 'BAD001',
          env: 'test',
          encKeyId: '1',
          aesKey: o.aes,
          aesIv: o.iv,
          clientPrivateKey: o.priv,
          serverPublicKey: o.pub,
        }),
        '--json',
      ];
    };
    await fails(...args({ aes: 'short' }));
    await fails(...args({ iv: 'x' }));
    await fails(...args({ priv: file('garbage.pem', 'not a key') }));
    // A public key where the private key belongs.
    await fails(...args({ priv: join(dataDir, 'server.pem') }));
    await fails(...args({ pub: join(dataDir, 'does-not-exist.pem') }));
  });

  it("icash ids longer than icash's 20 characters are refused, as the API refuses them", async () => {
    const tooLong = 'A'.repeat(21);
    const store = (over: Partial<StoreSetArgs>, ...extra: string[]) =>
      fails(
        ...storeSetArgs({
          companyId,
          storeId: 'S9',
          type: TYPE,
          env: 'test',
          platformId: merchant.PlatformID,
          merchantId: merchant.MerchantID,
          ...over,
        }),
        ...extra,
        '--json',
      );
    expect(await store({ platformId: tooLong })).toMatch(/platform id must be 1-20 /);
    expect(await store({ merchantId: tooLong })).toMatch(/merchant id must be 1-20 /);
    expect(await store({}, '--icash-store-id', tooLong)).toMatch(/icash store id must be 1-20 /);
    // 20 is still fine, and the gateway's own store id may have 50.
    await ok(
      ...storeSetArgs({
        companyId,
        storeId: 'S'.repeat(50),
        type: TYPE,
        env: 'test',
        platformId: merchant.PlatformID,
        merchantId: merchant.MerchantID,
      }),
      '--icash-store-id',
      'A'.repeat(20),
      '--json',
    );
  });

  it('store set → ok; an unknown type fails', async () => {
    const stored = await ok(
      ...storeSetArgs({
        companyId,
        storeId: 'S1',
        type: TYPE,
        env: 'test',
        platformId: merchant.PlatformID,
        merchantId: merchant.MerchantID,
      }),
      '--json',
    );
    expect(stored).toMatchObject({ store_id: 'S1', type: TYPE, env: 'test', stored: true });
    await fails(
      'store',
      'set',
      '--company',
      companyId,
      '--store',
      'S2',
      '--type',
      'LINE_PAY',
      '--env',
      'test',
      '--platform-id',
      '1',
      '--merchant-id',
      '2',
      '--json',
    );
    await fails(
      'store',
      'set',
      '--company',
      companyId,
      '--store',
      'S2',
      '--type',
      TYPE,
      '--env',
      'staging',
      '--platform-id',
      '1',
      '--merchant-id',
      '2',
      '--json',
    );
  });

  it("a wallet's secret comes from a file or standard input; the old --aes-key form works with a warning", async () => {
    const channelSecret = 'c0ffee'.repeat(5) + 'ab';
    // LINE Pay: the channel secret from a file, then from standard input.
    const line = await ok(
      'store',
      'set',
      '--company',
      companyId,
      '--store',
      'L1',
      '--type',
      'LINE_QRCODE_PAY',
      '--env',
      'test',
      '--channel-id',
      '1234567890',
      '--channel-secret-file',
      file('channel-secret', `${channelSecret}\n`),
      '--api-version',
      'v4',
      '--json',
    );
    expect(line).toMatchObject({ store_id: 'L1', type: 'LINE_QRCODE_PAY', stored: true });
    const viaStdin = await new Promise<Run>((resolve) => {
      const child = execFile(
        process.execPath,
        ['bin/omnigate.mjs', 'store', 'set', '--company', companyId, '--store', 'L2'].concat(
          ['--type', 'LINE_QRCODE_PAY', '--env', 'prod', '--channel-id', '1234567891'],
          ['--channel-secret-file', '-', '--json'],
        ),
        { cwd: ROOT, env, timeout: 60_000 },
        (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr }),
      );
      child.stdin?.end(`${channelSecret}\n`);
    });
    expect(viaStdin.code, viaStdin.stderr).toBe(0);
    expect(viaStdin.stderr).toBe('');
    // The secret is sealed: not in the database file, not in any output.
    expect(databaseBytes().includes(Buffer.from(channelSecret))).toBe(false);
    expect(JSON.stringify(line) + viaStdin.stdout).not.toContain(channelSecret);

    // Each type takes only its own options, and its required ones.
    expect(
      await fails(
        ...['store', 'set', '--company', companyId, '--store', 'L3', '--type', 'LINE_QRCODE_PAY'],
        ...['--env', 'test', '--channel-id', '1', '--platform-id', 'P1', '--json'],
      ),
    ).toMatch(/--platform-id is not an option of type LINE_QRCODE_PAY/);
    expect(
      await fails(
        ...['store', 'set', '--company', companyId, '--store', 'L3', '--type', 'LINE_QRCODE_PAY'],
        ...['--env', 'test', '--channel-id', '1', '--json'],
      ),
    ).toMatch(/--channel-secret-file is required for type LINE_QRCODE_PAY/);

    // icash: --aes-key and --aes-iv on the command line still work, and warn.
    const legacy = await run(
      ...['keys', 'set', '--company', companyId, '--platform-id', 'LEG001', '--env', 'test'],
      ...['--enc-key-id', '9', '--aes-key', merchant.AESKey, '--aes-iv', merchant.AESIV],
      ...['--client-private-key', file('legacy-client.pem', merchant.ClientPrivateKey)],
      ...['--server-public-key', file('legacy-server.pem', merchant.ServerPublicKey), '--json'],
    );
    expect(legacy.code, legacy.stderr).toBe(0);
    expect(JSON.parse(legacy.stdout)).toMatchObject({ platform_id: 'LEG001', stored: true });
    expect(legacy.stderr).toMatch(/warning: --aes-key puts a secret on the command line/);
    expect(legacy.stderr).toMatch(/warning: --aes-iv puts a secret on the command line/);
    expect(legacy.stderr + legacy.stdout).not.toContain(merchant.AESKey);
  });

  it('the secret printed by client create is not in the database', () => {
    const bytes = databaseBytes();
    expect(bytes.includes(Buffer.from(clientId))).toBe(true);
    expect(bytes.includes(Buffer.from(clientSecret))).toBe(false);
    expect(bytes.includes(Buffer.from(merchant.AESKey))).toBe(false);
  });

  describe('a gateway on the same data dir serves what the CLI provisioned', () => {
    let gateway: GatewayHandle;
    let token: string;

    beforeAll(async () => {
      const config = loadConfig({
        OMNIGATE_DATA_DIR: dataDir,
        OMNIGATE_PORT: '0',
        OMNIGATE_SANDBOX: 'off',
        OMNIGATE_LOG_LEVEL: 'silent',
        OMNIGATE_ICASH_TEST_URL: sandbox.baseUrls.icash,
        OMNIGATE_UPSTREAM_TIMEOUT_MS: '5000',
      });
      const logStream = new Writable({ write: (_c, _e, done) => done() });
      gateway = await startGateway(config, { demo: false, logStream });
    });

    afterAll(async () => {
      await gateway?.close();
    });

    it('the CLI client gets a token', async () => {
      token = await issueToken(gateway.url, clientId, clientSecret);
      expect(token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    });

    it('the CLI store and key set sign a real call to icash', async () => {
      const before = sandbox.wallets.icash.log.list().length;
      const res = await api(
        gateway.url,
        'GET',
        searchPath({
          type: TYPE,
          store_id: 'S1',
          is_test: 'TRUE',
          request: JSON.stringify({ MerchantTradeNo: tradeNo('CLI') }),
        }),
        { token },
      );
      expect(res.status).toBe(200);
      expect(typeof res.body.RtnCode).toBe('number');
      const calls = sandbox.wallets.icash.log.list().slice(before);
      expect(calls).toHaveLength(1);
      expect(calls[0]!.signatureValid).toBe(true);
      expect(calls[0]!.payload).toMatchObject({
        PlatformID: merchant.PlatformID,
        MerchantID: merchant.MerchantID,
      });
    });

    it('client revoke → ok, and the client then gets no token; an unknown client fails', async () => {
      const revoked = await ok('client', 'revoke', '--client', clientId, '--json');
      expect(revoked).toMatchObject({ client_id: clientId, revoked: true });
      const res = await fetch(`${gateway.url}/oauth/v1/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: clientId,
          client_secret: clientSecret,
        }),
      });
      expect(res.status).toBe(401);
      const probe = await api(gateway.url, 'GET', searchPath({ type: TYPE }), { token });
      expect(probe.status).toBe(401);

      const message = await fails('client', 'revoke', '--client', 'cl_unknown', '--json');
      expect(message).toContain('cl_unknown');
    });
  });
});
