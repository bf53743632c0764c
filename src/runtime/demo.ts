import { formatTaiwanTime } from '../core/taiwan-time.js';
import { I_CASH_QRCODE_PAY } from '../providers/icash-pay/provider.js';
import { type KeySetParams, icashKeySet, icashStore } from '../providers/icash-pay/provisioning.js';
import type { ProvisioningService } from '../provisioning/service.js';
import type { Store } from '../store/index.js';
import type { MerchantCredentials } from '../sandbox/index.js';

export const DEMO_COMPANY = 'omnigate demo';
export const DEMO_STORE = '0001';
export const DEMO_BEGIN = '# ---- omnigate demo: copy and paste into a shell ----';
export const DEMO_END = '# ---- end of demo ----';

/** What the sandbox's onboarding hands out. */
type SandboxMerchant = MerchantCredentials;

/** A sandbox merchant's credentials as the key set `keys set` stores for them. */
export const sandboxMerchantKeySet = (
  companyId: string,
  merchant: SandboxMerchant,
  env: KeySetParams['env'] = 'test',
): KeySetParams => ({
  companyId,
  platformId: merchant.PlatformID,
  env,
  encKeyId: merchant.EncKeyID,
  aesKey: merchant.AESKey,
  aesIv: merchant.AESIV,
  clientPrivateKey: merchant.ClientPrivateKey,
  serverPublicKey: merchant.ServerPublicKey,
});

async function sandboxPost<T>(sandboxUrl: string, path: string, body: object): Promise<T> {
  const res = await fetch(`${sandboxUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`sandbox ${path} answered HTTP ${res.status}`);
  return (await res.json()) as T;
}

const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/**
 * On an empty development database: a demo company with an OAuth client, a
 * sandbox merchant and its key set, store 0001 configured for I_CASH_QRCODE_PAY,
 * and a funded barcode. Returns the copy-pasteable walk-through; on a later start
 * only a note (the client secret was shown once and is not kept), or null when
 * the database holds no demo.
 */
export async function provisionDemo(
  store: Store,
  provisioning: ProvisioningService,
  sandboxUrl: string,
  gatewayUrl: string,
): Promise<string | null> {
  if ((await store.companies.countCompanies()) > 0) {
    const demoId = await store.companies.findCompanyByName(DEMO_COMPANY);
    return demoId === undefined
      ? null
      : `# The demo (company ${demoId}, store ${DEMO_STORE}) was provisioned at the first start; its\n` +
          `# client secret is not shown again. A new client: npx omnigate client create --company ${demoId}`;
  }
  const companyId = await provisioning.createCompany(DEMO_COMPANY);
  const client = await provisioning.createClient(companyId, 'demo POS');
  const merchant = await sandboxPost<SandboxMerchant>(sandboxUrl, '/sandbox/merchants', {});
  await provisioning.setCredential(icashKeySet(sandboxMerchantKeySet(companyId, merchant)));
  await provisioning.setStore(
    icashStore({
      companyId,
      storeId: DEMO_STORE,
      env: 'test',
      platformId: merchant.PlatformID,
      merchantId: merchant.MerchantID,
    }),
  );
  const { Barcode, ICPAccount } = await sandboxPost<{ Barcode: string; ICPAccount: string }>(
    sandboxUrl,
    '/sandbox/barcodes',
    { balance: 1000 },
  );
  // A barcode pays once: the second payment shows the customer's next one (same wallet).
  const second = await sandboxPost<{ Barcode: string }>(sandboxUrl, '/sandbox/barcodes', {
    ICPAccount,
  });

  const now = new Date();
  const tradeNo = `DEMO${formatTaiwanTime(now).replace(/\D/g, '')}`;
  const date = formatTaiwanTime(now);
  const auth = `-H "Authorization: Bearer $TOKEN"`;
  const json = `-H 'Content-Type: application/json'`;
  const body = (request: object): string =>
    shellQuote(
      JSON.stringify({ type: I_CASH_QRCODE_PAY, store_id: DEMO_STORE, is_test: true, request }),
    );
  const searchOf = (no: string): string =>
    `curl -s -G ${gatewayUrl}/v1/payment/integrate/search ${auth} ` +
    `--data-urlencode type=${I_CASH_QRCODE_PAY} --data-urlencode store_id=${DEMO_STORE} ` +
    `--data-urlencode is_test=TRUE --data-urlencode ${shellQuote(`request=${JSON.stringify({ MerchantTradeNo: no })}`)}`;
  const search = searchOf(tradeNo);
  const payOf = (no: string, amount: number, barcode: string): string =>
    `curl -s -X POST ${gatewayUrl}/v1/payment/integrate/pay ${auth} ${json} -d ${body({
      MerchantTradeNo: no,
      StoreName: 'Demo Store',
      MerchantTradeDate: date,
      TotalAmount: amount,
      ItemAmt: amount,
      UtilityAmt: 0,
      CommAmt: 0,
      Barcode: barcode,
    })}; echo`;
  const secondNo = `${tradeNo}B`;
  return [
    DEMO_BEGIN,
    `# company ${companyId}, store ${DEMO_STORE}, sandbox merchant ${merchant.MerchantID}.`,
    '# The client secret below is shown only this once.',
    '# 1. an access token',
    `TOKEN=$(curl -s -X POST ${gatewayUrl}/oauth/v1/token -d grant_type=client_credentials ` +
      `-d client_id=${client.clientId} -d client_secret=${client.clientSecret.reveal()} ` +
      `| node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).access_token')`,
    '# 2. pay NT$100 with the demo barcode (funded with NT$1000)',
    payOf(tradeNo, 100, Barcode),
    '# 3. search: TradeStatus "1" (paid)',
    `${search}; echo`,
    '# 4. cancel the payment',
    `curl -s -X POST ${gatewayUrl}/v1/payment/integrate/cancel ${auth} ${json} -d ${body({
      MerchantTradeNo: tradeNo,
      MerchantTradeDate: date,
    })}; echo`,
    '# 5. search again: TradeStatus "4" (cancelled)',
    `${search}; echo`,
    "# 6. a second payment, NT$500, with the customer's next barcode",
    payOf(secondNo, 500, second.Barcode),
    '# 7. refund NT$200 of it (the TransactionID comes from the ledger)',
    `curl -s -X POST ${gatewayUrl}/v1/payment/integrate/refund ${auth} ${json} -d ${body({
      OMerchantTradeNo: secondNo,
      MerchantTradeNo: `${tradeNo}R1`,
      MerchantTradeDate: date,
      RefundTotalAmount: 200,
      RefundItemAmt: 200,
      RefundUtilityAmt: 0,
      RefundCommAmt: 0,
    })}; echo`,
    '# 8. search the second payment: TradeStatus "3" (partly refunded)',
    `${searchOf(secondNo)}; echo`,
    DEMO_END,
  ].join('\n');
}
