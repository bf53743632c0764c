import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TYPE,
  api,
  newBarcode,
  now,
  startStoreScenario,
  tradeNo,
  type SandboxHandle,
  type TestCompany,
  type TestGateway,
} from './helpers.js';

/** icash's ×100 string of whole NT$, written independently of the gateway's conversion. */
const cents = (ntd: number): string => (ntd === 0 ? '0' : `${ntd}00`);

/** A basket: a total and its three parts (item, utility, commission), all whole NT$. */
const basket = (max: number) =>
  fc
    .tuple(fc.integer({ min: 0, max }), fc.integer({ min: 0, max }), fc.integer({ min: 0, max }))
    .filter(([a, b, c]) => a + b + c > 0 && a + b + c <= max)
    .map(([item, utility, comm]) => ({ total: item + utility + comm, item, utility, comm }));

/**
 * Amounts are exact end to end: random baskets up to NT$ 9,999,999 go to icash
 * as ×100 strings and come back as the same whole NT$, and the refundable
 * remainder the ledger computes always equals what icash (the sandbox) holds:
 * one NT$ more is refused with 2033, exactly the remainder goes through.
 */
describe('refund amounts, property-based, against the sandbox', () => {
  let sandbox: SandboxHandle;
  let t: TestGateway;
  let company: TestCompany;

  beforeAll(async () => {
    ({ sandbox, t, company } = await startStoreScenario());
  });

  afterAll(async () => {
    await t?.close();
    await sandbox?.close();
  });

  const post = (operation: string, request: object) =>
    api(t.url, 'POST', `/v1/payment/integrate/${operation}`, {
      token: company.token,
      body: { type: TYPE, store_id: 'S1', request },
    });

  const sentPayload = (no: string) =>
    sandbox.wallets.icash.log.list().find((c) => c.payload?.MerchantTradeNo === no)?.payload ?? {};

  async function refundable(no: string): Promise<number> {
    const res = await api(t.url, 'GET', `/v1/payment/transactions?MerchantTradeNo=${no}`, {
      token: company.token,
    });
    return (res.body.transactions as { refundable_amount: number }[])[0]!.refundable_amount;
  }

  const refund = (
    original: string,
    b: { total: number; item: number; utility: number; comm: number },
  ) => {
    const no = tradeNo('PR');
    return post('refund', {
      OMerchantTradeNo: original,
      MerchantTradeNo: no,
      MerchantTradeDate: now(),
      RefundTotalAmount: b.total,
      RefundItemAmt: b.item,
      RefundUtilityAmt: b.utility,
      RefundCommAmt: b.comm,
    }).then((res) => ({ res, no }));
  };

  it("×100 both ways is lossless, and the ledger remainder equals icash's", async () => {
    await fc.assert(
      fc.asyncProperty(
        basket(9_999_999),
        fc.array(fc.double({ min: 0.01, max: 0.7, noNaN: true }), { minLength: 1, maxLength: 4 }),
        async (pay, shares) => {
          const original = tradeNo('PP');
          const paid = await post('pay', {
            MerchantTradeNo: original,
            StoreName: '測試門市',
            MerchantTradeDate: now(),
            TotalAmount: pay.total,
            ItemAmt: pay.item,
            UtilityAmt: pay.utility,
            CommAmt: pay.comm,
            Barcode: await newBarcode(sandbox, 10_000_000),
          });
          expect(paid.body.RtnCode).toBe(1);
          expect((paid.body.EncData as Record<string, unknown>).TotalAmount).toBe(pay.total);
          expect(sentPayload(original)).toMatchObject({
            TotalAmount: cents(pay.total),
            ItemAmt: cents(pay.item),
            UtilityAmt: cents(pay.utility),
            CommAmt: cents(pay.comm),
          });

          let left = pay.total;
          for (const share of shares) {
            const amount = Math.max(1, Math.floor(pay.total * share));
            const parts = { total: amount, item: amount, utility: 0, comm: 0 };
            const { res, no } = await refund(original, parts);
            if (amount <= left) {
              expect(res.body.RtnCode).toBe(1);
              expect(res.body.EncData).toMatchObject({
                RefundTotalAmount: amount,
                OTotalAmount: pay.total,
              });
              expect(sentPayload(no).RefundTotalAmount).toBe(cents(amount));
              left -= amount;
            } else {
              expect(res.body.RtnCode).toBe(2033);
            }
            expect(await refundable(original)).toBe(left);
          }
          // icash agrees with the ledger's remainder: one more is refused, exactly it is not.
          if (left > 0) {
            const over = await refund(original, {
              total: left + 1,
              item: left + 1,
              utility: 0,
              comm: 0,
            });
            expect(over.res.body.RtnCode).toBe(2033);
            const rest = await refund(original, { total: left, item: left, utility: 0, comm: 0 });
            expect(rest.res.body.RtnCode).toBe(1);
          }
          expect(await refundable(original)).toBe(0);
          const done = await refund(original, { total: 1, item: 1, utility: 0, comm: 0 });
          expect(done.res.body.RtnCode).toBe(2032);
        },
      ),
      { numRuns: 25 },
    );
  });
});
