import { ValidationError } from '../../core/errors.js';
import { formatTaiwanTime } from '../../core/taiwan-time.js';
import type { PaymentProvider, PayConfig, ProviderOperation } from '../types.js';
import { icashCredentials } from './credentials.js';
import { KeySetCache } from './key-cache.js';
import { judgeOutcome } from './outcome-check.js';
import { deduct, deductCancel, queryTrade, type IcashTarget } from './operations.js';
import { refundOperation } from './refund.js';
import {
  CURRENCY,
  MERCHANT_ID,
  PLATFORM_ID,
  STORE_ID,
  TRADE_NO,
  amount,
  date,
  ntd,
  text,
  toProviderOutcome,
} from './request-fields.js';
import type { IcashTransport } from './transport.js';
import { DEDUCT_AMOUNT_FIELDS, QUERY_AMOUNT_FIELDS, type DeductRequest } from './wire.js';

import { I_CASH_DISPLAY_NAME, I_CASH_QRCODE_PAY } from './payment-type.js';

export { I_CASH_QRCODE_PAY };

export interface IcashProviderOptions {
  transport: IcashTransport;
  baseUrls: { test: string; prod: string };
  /** The transport's time-out (a refund may make two calls: a query, then the refund). */
  timeoutMs: number;
}

const PAY_AMOUNTS = ['TotalAmount', 'ItemAmt', 'UtilityAmt', 'CommAmt'] as const;

/** icash Pay offline barcode payments (I_CASH_QRCODE_PAY). */
export function createIcashQrcodePay(options: IcashProviderOptions): PaymentProvider {
  const keys = new KeySetCache();
  const target = (config: PayConfig): IcashTarget => ({
    baseUrl: config.env === 'prod' ? options.baseUrls.prod : options.baseUrls.test,
    keys: keys.resolve(config.stored!),
  });
  const { transport } = options;

  const cancel: ProviderOperation = {
    upstream: 'DeductCancelICPOF',
    summary:
      'I Cash Pay 條碼取消: reverses a whole barcode deduct (icash DeductCancelICPOF). Vendor ' +
      'credentials (PlatformID + MerchantID) or a store_id whose configuration supplies them.',
    tradeNoField: 'MerchantTradeNo',
    fields: [PLATFORM_ID, MERCHANT_ID, TRADE_NO, date('MerchantTradeDate', '交易取消日期')],
    ledgerFacts: (request) => ({ tradeNo: text(request, 'MerchantTradeNo') }),
    fromPayment: (payment, action) => ({
      MerchantTradeNo: payment.tradeNo,
      MerchantTradeDate: formatTaiwanTime(action.now),
    }),
    async call(request, config) {
      const outcome = await deductCancel(transport, target(config), {
        PlatformID: config.credentials.PlatformID!,
        MerchantID: config.credentials.MerchantID!,
        MerchantTradeNo: text(request, 'MerchantTradeNo'),
        MerchantTradeDate: text(request, 'MerchantTradeDate'),
      });
      return toProviderOutcome(outcome, []);
    },
  };

  const pay: ProviderOperation = {
    upstream: 'DeductICPOF',
    summary:
      'I Cash Pay 條碼支付: deducts from the customer barcode (icash DeductICPOF). Amounts are whole NT$.',
    tradeNoField: 'MerchantTradeNo',
    fields: [
      PLATFORM_ID,
      MERCHANT_ID,
      STORE_ID,
      TRADE_NO,
      { name: 'StoreName', kind: 'text', required: true, maxLength: 30, description: '門市名稱' },
      date('MerchantTradeDate', '交易日期'),
      amount('TotalAmount', true, '交易總金額'),
      amount('ItemAmt', true, '一般商品金額'),
      amount('UtilityAmt', true, '代收金額'),
      amount('CommAmt', true, '代售金額'),
      amount('ItemNonRedeemAmt', false, '一般商品不可折抵金額 (default 0)'),
      amount('UtilityNonRedeemAmt', false, '代收不可折抵金額 (default 0)'),
      amount('CommNonRedeemAmt', false, '代售不可折抵金額 (default 0)'),
      amount('NonPointAmt', false, '不可累點金額 (default 0)'),
      { name: 'Barcode', kind: 'barcode', required: true, description: '付款條碼' },
    ],
    crossCheck(request) {
      const [total, item, utility, comm] = PAY_AMOUNTS.map((f) => Number(request[f]));
      if (total! <= 0 || total !== item! + utility! + comm!) {
        return new ValidationError(
          'invalid_field',
          'TotalAmount 格式錯誤: 須大於 0 且等於 ItemAmt + UtilityAmt + CommAmt',
        );
      }
      return null;
    },
    ledgerFacts: (request) => ({
      tradeNo: text(request, 'MerchantTradeNo'),
      amount: Number(request.TotalAmount),
      currency: CURRENCY,
    }),
    async call(request, config) {
      const body: DeductRequest = {
        PlatformID: config.credentials.PlatformID!,
        MerchantID: config.credentials.MerchantID!,
        MerchantTradeNo: text(request, 'MerchantTradeNo'),
        ...(config.credentials.StoreID ? { StoreID: config.credentials.StoreID } : {}),
        StoreName: text(request, 'StoreName'),
        MerchantTradeDate: text(request, 'MerchantTradeDate'),
        TotalAmount: ntd(request, 'TotalAmount'),
        ItemAmt: ntd(request, 'ItemAmt'),
        UtilityAmt: ntd(request, 'UtilityAmt'),
        CommAmt: ntd(request, 'CommAmt'),
        ItemNonRedeemAmt: ntd(request, 'ItemNonRedeemAmt'),
        UtilityNonRedeemAmt: ntd(request, 'UtilityNonRedeemAmt'),
        CommNonRedeemAmt: ntd(request, 'CommNonRedeemAmt'),
        NonPointAmt: ntd(request, 'NonPointAmt'),
        Item: null,
        Barcode: text(request, 'Barcode'),
      };
      return toProviderOutcome(await deduct(transport, target(config), body), DEDUCT_AMOUNT_FIELDS);
    },
  };

  const search: ProviderOperation = {
    upstream: 'QueryTradeICPO',
    summary: 'I Cash Pay 條碼查詢: the trade as icash holds it (icash QueryTradeICPO).',
    tradeNoField: 'MerchantTradeNo',
    readOnly: true,
    fields: [PLATFORM_ID, MERCHANT_ID, TRADE_NO],
    ledgerFacts: (request) => ({ tradeNo: text(request, 'MerchantTradeNo') }),
    async call(request, config) {
      const outcome = await queryTrade(transport, target(config), {
        PlatformID: config.credentials.PlatformID!,
        MerchantID: config.credentials.MerchantID!,
        MerchantTradeNo: text(request, 'MerchantTradeNo'),
      });
      return toProviderOutcome(outcome, QUERY_AMOUNT_FIELDS);
    },
  };

  return {
    type: I_CASH_QRCODE_PAY,
    displayName: I_CASH_DISPLAY_NAME,
    longestCallMs: options.timeoutMs * 2,
    credentials: icashCredentials,
    operations: { cancel, pay, search, refund: refundOperation(transport, target) },
    async checkOutcome(operation, call, config) {
      const query = await queryTrade(transport, target(config), {
        PlatformID: config.credentials.PlatformID!,
        MerchantID: config.credentials.MerchantID!,
        MerchantTradeNo: call.merchantTradeNo,
      });
      return judgeOutcome(operation, call, query);
    },
    close: () => transport.close(),
  };
}
