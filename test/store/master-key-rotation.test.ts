import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { MasterKeyError, generateMasterKey, parseMasterKeys } from '../../src/core/master-key.js';
import { icashKeySet, icashStore } from '../../src/providers/icash-pay/provisioning.js';
import { sandboxMerchantKeySet } from '../../src/providers/icash-pay/provisioning.js';
import { startGateway, type GatewayHandle } from '../../src/runtime/gateway.js';
import {
  TYPE,
  api,
  issueToken,
  newMerchant,
  now,
  startSandbox,
  tradeNo,
  type SandboxHandle,
} from '../gateway/helpers.js';

const run = promisify(execFile);
const BIN = resolve(__dirname, '../../bin/omnigate.mjs');

/** Master-key rotation without downtime for readers, proven on a real SQLite file. */
describe('omnigate master-key rotate', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'omnigate-rotate-'));
  const oldKey = generateMasterKey();
  const newKey = generateMasterKey();
  let sandbox: SandboxHandle;
  let clientId = '';
  let clientSecret = '';
  let aesKey = '';

  const env = (masterKey: string) => ({
    OMNIGATE_DATA_DIR: dataDir,
    OMNIGATE_MASTER_KEY: masterKey,
    OMNIGATE_PORT: '0',
    OMNIGATE_SANDBOX: 'off',
    OMNIGATE_LOG_LEVEL: 'silent',
    OMNIGATE_ICASH_TEST_URL: sandbox.baseUrls.icash,
  });
  const start = (masterKey: string): Promise<GatewayHandle> =>
    startGateway(loadConfig(env(masterKey)), { demo: false });

  async function cancelWorks(g: GatewayHandle): Promise<void> {
    const token = await issueToken(g.url, clientId, clientSecret);
    const res = await api(g.url, 'POST', '/v1/payment/integrate/cancel', {
      token,
      body: {
        type: TYPE,
        store_id: 'S1',
        is_test: true,
        request: { MerchantTradeNo: tradeNo(), MerchantTradeDate: now() },
      },
    });
    // 2025 from icash: the request was signed and encrypted with keys opened from the database.
    expect(res.body.RtnCode).toBe(2025);
  }

  const dbRows = () => {
    const db = new SQLite(join(dataDir, 'omnigate.sqlite'), { readonly: true });
    try {
      return {
        keySets: (
          db.prepare('select key_version, sealed_fields from credentials').all() as {
            key_version: number;
            sealed_fields: string;
          }[]
        ).map((r) => ({
          key_version: r.key_version,
          ...(JSON.parse(r.sealed_fields) as {
            aes_key: string;
            aes_iv: string;
            client_private_key: string;
          }),
        })),
        settings: db.prepare('select key_version, value from settings').all() as {
          key_version: number;
          value: string;
        }[],
      };
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    sandbox = await startSandbox();
    const merchant = await newMerchant(sandbox);
    aesKey = merchant.AESKey;
    const g = await start(oldKey);
    const p = g.services.provisioning;
    const companyId = await p.createCompany('rotation');
    const client = await p.createClient(companyId, null);
    clientId = client.clientId;
    clientSecret = client.clientSecret.reveal();
    await p.setCredential(icashKeySet(sandboxMerchantKeySet(companyId, merchant)));
    await p.setStore(
      icashStore({
        companyId,
        storeId: 'S1',
        env: 'test',
        platformId: merchant.PlatformID,
        merchantId: merchant.MerchantID,
      }),
    );
    await cancelWorks(g);
    await g.close();
  });

  afterAll(async () => {
    await sandbox.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('parses a single key as v1 and a list with the first entry sealing', () => {
    expect(parseMasterKeys(oldKey).currentVersion).toBe(1);
    const box = parseMasterKeys(`v2:${newKey},v1:${oldKey}`);
    expect(box.currentVersion).toBe(2);
    const sealed = parseMasterKeys(oldKey).seal('secret', 'ctx');
    expect(box.open(sealed, 'ctx').reveal()).toBe('secret');
    expect(() => parseMasterKeys(`v2:${newKey}`).open(sealed, 'ctx')).toThrow(MasterKeyError);
    expect(() => box.open(sealed, 'other context')).toThrow(MasterKeyError);
  });

  it('re-seals every value while a gateway holding both keys keeps serving, then runs on the new key alone', async () => {
    expect(dbRows().keySets.every((r) => r.key_version === 1 && r.aes_key.startsWith('v1.'))).toBe(
      true,
    );

    // Step 1 of the runbook: the gateway runs with the new key first and the old one for reading.
    const both = `v2:${newKey},v1:${oldKey}`;
    const serving = await start(both);
    try {
      await cancelWorks(serving);
      // Step 2: rotate with the CLI, while the gateway serves.
      const { stdout } = await run(process.execPath, [BIN, '--json', 'master-key', 'rotate'], {
        env: { ...process.env, ...env(both) },
      });
      expect(JSON.parse(stdout)).toEqual({
        key_version: 2,
        key_sets_resealed: 1,
        settings_resealed: 1,
        webhook_secrets_resealed: 0,
      });
      await cancelWorks(serving);
    } finally {
      await serving.close();
    }

    const rows = dbRows();
    expect(rows.keySets.every((r) => r.key_version === 2)).toBe(true);
    for (const r of rows.keySets) {
      for (const v of [r.aes_key, r.aes_iv, r.client_private_key])
        expect(v.startsWith('v2.')).toBe(true);
    }
    expect(rows.settings.every((r) => r.key_version === 2 && r.value.startsWith('v2.'))).toBe(true);

    // A second rotation has nothing left to do.
    const again = await run(process.execPath, [BIN, '--json', 'master-key', 'rotate'], {
      env: { ...process.env, ...env(both) },
    });
    expect(JSON.parse(again.stdout)).toMatchObject({ key_sets_resealed: 0, settings_resealed: 0 });

    // Step 3: the old key is gone from the configuration.
    const newOnly = await start(`v2:${newKey}`);
    try {
      await cancelWorks(newOnly);
    } finally {
      await newOnly.close();
    }
    // The old key alone can open nothing any more: the gateway refuses to start.
    await expect(start(oldKey)).rejects.toThrow(MasterKeyError);

    // And the secret never stood in the files in the clear.
    for (const file of readdirSync(dataDir).filter((f) => f.startsWith('omnigate.sqlite'))) {
      expect(readFileSync(join(dataDir, file)).includes(Buffer.from(aesKey))).toBe(false);
    }
  });

  it('master-key generate prints a fresh 32-byte key', async () => {
    const { stdout } = await run(process.execPath, [BIN, '--json', 'master-key', 'generate']);
    const key = (JSON.parse(stdout) as { master_key: string }).master_key;
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
  });
});
