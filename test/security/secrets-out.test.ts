import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TYPE,
  newCompany,
  newMerchant,
  now,
  payRequest,
  registerKeys,
  registerStore,
  sandboxPost,
  searchPath,
  startSandbox,
  startTestGateway,
  tradeNo,
  type SandboxHandle,
  type SandboxMerchant,
  type TestCompany,
  type TestGateway,
} from '../gateway/helpers.js';
import { storeSetArgs } from '../support/cli-args.js';
import {
  type CliRun,
  type Needle,
  type RawAnswer,
  TEST_BACKEND,
  cliEnv,
  found,
  keyNeedles,
  merchantKeys,
  randomText,
  removeDir,
  runCli,
  secretNeedle,
  send,
  tempDir,
} from './helpers.js';

interface Wallet {
  Barcode: string;
  ICPAccount: string;
}

/**
 * Secrets in transit out: the whole demo flow and its error cases, with trace
 * logging. No API answer (body or header) and no log line carries a client
 * secret, an access token, key material or an unmasked ICPAccount.
 */
describe('secrets never leave the gateway', { timeout: 90_000 }, () => {
  let sandbox: SandboxHandle;
  let t: TestGateway;
  let company: TestCompany;
  let merchant: SandboxMerchant;
  const answers: { what: string; answer: RawAnswer }[] = [];
  const wallets: Wallet[] = [];
  const tokens: string[] = [];
  const wrongSecret = `ogs_${randomText(43)}`;

  const call = async (
    what: string,
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string> = {},
    body?: string,
  ): Promise<RawAnswer> => {
    const answer = await send(t.url, method, path, headers, body);
    answers.push({ what, answer });
    return answer;
  };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const jsonHeaders = (token: string, extra: Record<string, string> = {}) => ({
    ...bearer(token),
    'content-type': 'application/json',
    ...extra,
  });
  const form = (params: Record<string, string>) => new URLSearchParams(params).toString();
  const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
  const basic = (id: string, secret: string) =>
    `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

  const pay = (token: string, body: object, extra: Record<string, string> = {}) =>
    call(
      'pay',
      'POST',
      '/v1/payment/integrate/pay',
      jsonHeaders(token, extra),
      JSON.stringify(body),
    );
  const cancel = (token: string, no: string) =>
    call(
      'cancel',
      'POST',
      '/v1/payment/integrate/cancel',
      jsonHeaders(token),
      JSON.stringify({
        type: TYPE,
        store_id: 'S1',
        request: { MerchantTradeNo: no, MerchantTradeDate: now() },
      }),
    );
  const search = (token: string, no: string) =>
    call(
      'search',
      'GET',
      searchPath({ type: TYPE, store_id: 'S1', request: JSON.stringify({ MerchantTradeNo: no }) }),
      bearer(token),
    );

  const newWallet = async (): Promise<Wallet> => {
    const w = await sandboxPost<Wallet>(sandbox, '/sandbox/barcodes', { balance: 100_000 });
    wallets.push(w);
    return w;
  };
  const fault = (body: object) =>
    sandboxPost(sandbox, '/sandbox/faults', { MerchantID: merchant.MerchantID, ...body });

  const objectOf = (a: RawAnswer): Record<string, unknown> => a.json as Record<string, unknown>;
  const encData = (a: RawAnswer): Record<string, unknown> =>
    objectOf(a).EncData as Record<string, unknown>;

  /** Every secret this gateway knows about, and every personal identifier it was given. */
  function needles(): Needle[] {
    return [
      ...keyNeedles(merchantKeys('merchant', merchant)),
      secretNeedle('client secret', company.clientSecret),
      secretNeedle('client secret (random part)', company.clientSecret.slice(4)),
      secretNeedle('attempted wrong secret', wrongSecret),
      ...tokens.map((token, i) => secretNeedle(`access token ${i}`, token)),
      ...tokens.map((token, i) => secretNeedle(`access token ${i} (random part)`, token.slice(4))),
      ...wallets.map((w, i) => secretNeedle(`ICPAccount ${i}`, w.ICPAccount)),
    ];
  }

  beforeAll(async () => {
    sandbox = await startSandbox();
    t = await startTestGateway({
      OMNIGATE_ICASH_TEST_URL: sandbox.baseUrls.icash,
      OMNIGATE_LOG_LEVEL: 'trace',
      OMNIGATE_UPSTREAM_TIMEOUT_MS: '500',
      OMNIGATE_RECONCILE_SCHEDULE: '100ms',
      OMNIGATE_RECONCILE_INTERVAL_MS: '50',
    });
    company = await newCompany(t);
    tokens.push(company.token);
    merchant = await newMerchant(sandbox);
    await registerKeys(t, company.companyId, merchant);
    await registerStore(t, company.companyId, 'S1', merchant);
  });

  afterAll(async () => {
    await t?.close();
    await sandbox?.close();
  });

  it('runs the flow: tokens, pay, search, cancel, search, transactions', async () => {
    // Tokens three ways.
    for (const [body, headers] of [
      [
        form({
          grant_type: 'client_credentials',
          client_id: company.clientId,
          client_secret: company.clientSecret,
        }),
        FORM,
      ],
      [
        JSON.stringify({
          grant_type: 'client_credentials',
          client_id: company.clientId,
          client_secret: company.clientSecret,
        }),
        { 'content-type': 'application/json' },
      ],
      [
        form({ grant_type: 'client_credentials' }),
        { ...FORM, authorization: basic(company.clientId, company.clientSecret) },
      ],
    ] as const) {
      const res = await call('token', 'POST', '/oauth/v1/token', headers, body);
      expect(res.status).toBe(200);
      tokens.push(objectOf(res).access_token as string);
    }
    const token = tokens[1]!;

    // pay (store scenario) → search → cancel → search.
    const wallet = await newWallet();
    const no = tradeNo('OUT');
    const paid = await pay(token, {
      type: TYPE,
      store_id: 'S1',
      request: payRequest(wallet.Barcode, no),
    });
    expect(objectOf(paid).RtnCode).toBe(1);
    const payId = paid.headers['x-request-id']!;
    const found1 = await search(token, no);
    expect(encData(found1).TradeStatus).toBe('1');
    expect(objectOf(await cancel(token, no)).RtnCode).toBe(1);
    expect(encData(await search(token, no)).TradeStatus).toBe('4');

    // The vendor scenario, with an Idempotency-Key, and its replay.
    const wallet2 = await newWallet();
    const vendor = {
      type: TYPE,
      request: {
        PlatformID: merchant.PlatformID,
        MerchantID: merchant.MerchantID,
        ...payRequest(wallet2.Barcode, tradeNo('OUTV')),
      },
    };
    const first = await pay(token, vendor, { 'idempotency-key': 'secrets-out-1' });
    const replay = await pay(token, vendor, { 'idempotency-key': 'secrets-out-1' });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.text).toBe(first.text);

    // Refunds: store scenario (TransactionID from the ledger), then the vendor
    // scenario with an Idempotency-Key and its replay, then one that asks icash first.
    const refund = (body: object, extra: Record<string, string> = {}) =>
      call(
        'refund',
        'POST',
        '/v1/payment/integrate/refund',
        jsonHeaders(token, extra),
        JSON.stringify(body),
      );
    const wallet3 = await newWallet();
    const refundable = tradeNo('OUTR');
    expect(
      objectOf(
        await pay(token, {
          type: TYPE,
          store_id: 'S1',
          request: payRequest(wallet3.Barcode, refundable, 500),
        }),
      ).RtnCode,
    ).toBe(1);
    const refundRequest = (amount: number) => ({
      OMerchantTradeNo: refundable,
      MerchantTradeNo: tradeNo('OUTRF'),
      MerchantTradeDate: now(),
      RefundTotalAmount: amount,
      RefundItemAmt: amount,
      RefundUtilityAmt: 0,
      RefundCommAmt: 0,
    });
    expect(
      objectOf(await refund({ type: TYPE, store_id: 'S1', request: refundRequest(100) })).RtnCode,
    ).toBe(1);
    const vendorRefund = {
      type: TYPE,
      request: {
        PlatformID: merchant.PlatformID,
        MerchantID: merchant.MerchantID,
        ...refundRequest(50),
      },
    };
    const r1 = await refund(vendorRefund, { 'idempotency-key': 'secrets-out-refund' });
    const r2 = await refund(vendorRefund, { 'idempotency-key': 'secrets-out-refund' });
    expect(objectOf(r1).RtnCode).toBe(1);
    expect(r2.text).toBe(r1.text);
    expect(
      objectOf(
        await refund({
          type: TYPE,
          store_id: 'S1',
          request: { ...refundRequest(10), OMerchantTradeNo: tradeNo('NOSUCH') },
        }),
      ).RtnCode,
    ).toBe(2025);

    // The transaction endpoints.
    expect(
      (await call('tx', 'GET', `/v1/payment/transactions/${payId}`, bearer(token))).status,
    ).toBe(200);
    const list = await call(
      'tx list',
      'GET',
      `/v1/payment/transactions?MerchantTradeNo=${no}`,
      bearer(token),
    );
    expect((objectOf(list).transactions as unknown[]).length).toBe(4);
  });

  it('answers carry ICPAccount masked, never as icash sent it', () => {
    const withAccount = answers.filter(
      (a) => a.answer.status === 200 && typeof objectOf(a.answer).EncData === 'object',
    );
    const accounts = withAccount
      .map((a) => encData(a.answer)?.ICPAccount)
      .filter((v): v is string => typeof v === 'string' && v !== '');
    // pay, search (twice), replayed pay and the first vendor pay at least.
    expect(accounts.length).toBeGreaterThanOrEqual(4);
    for (const account of accounts) {
      expect(account).toContain('*');
      expect(wallets.map((w) => w.ICPAccount)).not.toContain(account);
    }
    // The mask keeps the ends: the answer still says which wallet it was.
    const real = wallets[0]!.ICPAccount;
    expect(accounts[0]).toBe(real.slice(0, 4) + '*'.repeat(real.length - 8) + real.slice(-4));
  });

  it('runs the error cases: bad tokens, bad secrets, validation, upstream faults', async () => {
    const token = tokens[0]!;
    // Bad and revoked bearer tokens.
    await call('no token', 'GET', '/v1/payment/transactions/x');
    await call('junk token', 'GET', '/v1/payment/transactions/x', bearer(`ogt_${randomText(43)}`));
    await call(
      'a secret as token',
      'GET',
      '/v1/payment/transactions/x',
      bearer(company.clientSecret),
    );
    const revoked = tokens[3]!;
    const revoke = await call(
      'revoke',
      'POST',
      '/oauth/v1/revoke',
      FORM,
      form({ token: revoked, client_id: company.clientId, client_secret: company.clientSecret }),
    );
    expect(revoke.status).toBe(200);
    expect(
      (await call('revoked token', 'GET', '/v1/payment/transactions/x', bearer(revoked))).status,
    ).toBe(401);
    // Wrong secrets, in the body and in Basic; a secret sent as client id.
    for (const [headers, body] of [
      [
        FORM,
        form({
          grant_type: 'client_credentials',
          client_id: company.clientId,
          client_secret: wrongSecret,
        }),
      ],
      [
        { ...FORM, authorization: basic(company.clientId, wrongSecret) },
        form({ grant_type: 'client_credentials' }),
      ],
      [
        FORM,
        form({
          grant_type: 'client_credentials',
          client_id: company.clientSecret,
          client_secret: company.clientSecret,
        }),
      ],
      [
        FORM,
        form({
          grant_type: 'password',
          client_id: company.clientId,
          client_secret: company.clientSecret,
        }),
      ],
    ] as const) {
      const res = await call('bad secret', 'POST', '/oauth/v1/token', headers, body);
      expect(res.status).toBeGreaterThanOrEqual(400);
    }
    // Validation errors, with secrets placed in the body where an echo would show them.
    const wallet = await newWallet();
    for (const body of [
      '{"type":',
      JSON.stringify({ type: TYPE }),
      JSON.stringify({ type: 'LINE_PAY', store_id: 'S1', request: {} }),
      JSON.stringify({
        type: TYPE,
        store_id: 'S1',
        request: { ...payRequest(wallet.Barcode, tradeNo('V')), AESKey: merchant.AESKey },
      }),
      JSON.stringify({
        type: TYPE,
        store_id: 'S1',
        request: {
          ...payRequest(wallet.Barcode, tradeNo('V')),
          StoreName: merchant.AESIV.repeat(3),
        },
      }),
      JSON.stringify({
        type: TYPE,
        store_id: 'S1',
        request: { ...payRequest(wallet.Barcode, tradeNo('V')), MerchantTradeNo: `${token}!` },
      }),
      JSON.stringify({
        type: TYPE,
        store_id: 'S1',
        ClientPrivateKey: merchant.ClientPrivateKey,
        request: payRequest(wallet.Barcode, tradeNo('V')),
      }),
    ]) {
      const res = await call(
        'validation',
        'POST',
        '/v1/payment/integrate/pay',
        jsonHeaders(token),
        body,
      );
      expect(res.status).toBe(400);
    }
    await call(
      'validation search',
      'GET',
      searchPath({
        type: TYPE,
        store_id: 'S1',
        request: JSON.stringify({ MerchantTradeNo: wallet.ICPAccount + '!' }),
      }),
      bearer(token),
    );

    // Upstream faults: each answer and log line is scanned like the rest.
    const cases = [
      { fault: 'http500', status: 502 },
      { fault: 'bad_signature', status: 502 },
      { fault: 'non_json', status: 502 },
      { fault: 'drop', status: 504 },
      { fault: 'delay', delayMs: 2000, status: 504 },
    ];
    for (const c of cases) {
      const w = await newWallet();
      await fault({
        fault: c.fault,
        operation: 'DeductICPOF',
        ...(c.delayMs ? { delayMs: c.delayMs } : {}),
      });
      const no = tradeNo('FLT');
      const res = await pay(token, {
        type: TYPE,
        store_id: 'S1',
        request: payRequest(w.Barcode, no),
      });
      expect(res.status, c.fault).toBe(c.status);
      await search(token, no);
    }
    // A declined pay (an unknown barcode) and a business failure on cancel.
    await pay(token, {
      type: TYPE,
      store_id: 'S1',
      request: payRequest('99999999999999999', tradeNo('D')),
    });
    await cancel(token, tradeNo('NOPE'));
    // Let the reconciler look at the unknown calls (its log lines are scanned too).
    await new Promise((r) => setTimeout(r, 1500));
  });

  it('no answer body or header carries a secret or an unmasked ICPAccount', () => {
    expect(answers.length).toBeGreaterThan(25);
    for (const { what, answer } of answers) {
      // The token endpoint's one job is to hand out the token it just issued.
      const issued = what === 'token' ? (objectOf(answer).access_token as string) : undefined;
      const all = needles().filter(
        (n) => issued === undefined || !issued.includes(n.bytes.toString('utf8')),
      );
      const headers = Object.entries(answer.headers)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\n');
      expect(found(headers, all), `${what} headers`).toEqual([]);
      expect(found(answer.text, all), `${what}: ${answer.text.slice(0, 200)}`).toEqual([]);
    }
  });

  it('no log line carries one (trace level, every line captured)', () => {
    // trace logging really ran: request lines and upstream call lines are there.
    expect(t.logs.length).toBeGreaterThan(answers.length);
    const all = needles();
    const leaks = t.logs
      .map((line) => ({ line, hits: found(line, all) }))
      .filter((l) => l.hits.length > 0);
    expect(leaks).toEqual([]);
  });

  // The CLI's output does not depend on the database: once, on its default SQLite file.
  describe.skipIf(TEST_BACKEND === 'postgres')('CLI output', () => {
    let dir: string;
    let env: NodeJS.ProcessEnv;
    const outputs: { args: string; run: CliRun }[] = [];
    const cli = async (...args: string[]): Promise<CliRun> => {
      const run = await runCli(env, [...args, '--json']);
      outputs.push({ args: args.join(' '), run });
      return run;
    };
    const file = (name: string, content: string): string => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    };

    beforeAll(() => {
      dir = tempDir('omnigate-sec-cli-');
      env = cliEnv(dir, { OMNIGATE_LOG_LEVEL: 'trace' });
    });
    afterAll(() => removeDir(dir));

    it(
      'keys set / store set / client revoke print no key material; client create prints its secret once',
      { timeout: 120_000 },
      async () => {
        const company = await cli('company', 'create', '--name', 'cli');
        expect(company.code, company.stderr).toBe(0);
        const companyId = (JSON.parse(company.stdout) as { company_id: string }).company_id;
        const created = await cli('client', 'create', '--company', companyId);
        expect(created.code, created.stderr).toBe(0);
        const secret = (JSON.parse(created.stdout) as { client_secret: string }).client_secret;
        const clientId = (JSON.parse(created.stdout) as { client_id: string }).client_id;
        expect(created.stdout.split(secret)).toHaveLength(2);
        expect(created.stderr).not.toContain(secret);

        const generated = generateKeyPairSync('rsa', { modulusLength: 2048 });
        const genKeys = {
          label: 'cli generated',
          aesKey: randomText(32),
          aesIv: randomText(16),
          clientPrivateKey: generated.privateKey
            .export({ format: 'pem', type: 'pkcs1' })
            .toString(),
        };
        const keySets = [
          {
            keys: merchantKeys('cli merchant', merchant),
            pid: merchant.PlatformID,
            pub: merchant.ServerPublicKey,
          },
          { keys: genKeys, pid: 'CLIGEN', pub: merchant.ServerPublicKey },
        ];
        // Stored and refused key sets, all at once (refusals must not echo what they refuse).
        const runs: Promise<CliRun>[] = [];
        for (const [i, { keys, pid, pub }] of keySets.entries()) {
          const args = (over: { aes?: string; priv?: string } = {}) => [
            'keys',
            'set',
            '--company',
            companyId,
            '--platform-id',
            pid,
            '--env',
            'test',
            '--enc-key-id',
            '1',
            '--aes-key',
            over.aes ?? keys.aesKey,
            '--aes-iv',
            keys.aesIv,
            '--client-private-key',
            over.priv ?? file(`client-${i}.pem`, keys.clientPrivateKey),
            '--server-public-key',
            file(`server-${i}.pem`, pub),
          ];
          const broken = keys.clientPrivateKey.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!');
          runs.push(
            cli(...args()).then((ok) => {
              expect(ok.code, ok.stderr).toBe(0);
              return ok;
            }),
            // Refusals: a wrong-length AES key, a corrupt private key, a public key in its place.
            ...[
              i === 0
                ? args({ aes: `${keys.aesKey}X` })
                : args({ priv: file(`broken-${i}.pem`, broken) }),
              ...(i === 0 ? [args({ priv: file(`public-${i}.pem`, pub) })] : []),
            ].map((a) =>
              cli(...a).then((refused) => {
                expect(refused.code).not.toBe(0);
                return refused;
              }),
            ),
          );
        }
        const storeRun = cli(
          ...storeSetArgs({
            companyId,
            storeId: 'S1',
            type: TYPE,
            env: 'test',
            platformId: merchant.PlatformID,
            merchantId: merchant.MerchantID,
          }),
        );
        const [store] = await Promise.all([storeRun, ...runs]);
        expect(store!.code, store!.stderr).toBe(0);
        const revoked = await cli('client', 'revoke', '--client', clientId);
        expect(revoked.code, revoked.stderr).toBe(0);

        const keyMaterial = keySets.flatMap((k) => keyNeedles(k.keys));
        for (const { args, run } of outputs) {
          const output = `${run.stdout}\n${run.stderr}`;
          expect(found(output, keyMaterial), args).toEqual([]);
          if (args.startsWith('client create')) continue;
          expect(found(output, [secretNeedle('client secret', secret)]), args).toEqual([]);
        }
      },
    );
  });
});
