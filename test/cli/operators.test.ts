import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config/config.js';
import { startGateway, type GatewayHandle } from '../../src/runtime/gateway.js';
import {
  TYPE,
  api,
  issueToken,
  newMerchant,
  startSandbox,
  type SandboxHandle,
  type SandboxMerchant,
} from '../gateway/helpers.js';
import { keysSetArgs, merchantKeySet, storeSetArgs } from '../support/cli-args.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The operators' CLI commands (list/show, rotate-secret, the audit log), run
 * in-process through the CLI's own entry point on a real SQLite file, with a
 * real gateway on the same database for tokens.
 */
describe(
  'omnigate CLI for operators: list/show, rotate-secret, audit',
  { timeout: 120_000 },
  () => {
    let dataDir: string;
    let sandbox: SandboxHandle;
    let merchant: SandboxMerchant;
    let gateway: GatewayHandle;
    const saved = { ...process.env };
    /** Every secret that went in or came out: none may appear in the database or a later output. */
    const secrets: string[] = [];
    /** What every command printed after the ones that show a secret once. */
    const outputs: string[] = [];

    let stdin = '';

    async function run(...args: string[]): Promise<Run> {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(['node', 'omnigate', ...args], {
        out: (line) => out.push(line),
        err: (line) => err.push(line),
        stdin: () => stdin,
      });
      return { code, stdout: out.join('\n'), stderr: err.join('\n') };
    }

    async function ok(...args: string[]): Promise<Record<string, unknown>> {
      const res = await run(...args, '--json');
      expect(res.code, res.stderr).toBe(0);
      const parsed = JSON.parse(res.stdout) as Record<string, unknown>;
      return parsed;
    }

    /** A command that shows no secret: its output is kept for the search. */
    async function read(...args: string[]): Promise<Record<string, unknown>> {
      const parsed = await ok(...args);
      outputs.push(JSON.stringify(parsed));
      const human = await run(...args);
      expect(human.code, human.stderr).toBe(0);
      outputs.push(human.stdout);
      return parsed;
    }

    const file = (name: string, content: string): string => {
      const path = join(dataDir, name);
      writeFileSync(path, content, { mode: 0o600 });
      return path;
    };

    const databaseBytes = (): Buffer =>
      Buffer.concat(
        readdirSync(dataDir)
          .filter((f) => f.startsWith('omnigate.sqlite'))
          .map((f) => readFileSync(join(dataDir, f))),
      );

    let companyId: string;
    let otherCompanyId: string;
    let clientId: string;
    let clientSecret: string;

    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'omnigate-ops-cli-'));
      delete process.env.OMNIGATE_DATABASE_URL;
      delete process.env.OMNIGATE_MASTER_KEY;
      delete process.env.NODE_ENV;
      process.env.OMNIGATE_DATA_DIR = dataDir;
      process.env.OMNIGATE_LOG_LEVEL = 'silent';
      sandbox = await startSandbox();
      merchant = await newMerchant(sandbox);
      secrets.push(merchant.AESKey, merchant.AESIV);
      // The private key's base64 body, line by line (any line would betray it).
      secrets.push(
        ...merchant.ClientPrivateKey.split('\n').filter((l) => l.length > 40 && !l.startsWith('-')),
      );
    });

    afterAll(async () => {
      await gateway?.close();
      await sandbox?.close();
      process.env = saved;
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('provisions through the CLI: every change is an audit entry with actor cli', async () => {
      companyId = (await ok('company', 'create', '--name', '營運 公司')).company_id as string;
      otherCompanyId = (await ok('company', 'create', '--name', 'other')).company_id as string;
      const client = await ok('client', 'create', '--company', companyId, '--name', 'pos');
      clientId = client.client_id as string;
      clientSecret = client.client_secret as string;
      secrets.push(clientSecret);
      await ok(
        ...keysSetArgs(
          merchantKeySet(companyId, merchant, {
            clientPrivateKey: file('client.pem', merchant.ClientPrivateKey),
            serverPublicKey: file('server.pem', merchant.ServerPublicKey),
          }),
        ),
      );
      await ok(
        ...storeSetArgs({
          companyId,
          storeId: 'S1',
          type: TYPE,
          env: 'test',
          platformId: merchant.PlatformID,
          merchantId: merchant.MerchantID,
        }),
      );
      const channelSecret = 'line-channel-secret-0123456789abcdef';
      secrets.push(channelSecret);
      await ok(
        'store',
        'set',
        '--company',
        companyId,
        '--store',
        'S1',
        '--type',
        'LINE_QRCODE_PAY',
        '--env',
        'test',
        '--channel-id',
        '1234567890',
        '--channel-secret-file',
        file('channel-secret', `${channelSecret}\n`),
      );
      const { entries } = (await read('audit', 'list', '--company', companyId)) as {
        entries: { actor: string; action: string; target: string; company_id: string }[];
      };
      expect(entries.map((e) => e.action).sort()).toEqual([
        'client.create',
        'company.create',
        'credentials.set',
        'store.set',
        'store.set',
      ]);
      expect(entries.every((e) => e.actor === 'cli' && e.company_id === companyId)).toBe(true);
      expect(entries.find((e) => e.action === 'client.create')!.target).toBe(clientId);
    });

    it('company list/show', async () => {
      const { companies } = (await read('company', 'list')) as {
        companies: { company_id: string; name: string }[];
      };
      expect(companies.map((c) => c.company_id)).toEqual([companyId, otherCompanyId]);
      expect(companies[0]!.name).toBe('營運 公司');
      const shown = await read('company', 'show', '--company', companyId);
      expect(shown).toMatchObject({ company_id: companyId, name: '營運 公司' });
      expect((shown.clients as unknown[]).length).toBe(1);
      expect((shown.stores as unknown[]).length).toBe(1);
      expect((shown.credentials as unknown[]).length).toBe(2);
      const missing = await run('company', 'show', '--company', 'cmp_nope');
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('company cmp_nope does not exist');
    });

    it('store list/show: each payment configuration per type and env, account fields only', async () => {
      const { stores } = (await read('store', 'list', '--company', companyId)) as {
        stores: { store_id: string; configs: Record<string, unknown>[] }[];
      };
      expect(stores).toHaveLength(1);
      const configs = stores[0]!.configs;
      expect(configs.map((c) => `${String(c.type)}/${String(c.env)}`)).toEqual([
        `${TYPE}/test`,
        'LINE_QRCODE_PAY/test',
      ]);
      expect(configs[0]).toMatchObject({
        account: { PlatformID: merchant.PlatformID, MerchantID: merchant.MerchantID },
        credential_id: merchant.PlatformID,
      });
      const shown = await read('store', 'show', '--company', companyId, '--store', 'S1');
      expect(shown).toMatchObject({ company_id: companyId, store_id: 'S1' });
      expect((await read('store', 'list', '--company', otherCompanyId)).stores).toEqual([]);
    });

    it('credentials list/show: metadata and a fingerprint, never key material', async () => {
      const { credentials } = (await read('credentials', 'list', '--company', companyId)) as {
        credentials: Record<string, unknown>[];
      };
      expect(credentials).toHaveLength(2);
      const icash = credentials.find((c) => c.type === TYPE)!;
      expect(Object.keys(icash).sort()).toEqual([
        'company_id',
        'created_at',
        'credential_id',
        'env',
        'fingerprint',
        'public_fields',
        'secret_fields',
        'type',
        'updated_at',
      ]);
      expect(icash).toMatchObject({
        company_id: companyId,
        env: 'test',
        credential_id: merchant.PlatformID,
        secret_fields: ['aes_iv', 'aes_key', 'client_private_key'],
      });
      expect(icash.fingerprint).toMatch(/^[0-9a-f]{16}$/);
      const shown = await read(
        'credentials',
        'show',
        '--company',
        companyId,
        '--type',
        TYPE,
        '--env',
        'test',
        '--credential',
        merchant.PlatformID,
      );
      expect(shown).toEqual(icash);
      // Storing the same keys again keeps the fingerprint; the audit entry says so.
      await ok(
        ...keysSetArgs(
          merchantKeySet(companyId, merchant, {
            clientPrivateKey: file('client2.pem', merchant.ClientPrivateKey),
            serverPublicKey: file('server2.pem', merchant.ServerPublicKey),
          }),
        ),
      );
      const again = (await read('credentials', 'list', '--company', companyId)) as {
        credentials: Record<string, unknown>[];
      };
      expect(again.credentials.find((c) => c.type === TYPE)!.fingerprint).toBe(icash.fingerprint);
      const { entries } = (await read(
        'audit',
        'list',
        '--company',
        companyId,
        '--action',
        'credentials.set',
      )) as { entries: { changes: Record<string, unknown> }[] };
      expect(entries).toHaveLength(2);
      expect(entries[0]!.changes).toMatchObject({
        fingerprint_before: icash.fingerprint,
        fingerprint: icash.fingerprint,
        secret_fields: ['aes_iv', 'aes_key', 'client_private_key'],
      });
    });

    it('client list shows the last use (a token issued); rotate-secret: the new secret works, the old and its tokens do not', async () => {
      const before = (await read('client', 'list', '--company', companyId)) as {
        clients: { client_id: string; last_used_at: string | null; status: string }[];
      };
      expect(before.clients).toEqual([
        expect.objectContaining({ client_id: clientId, last_used_at: null, status: 'active' }),
      ]);
      gateway = await startGateway(
        loadConfig({
          ...process.env,
          OMNIGATE_PORT: '0',
          OMNIGATE_SANDBOX: 'off',
          OMNIGATE_ICASH_TEST_URL: sandbox.baseUrls.icash,
        }),
        {
          demo: false,
          logStream: new Writable({ write: (_chunk, _enc, done) => done() }),
        },
      );
      const oldToken = await issueToken(gateway.url, clientId, clientSecret);
      const used = (await read('client', 'show', '--client', clientId)) as {
        last_used_at: string | null;
      };
      expect(used.last_used_at).toMatch(/^\d{4}-\d\d-\d\dT/);

      const rotated = await ok('client', 'rotate-secret', '--client', clientId);
      expect(rotated).toMatchObject({ client_id: clientId, tokens_revoked: 1 });
      const newSecret = rotated.client_secret as string;
      expect(newSecret).toMatch(/^ogs_/);
      expect(newSecret).not.toBe(clientSecret);
      secrets.push(newSecret);

      const oldAnswer = await api(gateway.url, 'POST', '/oauth/v1/token', {
        rawBody: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: clientId,
          client_secret: clientSecret,
        }).toString(),
        contentType: 'application/x-www-form-urlencoded',
      });
      expect(oldAnswer.status).toBe(401);
      const stale = await api(gateway.url, 'GET', '/v1/payment/transactions/x', {
        token: oldToken,
      });
      expect(stale.status).toBe(401);
      const newToken = await issueToken(gateway.url, clientId, newSecret);
      expect(newToken).toMatch(/^ogt_/);

      await ok('client', 'revoke', '--client', clientId);
      const refused = await run('client', 'rotate-secret', '--client', clientId);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('is revoked');
      const revoked = (await read('client', 'list')) as { clients: { status: string }[] };
      expect(revoked.clients.map((c) => c.status)).toEqual(['revoked']);
    });

    it('master-key rotate and migrate are audited (no company)', async () => {
      const old = readFileSync(join(dataDir, 'master.key'), 'utf8').trim();
      const fresh = (await ok('master-key', 'generate')).master_key as string;
      secrets.push(old, fresh);
      process.env.OMNIGATE_MASTER_KEY = `v2:${fresh},v1:${old}`;
      const fingerprints = async () =>
        (
          (await read('credentials', 'list')) as { credentials: { fingerprint: string }[] }
        ).credentials.map((c) => c.fingerprint);
      const beforeRotation = await fingerprints();
      await ok('master-key', 'rotate');
      // The fingerprint does not depend on which master-key version seals the values.
      expect(await fingerprints()).toEqual(beforeRotation);
      const { entries } = (await read('audit', 'list', '--action', 'master_key.rotate')) as {
        entries: { actor: string; company_id: string | null; changes: Record<string, unknown> }[];
      };
      expect(entries).toEqual([
        expect.objectContaining({
          actor: 'cli',
          company_id: null,
          changes: {
            key_version: 2,
            credentials_resealed: 2,
            settings_resealed: 1,
            webhook_secrets_resealed: 0,
          },
        }),
      ]);
    });

    it('user create/list/password/disable: scrypt hashes, a generated password shown once, audited', async () => {
      const generated = await ok(
        'user',
        'create',
        '--email',
        'Admin@Example.com',
        '--role',
        'admin',
        '--company',
        companyId,
      );
      expect(generated).toMatchObject({
        email: 'admin@example.com',
        role: 'admin',
        company_id: companyId,
        scope: 'company',
        status: 'active',
      });
      const shown = generated.password as string;
      expect(shown.length).toBeGreaterThanOrEqual(24);
      secrets.push(shown);
      stdin = 'a platform password from stdin\n';
      secrets.push('a platform password from stdin');
      const platform = await ok(
        'user',
        'create',
        '--email',
        'root@example.com',
        '--role',
        'viewer',
        '--platform',
        '--password-stdin',
      );
      expect(platform).toMatchObject({ company_id: null, scope: 'platform' });
      expect(platform).not.toHaveProperty('password');
      expect(
        (await run('user', 'create', '--email', 'x@example.com', '--role', 'viewer')).code,
      ).toBe(1);
      stdin = 'short\n';
      const weak = await run(
        'user',
        'create',
        '--email',
        'weak@example.com',
        '--role',
        'viewer',
        '--platform',
        '--password-stdin',
      );
      expect(weak.stderr).toContain('12-1024 characters');
      const duplicate = await run(
        'user',
        'create',
        '--email',
        'ADMIN@example.com',
        '--role',
        'viewer',
        '--platform',
      );
      expect(duplicate.stderr).toContain('exists');

      const { users: listed } = (await read('user', 'list')) as {
        users: Record<string, unknown>[];
      };
      expect(listed.map((u) => u.email)).toEqual(['admin@example.com', 'root@example.com']);
      expect(Object.keys(listed[0]!)).not.toContain('password_hash');

      const changed = await ok('user', 'password', '--email', 'admin@example.com');
      secrets.push(changed.password as string);
      expect(changed.password).not.toBe(shown);
      const disabled = await ok('user', 'disable', '--email', 'root@example.com');
      expect(disabled).toMatchObject({ disabled: true, sessions_ended: 0 });
      const { users: after } = (await read('user', 'list')) as { users: { status: string }[] };
      expect(after.map((u) => u.status)).toEqual(['active', 'disabled']);

      const { entries } = (await read('audit', 'list', '--action', 'user.create')) as {
        entries: { changes: Record<string, unknown> }[];
      };
      expect(entries.map((e) => e.changes.password).sort()).toEqual(['generated', 'given']);
      expect(databaseBytes().includes('scrypt$32768$8$1$')).toBe(true);
    });

    it('webhook create/rotate-secret/delete are audited as the CLI, never with the secret', async () => {
      const created = await ok(
        'webhook',
        'create',
        '--company',
        companyId,
        '--url',
        'http://127.0.0.1:9/hooks',
        '--events',
        'transaction.succeeded',
      );
      const endpointId = created.endpoint_id as string;
      secrets.push(created.secret as string);
      const rotated = await ok('webhook', 'rotate-secret', '--endpoint', endpointId);
      secrets.push(rotated.secret as string);
      await ok('webhook', 'delete', '--endpoint', endpointId);
      const { entries } = (await read('audit', 'list', '--company', companyId)) as {
        entries: { actor: string; action: string; target: string; changes: object }[];
      };
      const ofEndpoint = entries.filter((e) => e.target === endpointId);
      expect(ofEndpoint.map((e) => e.action)).toEqual([
        'webhook.delete',
        'webhook.rotate_secret',
        'webhook.create',
      ]);
      expect(ofEndpoint.every((e) => e.actor === 'cli')).toBe(true);
      expect(ofEndpoint[2]!.changes).toEqual({
        url: 'http://127.0.0.1:9/hooks',
        events: ['transaction.succeeded'],
      });
    });

    it('every changing command left an entry; no secret is in the database or any later output', async () => {
      const { entries } = (await read('audit', 'list')) as { entries: { action: string }[] };
      expect(entries.map((e) => e.action).sort()).toEqual([
        'client.create',
        'client.revoke',
        'client.rotate_secret',
        'company.create',
        'company.create',
        'credentials.set',
        'credentials.set',
        'master_key.rotate',
        'store.set',
        'store.set',
        'user.create',
        'user.create',
        'user.disable',
        'user.password',
        'webhook.create',
        'webhook.delete',
        'webhook.rotate_secret',
      ]);
      const bytes = databaseBytes();
      const printed = outputs.join('\n');
      for (const secret of secrets) {
        expect(secret.length).toBeGreaterThan(10);
        expect(bytes.includes(Buffer.from(secret)), 'database').toBe(false);
        expect(printed.includes(secret), 'output').toBe(false);
      }
    });
  },
);
