import { createPublicKey } from 'node:crypto';
import { icashKeySet } from '../../src/providers/icash-pay/provisioning.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TYPE,
  api,
  issueToken,
  newCompany,
  newMerchant,
  registerKeys,
  registerStore,
  searchPath,
  startSandbox,
  tradeNo,
  type SandboxHandle,
  type SandboxMerchant,
  type TestCompany,
  type TestGateway,
} from '../gateway/helpers.js';
import {
  type Needle,
  TEST_BACKEND,
  databaseFiles,
  found,
  generatedKeys,
  keyNeedles,
  merchantKeys,
  newDatabase,
  secretNeedle,
  startGatewayOn,
} from './helpers.js';

/**
 * Secrets at rest: after key sets, clients and tokens are provisioned (and the
 * keys used for real calls), not one secret, in any of its usual encodings, is
 * in the bytes of the SQLite database, its WAL or its shared memory file.
 */
describe('secrets at rest', { timeout: 60_000 }, () => {
  let sandbox: SandboxHandle;
  let t: TestGateway;
  let db: Awaited<ReturnType<typeof newDatabase>>;
  let a: TestCompany;
  let b: TestCompany;
  const merchants: SandboxMerchant[] = [];
  const needles: Needle[] = [];
  /** Non-secret values that are stored in clear: the scan must find them. */
  const visible: Needle[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox();
    db = await newDatabase('omnigate-sec-rest-');
    t = await startGatewayOn(db.dataDir, db.database, {
      OMNIGATE_ICASH_TEST_URL: sandbox.baseUrls.icash,
      OMNIGATE_ICASH_PROD_URL: sandbox.baseUrls.icash,
    });
    a = await newCompany(t, 'company A');
    b = await newCompany(t, 'company B');
    for (let i = 0; i < 3; i += 1) merchants.push(await newMerchant(sandbox));

    // Sandbox merchants' key sets, in both environments and two companies.
    await registerKeys(t, a.companyId, merchants[0]!, 'test');
    await registerKeys(t, a.companyId, merchants[1]!, 'prod');
    await registerKeys(t, b.companyId, merchants[2]!, 'test');
    await registerStore(t, a.companyId, 'S1', merchants[0]!, 'test');
    merchants.forEach((m, i) => needles.push(...keyNeedles(merchantKeys(`merchant ${i}`, m))));

    // Key sets generated here, in every accepted private key format.
    const formats = ['pkcs1-pem', 'pkcs8-pem', 'pkcs8-der-base64'] as const;
    for (const [i, format] of formats.entries()) {
      const keys = generatedKeys(`generated ${format}`, format);
      await t.gateway.services.provisioning.setCredential(
        icashKeySet({
          companyId: i === 1 ? b.companyId : a.companyId,
          platformId: `GEN${i}`,
          env: i === 2 ? 'prod' : 'test',
          encKeyId: String(100 + i),
          aesKey: keys.aesKey,
          aesIv: keys.aesIv,
          clientPrivateKey: keys.clientPrivateKey,
          serverPublicKey: keys.serverPublicKey,
        }),
      );
      needles.push(...keyNeedles(keys));
      visible.push(secretNeedle(`generated PlatformID GEN${i}`, `GEN${i}`));
    }

    // Clients and tokens: several tokens per client, one more client.
    const p = t.gateway.services.provisioning;
    const extra = await p.createClient(a.companyId, 'second');
    const extraSecret = extra.clientSecret.reveal();
    const tokens = [
      a.token,
      b.token,
      await issueToken(t.url, a.clientId, a.clientSecret),
      await issueToken(t.url, extra.clientId, extraSecret),
    ];
    for (const [name, secret] of [
      ['client A secret', a.clientSecret],
      ['client B secret', b.clientSecret],
      ['second client secret', extraSecret],
    ] as const) {
      needles.push(secretNeedle(name, secret));
      // The part after the recognisable prefix, in case only the random part were kept.
      needles.push(secretNeedle(`${name} (random part)`, secret.slice(4)));
    }
    tokens.forEach((token, i) => {
      needles.push(secretNeedle(`access token ${i}`, token));
      needles.push(secretNeedle(`access token ${i} (random part)`, token.slice(4)));
    });

    // The keys are opened and used for real signed calls (the key cache, the ledger).
    const res = await api(
      t.url,
      'GET',
      searchPath({
        type: TYPE,
        store_id: 'S1',
        is_test: 'TRUE',
        request: JSON.stringify({ MerchantTradeNo: tradeNo('REST') }),
      }),
      { token: a.token },
    );
    expect(res.status).toBe(200);
    expect(sandbox.wallets.icash.log.list().at(-1)!.signatureValid).toBe(true);

    for (const m of merchants)
      visible.push(secretNeedle(`PlatformID ${m.PlatformID}`, m.PlatformID));
    visible.push(secretNeedle('client A id', a.clientId));
    // The server public key is not a secret and is stored in clear (PEM): a key-sized line is findable.
    const publicPem = createPublicKey(merchants[0]!.ServerPublicKey)
      .export({ format: 'pem', type: 'spki' })
      .toString();
    visible.push(secretNeedle('server public key PEM line', publicPem.split('\n')[2]!));
  });

  afterAll(async () => {
    await t?.close();
    await db?.remove();
    await sandbox?.close();
  });

  it('looks for a meaningful number of secrets', () => {
    // 6 key sets × (4 AES forms + 2 × (~26 PEM lines + DER base64 + DER bytes)) + clients + tokens
    expect(needles.length).toBeGreaterThan(6 * 50);
    expect(new Set(needles.map((n) => n.name)).size).toBe(needles.length);
  });

  /** The database's bytes: every SQLite file (database, WAL, shared memory) or a pg_dump. */
  function scan(): void {
    const all = t.databaseBytes();
    expect(found(all, visible)).toEqual(visible.map((n) => n.name));
    expect(found(all, needles)).toEqual([]);
    if (TEST_BACKEND === 'sqlite') {
      const files = databaseFiles(t.dataDir);
      expect(files.map((f) => f.name)).toContain('omnigate.sqlite');
      for (const file of files) expect(found(file.bytes, needles), file.name).toEqual([]);
    }
  }

  it(`while the gateway runs: the ${TEST_BACKEND} database holds no secret`, () => {
    scan();
  });

  it('after a clean shutdown (SQLite: the WAL checkpointed into the database): still none', async () => {
    await t.close();
    scan();
  });
});
