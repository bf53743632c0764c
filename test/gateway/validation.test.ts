import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TYPE,
  api,
  newCompany,
  newMerchant,
  now,
  payRequest,
  registerKeys,
  registerStore,
  searchPath,
  startSandbox,
  startTestGateway,
  tradeNo,
  type ApiAnswer,
  type SandboxHandle,
  type SandboxMerchant,
  type TestCompany,
  type TestGateway,
} from './helpers.js';

/**
 * check_params_process and get_pay_config over real sockets: every error text the
 * seed and the contract prescribe, with the proof that nothing reached icash and
 * that the rejected call left its row in the ledger.
 */
describe('integrate validation', () => {
  let sandbox: SandboxHandle;
  let t: TestGateway;
  let company: TestCompany;
  let merchant: SandboxMerchant;
  let prodOnly: SandboxMerchant;

  const CANCEL = '/v1/payment/integrate/cancel';
  const PAY = '/v1/payment/integrate/pay';

  beforeAll(async () => {
    sandbox = await startSandbox();
    t = await startTestGateway({
      OMNIGATE_ICASH_TEST_URL: sandbox.baseUrls.icash,
      OMNIGATE_ICASH_PROD_URL: sandbox.baseUrls.icash,
    });
    company = await newCompany(t);
    merchant = await newMerchant(sandbox);
    await registerKeys(t, company.companyId, merchant, 'test');
    await registerStore(t, company.companyId, 'S1', merchant, 'test');
    prodOnly = await newMerchant(sandbox);
    await registerKeys(t, company.companyId, prodOnly, 'prod');
    await registerStore(t, company.companyId, 'SPROD', prodOnly, 'prod');
  });

  afterAll(async () => {
    await t?.close();
    await sandbox?.close();
  });

  const cancelBody = (
    request: Record<string, unknown> = {},
    extra: Record<string, unknown> = {},
  ) => ({
    type: TYPE,
    store_id: 'S1',
    is_test: true,
    request: { MerchantTradeNo: tradeNo('V'), MerchantTradeDate: now(), ...request },
    ...extra,
  });
  const payBody = (request: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
    type: TYPE,
    store_id: 'S1',
    is_test: true,
    request: { ...payRequest('1234567890123456', tradeNo('P')), ...request },
    ...extra,
  });

  const send = (
    method: 'GET' | 'POST',
    path: string,
    options: Parameters<typeof api>[3] = {},
  ): Promise<ApiAnswer> => api(t.url, method, path, { token: company.token, ...options });

  /** The call is refused with exactly this status/code/message and never reaches icash. */
  async function expectRefused(
    call: () => Promise<ApiAnswer>,
    status: number,
    code: string,
    message: string | RegExp,
    options: { ledger?: boolean } = {},
  ): Promise<ApiAnswer> {
    const before = sandbox.wallets.icash.log.list().length;
    const res = await call();
    expect(res.status).toBe(status);
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.code).toBe(code);
    if (typeof message === 'string') expect(res.body.message).toBe(message);
    else expect(res.body.message).toMatch(message);
    expect(res.body.request_id).toBe(requestId);
    expect(Object.keys(res.body).sort()).toEqual(['code', 'message', 'request_id']);
    expect(sandbox.wallets.icash.log.list().length).toBe(before);
    if (options.ledger !== false) {
      const row = await t.gateway.services.store.ledger.get(company.companyId, requestId!);
      expect(row).toMatchObject({
        requestId,
        companyId: company.companyId,
        clientId: company.clientId,
        state: 'rejected',
        errorCode: code,
        httpStatus: status,
      });
    }
    return res;
  }

  const refuseCancel = (body: unknown, status: number, code: string, message: string | RegExp) =>
    expectRefused(() => send('POST', CANCEL, { body }), status, code, message);
  const refusePay = (body: unknown, status: number, code: string, message: string | RegExp) =>
    expectRefused(() => send('POST', PAY, { body }), status, code, message);
  const refuseSearch = (
    query: Record<string, string>,
    status: number,
    code: string,
    message: string | RegExp,
    options?: { ledger?: boolean },
  ) => expectRefused(() => send('GET', searchPath(query)), status, code, message, options);

  const absent: [string, unknown][] = [
    ['missing', undefined],
    ['null', null],
    ['empty', ''],
    ['blank', '  '],
  ];
  const withField = (body: Record<string, unknown>, field: string, value: unknown) => {
    const copy = Object.fromEntries(Object.entries(body).filter(([key]) => key !== field));
    if (value !== undefined) copy[field] = value;
    return copy;
  };

  describe('required fields: `<field> 不可為空`', () => {
    const envelope = ['type', 'request'].flatMap((field) =>
      absent.map(([how, value]) => ({ field, how, value })),
    );
    it.each(envelope)('cancel: $field $how', async ({ field, value }) => {
      await refuseCancel(
        withField(cancelBody(), field, value),
        400,
        'missing_field',
        `${field} 不可為空`,
      );
    });
    it.each(envelope)('pay: $field $how', async ({ field, value }) => {
      await refusePay(
        withField(payBody(), field, value),
        400,
        'missing_field',
        `${field} 不可為空`,
      );
    });

    const cancelFields = ['MerchantTradeNo', 'MerchantTradeDate'].flatMap((field) =>
      absent.map(([how, value]) => ({ field, how, value })),
    );
    it.each(cancelFields)('cancel: request.$field $how', async ({ field, value }) => {
      const body = cancelBody();
      body.request = withField(body.request, field, value) as typeof body.request;
      await refuseCancel(body, 400, 'missing_field', `${field} 不可為空`);
    });

    const payFields = [
      'MerchantTradeNo',
      'StoreName',
      'MerchantTradeDate',
      'TotalAmount',
      'ItemAmt',
      'UtilityAmt',
      'CommAmt',
      'Barcode',
    ].flatMap((field) => absent.map(([how, value]) => ({ field, how, value })));
    it.each(payFields)('pay: request.$field $how', async ({ field, value }) => {
      const body = payBody();
      body.request = withField(body.request, field, value) as typeof body.request;
      await refusePay(body, 400, 'missing_field', `${field} 不可為空`);
    });

    it('search: request missing, and request.MerchantTradeNo missing', async () => {
      await refuseSearch(
        { type: TYPE, store_id: 'S1', is_test: 'TRUE' },
        400,
        'missing_field',
        'request 不可為空',
      );
      await refuseSearch(
        { type: TYPE, store_id: 'S1', is_test: 'TRUE', request: '{}' },
        400,
        'missing_field',
        'MerchantTradeNo 不可為空',
      );
      await refuseSearch(
        { store_id: 'S1', request: JSON.stringify({ MerchantTradeNo: 'X1' }) },
        400,
        'missing_field',
        'type 不可為空',
      );
    });

    it('with several payment types, an unknown type is reported once type and request are there (the contract, §2 step 3)', async () => {
      // No field is required by every type (icash's and LINE Pay's differ), so
      // nothing but `type` and `request` is checked before the type.
      for (const body of [
        { type: 'FOO', request: {} },
        { type: 'FOO', store_id: 'S1', request: { MerchantTradeNo: 'X1' } },
      ]) {
        await refuseCancel(body, 400, 'unknown_payment_type', '無此付款方式 FOO');
      }
      await refusePay(
        { ...payBody(), type: 'FOO', request: { MerchantTradeNo: 'X1' } },
        400,
        'unknown_payment_type',
        '無此付款方式 FOO',
      );
      await refuseSearch(
        { type: 'FOO', store_id: 'S1', request: '{}' },
        400,
        'unknown_payment_type',
        '無此付款方式 FOO',
      );
      // A known type: its own required fields, in its order.
      await refuseCancel(
        { type: TYPE, store_id: 'S1', request: { MerchantTradeNo: 'X1' } },
        400,
        'missing_field',
        'MerchantTradeDate 不可為空',
      );
    });
  });

  describe('payment type: `無此付款方式 <type>`', () => {
    it.each(['LINE_PAY', 'i_cash_qrcode_pay', 'I_CASH_QRCODE_PAY '])('cancel: %j', async (type) => {
      await refuseCancel(
        { ...cancelBody(), type },
        400,
        'unknown_payment_type',
        `無此付款方式 ${type}`,
      );
    });
    it('pay and search', async () => {
      await refusePay(
        { ...payBody(), type: 'JKO_PAY' },
        400,
        'unknown_payment_type',
        '無此付款方式 JKO_PAY',
      );
      await refuseSearch(
        {
          type: 'JKO_PAY',
          store_id: 'S1',
          request: JSON.stringify({ MerchantTradeNo: 'X1' }),
        },
        400,
        'unknown_payment_type',
        '無此付款方式 JKO_PAY',
      );
    });
    it('a non-string type is not a payment method either', async () => {
      await refuseCancel(
        { ...cancelBody(), type: 7 },
        400,
        'unknown_payment_type',
        '無此付款方式 7',
      );
    });
    // Found by the hostile-input property: String() throws on these objects.
    const unprintable: unknown[] = [
      { toString: '' },
      { toString: {}, valueOf: 1 },
      ['a', { toString: null }],
    ];
    for (const type of unprintable) {
      it(`an object type that String() cannot convert: ${JSON.stringify(type)}`, async () => {
        await refusePay(
          { ...payBody(), type },
          400,
          'unknown_payment_type',
          `無此付款方式 ${JSON.stringify(type)}`,
        );
      });
    }
  });

  describe('formats: `<field> 格式錯誤`', () => {
    it.each(['P Q', 'P"Q', 'PQé', 'P'.repeat(21)])(
      'credential PlatformID %j: letters, digits, - and _, at most 20',
      async (PlatformID) => {
        await refuseCancel(
          cancelBody({ PlatformID, MerchantID: 'M1' }),
          400,
          'invalid_field',
          'PlatformID 格式錯誤',
        );
      },
    );
    it.each([
      '2023-07-10 23:10:10',
      '2023/7/10 23:10:10',
      '2023/07/10T23:10:10',
      '2023/07/10 23:10',
      '2023/02/30 00:00:00',
      '2023/02/29 12:00:00',
      '2023/13/01 00:00:00',
      '2023/07/10 24:00:00',
      '2023/07/10 23:60:00',
      '2023/07/10 23:10:60',
      ' 2023/07/10 23:10:10',
      20230710231010,
      true,
      ['2023/07/10 23:10:10'],
    ])('cancel: MerchantTradeDate %j', async (value) => {
      await refuseCancel(
        cancelBody({ MerchantTradeDate: value }),
        400,
        'invalid_field',
        'MerchantTradeDate 格式錯誤',
      );
    });

    it.each([
      'A'.repeat(51),
      'ABC 123',
      'ABC/123',
      'ABC.123',
      '訂單123',
      "A';DROP",
      'A\n1',
      12345,
      { no: 1 },
    ])('cancel: MerchantTradeNo %j', async (value) => {
      await refuseCancel(
        cancelBody({ MerchantTradeNo: value }),
        400,
        'invalid_field',
        'MerchantTradeNo 格式錯誤',
      );
    });

    it('cancel: a 50-character MerchantTradeNo of letters, digits, - and _ is accepted and sent', async () => {
      const no = `A-_${'9'.repeat(47)}`;
      expect(no).toHaveLength(50);
      const before = sandbox.wallets.icash.log.list().length;
      const res = await send('POST', CANCEL, { body: cancelBody({ MerchantTradeNo: no }) });
      expect(res.status).toBe(200);
      expect(typeof res.body.RtnCode).toBe('number');
      const calls = sandbox.wallets.icash.log.list().slice(before);
      expect(calls).toHaveLength(1);
      expect(calls[0]!.payload!.MerchantTradeNo).toBe(no);
    });

    const amounts = ['TotalAmount', 'ItemAmt', 'UtilityAmt', 'CommAmt', 'NonPointAmt'].flatMap(
      (field) =>
        [-1, 1.5, '100', 1e20, true, [1]].map((value) => ({ field, value: value as unknown })),
    );
    it.each(amounts)('pay: $field = $value', async ({ field, value }) => {
      await refusePay(payBody({ [field]: value }), 400, 'invalid_field', `${field} 格式錯誤`);
    });

    it('pay: StoreName too long, Barcode with bad characters', async () => {
      await refusePay(
        payBody({ StoreName: '門'.repeat(31) }),
        400,
        'invalid_field',
        'StoreName 格式錯誤',
      );
      await refusePay(payBody({ Barcode: '1234 5678' }), 400, 'invalid_field', 'Barcode 格式錯誤');
    });

    it.each([
      { TotalAmount: 100, ItemAmt: 50, UtilityAmt: 0, CommAmt: 0 },
      { TotalAmount: 100, ItemAmt: 100, UtilityAmt: 1, CommAmt: 0 },
      { TotalAmount: 0, ItemAmt: 0, UtilityAmt: 0, CommAmt: 0 },
    ])('pay: TotalAmount must be positive and the sum of the parts %j', async (amountsGiven) => {
      await refusePay(payBody(amountsGiven), 400, 'invalid_field', /^TotalAmount 格式錯誤/);
    });

    it.each(['yes', 'no', '1', 1, 0, '', ' true'])('is_test %j', async (value) => {
      await refuseCancel(
        { ...cancelBody(), is_test: value },
        400,
        'invalid_field',
        'is_test 格式錯誤',
      );
    });

    it('store_id that is not a string', async () => {
      await refuseCancel(
        { ...cancelBody(), store_id: 5 },
        400,
        'invalid_field',
        'store_id 格式錯誤',
      );
    });

    it('request that is not an object', async () => {
      await refuseCancel(
        { ...cancelBody(), request: 'x' },
        400,
        'invalid_field',
        'request 格式錯誤',
      );
      await refuseCancel(
        { ...cancelBody(), request: [] },
        400,
        'invalid_field',
        'request 格式錯誤',
      );
    });
  });

  describe('is_test: booleans and "true"/"false" strings in any case', () => {
    // S1 is configured for test only, SPROD for prod only: the answer shows which one was chosen.
    it.each([true, 'TRUE', 'true', 'True'])('%j selects the test environment', async (value) => {
      const before = sandbox.wallets.icash.log.list().length;
      const res = await send('POST', CANCEL, { body: cancelBody({}, { is_test: value }) });
      expect(res.status).toBe(200);
      expect(res.body.RtnCode).toBe(2025);
      expect(sandbox.wallets.icash.log.list().length).toBe(before + 1);
      await refuseCancel(
        cancelBody({}, { is_test: value, store_id: 'SPROD' }),
        400,
        'store_not_configured',
        '門市 SPROD 未設定 I_CASH_QRCODE_PAY 金流參數',
      );
    });
    it.each([false, 'FALSE', 'false', 'False'])('%j selects production', async (value) => {
      await refuseCancel(
        cancelBody({}, { is_test: value }),
        400,
        'store_not_configured',
        '門市 S1 未設定 I_CASH_QRCODE_PAY 金流參數',
      );
      const before = sandbox.wallets.icash.log.list().length;
      const res = await send('POST', CANCEL, {
        body: cancelBody({}, { is_test: value, store_id: 'SPROD' }),
      });
      expect(res.status).toBe(200);
      expect(res.body.RtnCode).toBe(2025);
      expect(sandbox.wallets.icash.log.list().length).toBe(before + 1);
    });
  });

  describe('unknown fields: `不支援的欄位 <field>`', () => {
    it('at the top level', async () => {
      await refuseCancel(
        { ...cancelBody(), amount: 1 },
        400,
        'unsupported_field',
        '不支援的欄位 amount',
      );
      await refuseCancel(
        { ...cancelBody(), url: 'http://evil' },
        400,
        'unsupported_field',
        '不支援的欄位 url',
      );
    });
    it.each(['StoreID', 'Barcode', 'TotalAmount', 'Extra', 'merchanttradeno'])(
      'cancel: request.%s',
      async (field) => {
        await refuseCancel(
          cancelBody({ [field]: 'X1' }),
          400,
          'unsupported_field',
          `不支援的欄位 ${field}`,
        );
      },
    );
    it('pay: request.Item, and search: an unknown query parameter', async () => {
      await refusePay(payBody({ Item: [] }), 400, 'unsupported_field', '不支援的欄位 Item');
      await refuseSearch(
        {
          type: TYPE,
          store_id: 'S1',
          request: JSON.stringify({ MerchantTradeNo: 'X1' }),
          callback: 'x',
        },
        400,
        'unsupported_field',
        '不支援的欄位 callback',
      );
      await refuseSearch(
        {
          type: TYPE,
          store_id: 'S1',
          request: JSON.stringify({ MerchantTradeNo: 'X1', MerchantTradeDate: now() }),
        },
        400,
        'unsupported_field',
        '不支援的欄位 MerchantTradeDate',
      );
    });
  });

  describe('credentials and get_pay_config', () => {
    it('only PlatformID → MerchantID 不可為空, and vice versa', async () => {
      await refuseCancel(
        cancelBody({ PlatformID: merchant.PlatformID }),
        400,
        'missing_field',
        'MerchantID 不可為空',
      );
      await refuseCancel(
        cancelBody({ MerchantID: merchant.MerchantID }),
        400,
        'missing_field',
        'PlatformID 不可為空',
      );
      await refuseCancel(
        cancelBody({ PlatformID: '  ', MerchantID: merchant.MerchantID }),
        400,
        'missing_field',
        'PlatformID 不可為空',
      );
      await refusePay(
        payBody({ PlatformID: merchant.PlatformID }),
        400,
        'missing_field',
        'MerchantID 不可為空',
      );
    });

    it.each([
      ['missing', undefined],
      ['null', null],
      ['empty', ''],
      ['blank', '  '],
    ])('neither credentials nor store_id (%s) → store_id 不可為空', async (_how, value) => {
      await refuseCancel(
        withField(cancelBody(), 'store_id', value),
        400,
        'missing_field',
        'store_id 不可為空',
      );
      await refusePay(
        withField(payBody(), 'store_id', value),
        400,
        'missing_field',
        'store_id 不可為空',
      );
    });

    it('vendor credentials whose PlatformID has no key set → PlatformID <id> 未設定金鑰', async () => {
      await refuseCancel(
        cancelBody({ PlatformID: '99999999', MerchantID: '88888888' }),
        400,
        'key_set_not_configured',
        'PlatformID 99999999 未設定金鑰',
      );
      // The key set exists for test only: production is another environment.
      await refuseCancel(
        cancelBody(
          { PlatformID: merchant.PlatformID, MerchantID: merchant.MerchantID },
          { is_test: false },
        ),
        400,
        'key_set_not_configured',
        `PlatformID ${merchant.PlatformID} 未設定金鑰`,
      );
    });

    it('unknown store → 404 門市 <id> 不存在', async () => {
      await refuseCancel(
        cancelBody({}, { store_id: 'NOPE' }),
        404,
        'store_not_found',
        '門市 NOPE 不存在',
      );
      await refusePay(
        payBody({}, { store_id: 'NOPE' }),
        404,
        'store_not_found',
        '門市 NOPE 不存在',
      );
      await refuseSearch(
        {
          type: TYPE,
          store_id: 'NOPE',
          is_test: 'true',
          request: JSON.stringify({ MerchantTradeNo: 'X1' }),
        },
        404,
        'store_not_found',
        '門市 NOPE 不存在',
      );
    });

    it('a store without a configuration for the environment → 未設定 I_CASH_QRCODE_PAY 金流參數', async () => {
      await refuseCancel(
        cancelBody({}, { store_id: 'SPROD', is_test: true }),
        400,
        'store_not_configured',
        '門市 SPROD 未設定 I_CASH_QRCODE_PAY 金流參數',
      );
      await refusePay(
        payBody({}, { store_id: 'SPROD', is_test: true }),
        400,
        'store_not_configured',
        '門市 SPROD 未設定 I_CASH_QRCODE_PAY 金流參數',
      );
    });
  });

  describe('body shape, size and content type', () => {
    const raw = (rawBody: string, contentType = 'application/json') =>
      send('POST', CANCEL, { rawBody, contentType });

    it.each(['{bad', '{"type":', "{'type':'x'}", 'null x'])(
      'non-JSON %j → 請求格式錯誤',
      async (text) => {
        await expectRefused(() => raw(text), 400, 'malformed_body', '請求格式錯誤', {
          ledger: false,
        });
      },
    );

    it.each(['[]', '[{"type":"I_CASH_QRCODE_PAY"}]', '"I_CASH_QRCODE_PAY"', '42', 'null', 'true'])(
      'JSON that is not an object %s → 400 請求格式錯誤',
      async (text) => {
        await expectRefused(() => raw(text), 400, 'malformed_body', '請求格式錯誤');
      },
    );

    it('no body at all → 400', async () => {
      const before = sandbox.wallets.icash.log.list().length;
      const res = await send('POST', CANCEL);
      expect(res.status).toBe(400);
      expect(res.body.message).toBe('請求格式錯誤');
      expect(sandbox.wallets.icash.log.list().length).toBe(before);
    });

    it('a body over 64 KiB → 413', async () => {
      const body = cancelBody({}, { pad: 'x'.repeat(65 * 1024) });
      await expectRefused(() => send('POST', CANCEL, { body }), 413, 'body_too_large', /64 KiB/, {
        ledger: false,
      });
    });

    it.each([
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/xml',
      'multipart/form-data; boundary=x',
    ])('content type %s → 415', async (contentType) => {
      await expectRefused(
        () => raw(JSON.stringify(cancelBody()), contentType),
        415,
        'unsupported_media_type',
        /application\/json/,
        { ledger: false },
      );
    });

    it('a __proto__ or constructor.prototype key is a 4xx JSON answer, not a 500', async () => {
      const bodies = [
        `{"type":"${TYPE}","store_id":"S1","__proto__":{"is_test":true},"request":{"MerchantTradeNo":"A1","MerchantTradeDate":"${now()}"}}`,
        `{"type":"${TYPE}","store_id":"S1","request":{"__proto__":{"x":1},"MerchantTradeNo":"A1","MerchantTradeDate":"${now()}"}}`,
        `{"type":"${TYPE}","store_id":"S1","constructor":{"prototype":{"x":1}},"request":{"MerchantTradeNo":"A1","MerchantTradeDate":"${now()}"}}`,
      ];
      for (const text of bodies) {
        const before = sandbox.wallets.icash.log.list().length;
        const res = await raw(text);
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(typeof res.body.message).toBe('string');
        expect(res.body.request_id).toBe(res.headers.get('x-request-id'));
        expect(sandbox.wallets.icash.log.list().length).toBe(before);
      }
      expect(({} as Record<string, unknown>).x).toBeUndefined();
      expect(({} as Record<string, unknown>).is_test).toBeUndefined();
    });

    it('no odd input produces a 500 or a stack trace', async () => {
      const odd: unknown[] = [
        {},
        { type: {} },
        { type: TYPE, request: {} },
        { type: TYPE, request: { MerchantTradeNo: {}, MerchantTradeDate: [] } },
        { type: TYPE, request: { MerchantTradeNo: 'A', MerchantTradeDate: now() }, store_id: {} },
        {
          type: TYPE,
          request: { MerchantTradeNo: 'A', MerchantTradeDate: now() },
          store_id: 'x'.repeat(51),
        },
        {
          type: TYPE,
          request: {
            PlatformID: {},
            MerchantID: [],
            MerchantTradeNo: 'A',
            MerchantTradeDate: now(),
          },
        },
        {
          type: TYPE,
          request: {
            PlatformID: 'P'.repeat(21),
            MerchantID: 'M',
            MerchantTradeNo: 'A',
            MerchantTradeDate: now(),
          },
        },
        {
          type: TYPE,
          request: {
            PlatformID: 'P Q"&é',
            MerchantID: 'M',
            MerchantTradeNo: 'A',
            MerchantTradeDate: now(),
          },
        },
        {
          type: TYPE,
          request: {
            PlatformID: 'P\u0000',
            MerchantID: 'M',
            MerchantTradeNo: 'A',
            MerchantTradeDate: now(),
          },
        },
        { type: 'x'.repeat(10_000), request: {} },
      ];
      const before = sandbox.wallets.icash.log.list().length;
      for (const body of odd) {
        for (const path of [CANCEL, PAY]) {
          const res = await send('POST', path, { body });
          expect(res.status, JSON.stringify(body).slice(0, 200)).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          expect(JSON.stringify(res.body)).not.toMatch(/\bat .*\.(ts|js):\d+/);
          expect(String(res.body.message).length).toBeLessThan(200);
        }
      }
      expect(sandbox.wallets.icash.log.list().length).toBe(before);
    });
  });

  describe('search query string', () => {
    it.each(['{bad', 'MerchantTradeNo=1', '[]', '"X1"', '42'])(
      'request %j that is not a JSON object → request 格式錯誤',
      async (request) => {
        await refuseSearch(
          { type: TYPE, store_id: 'S1', is_test: 'TRUE', request },
          400,
          'invalid_field',
          'request 格式錯誤',
        );
      },
    );

    it('a request that is not JSON is refused in check_params_process order', async () => {
      await refuseSearch(
        { store_id: 'S1', request: '{bad' },
        400,
        'missing_field',
        'type 不可為空',
      );
      await refuseSearch(
        { type: 'FOO', store_id: 'S1', request: '{bad' },
        400,
        'unknown_payment_type',
        '無此付款方式 FOO',
      );
    });

    it('a repeated query parameter → 400', async () => {
      const request = encodeURIComponent(JSON.stringify({ MerchantTradeNo: 'X1' }));
      for (const query of [
        `type=${TYPE}&type=${TYPE}&store_id=S1&request=${request}`,
        `type=${TYPE}&store_id=S1&store_id=S2&request=${request}`,
        `type=${TYPE}&store_id=S1&request=${request}&request=${request}`,
      ]) {
        const before = sandbox.wallets.icash.log.list().length;
        const res = await send('GET', `/v1/payment/integrate/search?${query}`);
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('invalid_field');
        expect(res.body.message).toMatch(/^(type|store_id|request) 格式錯誤$/);
        expect(sandbox.wallets.icash.log.list().length).toBe(before);
      }
    });

    it('is_test "yes" → is_test 格式錯誤', async () => {
      await refuseSearch(
        {
          type: TYPE,
          store_id: 'S1',
          is_test: 'yes',
          request: JSON.stringify({ MerchantTradeNo: 'X1' }),
        },
        400,
        'invalid_field',
        'is_test 格式錯誤',
      );
    });

    it('a valid search reaches icash with exactly the declared fields', async () => {
      const before = sandbox.wallets.icash.log.list().length;
      const res = await send(
        'GET',
        searchPath({
          type: TYPE,
          store_id: 'S1',
          is_test: 'TRUE',
          request: JSON.stringify({ MerchantTradeNo: 'X1' }),
        }),
      );
      expect(res.status).toBe(200);
      const calls = sandbox.wallets.icash.log.list().slice(before);
      expect(calls).toHaveLength(1);
      expect(Object.keys(calls[0]!.payload!).sort()).toEqual(
        ['MerchantID', 'MerchantTradeNo', 'PlatformID'].sort(),
      );
    });
  });

  describe('refund: every field of RefundICPO', () => {
    const REFUND = '/v1/payment/integrate/refund';
    const refundBody = (
      request: Record<string, unknown> = {},
      extra: Record<string, unknown> = {},
    ) => ({
      type: TYPE,
      store_id: 'S1',
      is_test: true,
      request: {
        OMerchantTradeNo: tradeNo('O'),
        MerchantTradeNo: tradeNo('R'),
        MerchantTradeDate: now(),
        RefundTotalAmount: 60,
        RefundItemAmt: 30,
        RefundUtilityAmt: 20,
        RefundCommAmt: 10,
        ...request,
      },
      ...extra,
    });
    const refuseRefund = (body: unknown, status: number, code: string, message: string | RegExp) =>
      expectRefused(() => send('POST', REFUND, { body }), status, code, message);

    it.each(
      ['type', 'request'].flatMap((field) => absent.map(([how, value]) => ({ field, how, value }))),
    )('$field $how', async ({ field, value }) => {
      await refuseRefund(
        withField(refundBody(), field, value),
        400,
        'missing_field',
        `${field} 不可為空`,
      );
    });

    const required = [
      'OMerchantTradeNo',
      'MerchantTradeNo',
      'MerchantTradeDate',
      'RefundTotalAmount',
      'RefundItemAmt',
      'RefundUtilityAmt',
      'RefundCommAmt',
    ].flatMap((field) => absent.map(([how, value]) => ({ field, how, value })));
    it.each(required)('request.$field $how', async ({ field, value }) => {
      const body = refundBody();
      body.request = withField(body.request, field, value) as typeof body.request;
      await refuseRefund(body, 400, 'missing_field', `${field} 不可為空`);
    });

    it('an unknown type is reported before the fields it would require', async () => {
      const body = refundBody({}, { type: 'NO_SUCH_TYPE' });
      body.request = withField(body.request, 'OMerchantTradeNo', undefined) as typeof body.request;
      await refuseRefund(body, 400, 'unknown_payment_type', '無此付款方式 NO_SUCH_TYPE');
      await refuseRefund(
        refundBody({}, { type: 'NO_SUCH_TYPE' }),
        400,
        'unknown_payment_type',
        '無此付款方式 NO_SUCH_TYPE',
      );
    });

    const formats: { field: string; value: unknown }[] = [
      ...['OMerchantTradeNo', 'MerchantTradeNo'].flatMap((field) =>
        ['P Q', 'PQé', 'P'.repeat(51), 42].map((value) => ({ field, value: value as unknown })),
      ),
      ...['2026/13/01 10:00:00', '2026-12-01 10:00:00', '2026/02/30 10:00:00', 20261201].map(
        (value) => ({ field: 'MerchantTradeDate', value: value as unknown }),
      ),
      ...['RefundTotalAmount', 'RefundItemAmt', 'RefundUtilityAmt', 'RefundCommAmt'].flatMap(
        (field) =>
          [-1, 1.5, '60', 1e20, true, [1]].map((value) => ({ field, value: value as unknown })),
      ),
      ...['1234 5678', 'X'.repeat(51), 2 ** 64].map((value) => ({
        field: 'TransactionID',
        value: value as unknown,
      })),
      ...['店'.repeat(31), 'a\u0001b', 7].map((value) => ({
        field: 'StoreName',
        value: value as unknown,
      })),
    ];
    it.each(formats)('request.$field = $value', async ({ field, value }) => {
      await refuseRefund(refundBody({ [field]: value }), 400, 'invalid_field', `${field} 格式錯誤`);
    });

    it.each([
      { parts: [60, 30, 20, 9], why: 'parts that do not add up' },
      { parts: [0, 0, 0, 0], why: 'a zero refund' },
    ])('$why → RefundTotalAmount 格式錯誤', async ({ parts }) => {
      const [total, item, utility, comm] = parts;
      await refuseRefund(
        refundBody({
          RefundTotalAmount: total,
          RefundItemAmt: item,
          RefundUtilityAmt: utility,
          RefundCommAmt: comm,
        }),
        400,
        'invalid_field',
        /^RefundTotalAmount 格式錯誤/,
      );
    });

    it.each(['TotalAmount', 'Barcode', 'refundAmount', 'omerchanttradeno'])(
      'unknown field request.%s → 不支援的欄位',
      async (field) => {
        await refuseRefund(
          refundBody({ [field]: 1 }),
          400,
          'unsupported_field',
          `不支援的欄位 ${field}`,
        );
      },
    );

    it('credentials: only one of PlatformID and MerchantID, and neither nor store_id', async () => {
      await refuseRefund(
        refundBody({ PlatformID: merchant.PlatformID }, { store_id: undefined }),
        400,
        'missing_field',
        'MerchantID 不可為空',
      );
      await refuseRefund(
        refundBody({ MerchantID: merchant.MerchantID }),
        400,
        'missing_field',
        'PlatformID 不可為空',
      );
      await refuseRefund(
        withField(refundBody(), 'store_id', undefined),
        400,
        'missing_field',
        'store_id 不可為空',
      );
    });

    it('get_pay_config: unknown store, and a PlatformID without keys', async () => {
      await refuseRefund(
        refundBody({}, { store_id: 'NOPE' }),
        404,
        'store_not_found',
        '門市 NOPE 不存在',
      );
      await refuseRefund(
        refundBody({ PlatformID: '99999999', MerchantID: '99999999' }),
        400,
        'key_set_not_configured',
        'PlatformID 99999999 未設定金鑰',
      );
    });
  });
});
