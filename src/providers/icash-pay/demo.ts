import type { DemoContext, DemoSection } from '../wallet.js';
import { I_CASH_QRCODE_PAY } from './payment-type.js';
import {
  type SandboxMerchantKeys,
  icashKeySet,
  icashStore,
  sandboxMerchantKeySet,
} from './provisioning.js';

/**
 * icash's demo: a sandbox merchant, its key set, the demo store configured for
 * it, and a funded wallet; then pay, search, cancel, search, a second payment,
 * a partial refund and a search (TradeStatus 3).
 */
export async function icashDemo(c: DemoContext): Promise<DemoSection> {
  const merchant = await c.sandboxPost<SandboxMerchantKeys>('/sandbox/merchants', {});
  await c.provisioning.setCredential(icashKeySet(sandboxMerchantKeySet(c.companyId, merchant)));
  await c.provisioning.setStore(
    icashStore({
      companyId: c.companyId,
      storeId: c.storeId,
      env: 'test',
      platformId: merchant.PlatformID,
      merchantId: merchant.MerchantID,
    }),
  );
  const { Barcode, ICPAccount } = await c.sandboxPost<{ Barcode: string; ICPAccount: string }>(
    '/sandbox/barcodes',
    { balance: 1000 },
  );
  // A barcode pays once: the second payment shows the customer's next one (same wallet).
  const next = await c.sandboxPost<{ Barcode: string }>('/sandbox/barcodes', { ICPAccount });

  const tradeNo = `DEMO${c.stamp}`;
  const secondNo = `${tradeNo}B`;
  const pay = (no: string, amount: number, barcode: string): string =>
    c.post('pay', I_CASH_QRCODE_PAY, {
      MerchantTradeNo: no,
      StoreName: 'Demo Store',
      MerchantTradeDate: c.date,
      TotalAmount: amount,
      ItemAmt: amount,
      UtilityAmt: 0,
      CommAmt: 0,
      Barcode: barcode,
    });
  const search = (no: string): string => c.search(I_CASH_QRCODE_PAY, { MerchantTradeNo: no });
  return {
    intro: `icash Pay: sandbox merchant ${merchant.MerchantID}, a barcode funded with NT$1000.`,
    steps: [
      {
        comment: 'icash Pay: pay NT$100 with the demo barcode',
        command: pay(tradeNo, 100, Barcode),
      },
      { comment: 'search: TradeStatus "1" (paid)', command: search(tradeNo) },
      {
        comment: 'cancel the payment',
        command: c.post('cancel', I_CASH_QRCODE_PAY, {
          MerchantTradeNo: tradeNo,
          MerchantTradeDate: c.date,
        }),
      },
      { comment: 'search again: TradeStatus "4" (cancelled)', command: search(tradeNo) },
      {
        comment: "a second payment, NT$500, with the customer's next barcode",
        command: pay(secondNo, 500, next.Barcode),
      },
      {
        comment: 'refund NT$200 of it (the TransactionID comes from the ledger)',
        command: c.post('refund', I_CASH_QRCODE_PAY, {
          OMerchantTradeNo: secondNo,
          MerchantTradeNo: `${tradeNo}R1`,
          MerchantTradeDate: c.date,
          RefundTotalAmount: 200,
          RefundItemAmt: 200,
          RefundUtilityAmt: 0,
          RefundCommAmt: 0,
        }),
      },
      {
        comment: 'search the second payment: TradeStatus "3" (partly refunded)',
        command: search(secondNo),
      },
    ],
  };
}
