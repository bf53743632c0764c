import { ValidationError } from '../../core/errors.js';
import { formatTaiwanTime } from '../../core/taiwan-time.js';
import type { FieldSpec } from '../../integrate/fields.js';
import type { ProviderOperation, ProviderOutcome } from '../types.js';
import { type IcashTarget, queryTrade, refund } from './operations.js';
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
  tradeNo,
} from './request-fields.js';
import { RtnCode } from './return-codes.js';
import type { IcashTransport } from './transport.js';
import { REFUND_AMOUNT_FIELDS, type RefundRequest } from './wire.js';

const REFUND_AMOUNTS = ['RefundTotalAmount', 'RefundItemAmt', 'RefundUtilityAmt', 'RefundCommAmt'];

const FIELDS: readonly FieldSpec[] = [
  PLATFORM_ID,
  MERCHANT_ID,
  STORE_ID,
  tradeNo('OMerchantTradeNo', '原交易訂單編號'),
  TRADE_NO,
  date('MerchantTradeDate', '退款日期'),
  amount('RefundTotalAmount', true, '退款總金額'),
  amount('RefundItemAmt', true, '一般商品退款金額'),
  amount('RefundUtilityAmt', true, '代收退款金額'),
  amount('RefundCommAmt', true, '代售退款金額'),
  {
    name: 'TransactionID',
    kind: 'id',
    required: false,
    maxLength: 50,
    description:
      '原交易 icash TransactionID (optional: else from the ledger, else asked of icash first)',
  },
  { name: 'StoreName', kind: 'text', required: false, maxLength: 30, description: '門市名稱' },
];

/**
 * The original's TransactionID when the caller did not send it: the ledger's
 * record of the pay, else icash's own (QueryTradeICPO). Anything but an id is
 * an outcome to answer with: icash's refusal of the query (2025: no such
 * order), or `not_sent` when icash could not be asked (the refund was not sent).
 */
async function originalTransactionId(
  transport: IcashTransport,
  target: IcashTarget,
  credentials: { PlatformID: string; MerchantID: string },
  originalNo: string,
  recorded: string | null | undefined,
): Promise<string | ProviderOutcome> {
  if (recorded) return recorded;
  const query = await queryTrade(transport, target, {
    ...credentials,
    MerchantTradeNo: originalNo,
  });
  if (query.kind !== 'answered') {
    return {
      kind: 'not_sent',
      reason: `original not found: ${query.reason}`,
      latencyMs: query.latencyMs,
    };
  }
  const id = query.encData?.TransactionID;
  if (query.rtnCode === RtnCode.Success && typeof id === 'string' && id !== '') return id;
  if (query.rtnCode !== RtnCode.Success) return toProviderOutcome(query, []);
  return { kind: 'not_sent', reason: 'original has no TransactionID', latencyMs: query.latencyMs };
}

/** ICPO004 RefundICPO: a full or partial refund of a payment, as often as something is left. */
export function refundOperation(
  transport: IcashTransport,
  target: (config: Parameters<ProviderOperation['call']>[1]) => IcashTarget,
): ProviderOperation {
  return {
    upstream: 'RefundICPO',
    summary:
      'I Cash Pay 退款: refunds part or all of a payment (icash RefundICPO), as often as something ' +
      'is left. Amounts are whole NT$. TransactionID is optional: the gateway takes it from its ' +
      'ledger, or asks icash (QueryTradeICPO) when the payment did not go through it.',
    tradeNoField: 'MerchantTradeNo',
    fields: FIELDS,
    crossCheck(request) {
      const [total, item, utility, comm] = REFUND_AMOUNTS.map((f) => Number(request[f]));
      if (total! <= 0 || total !== item! + utility! + comm!) {
        return new ValidationError(
          'invalid_field',
          'RefundTotalAmount 格式錯誤: 須大於 0 且等於 RefundItemAmt + RefundUtilityAmt + RefundCommAmt',
        );
      }
      return null;
    },
    ledgerFacts: (request) => ({
      tradeNo: text(request, 'MerchantTradeNo'),
      originalTradeNo: text(request, 'OMerchantTradeNo'),
      amount: Number(request.RefundTotalAmount),
      currency: CURRENCY,
    }),
    // An operator's refund: the whole amount as 一般商品 (the ledger keeps the payment's
    // total, not its split), the payment's TransactionID when the ledger has it.
    fromPayment: (payment, action) => ({
      OMerchantTradeNo: payment.tradeNo,
      MerchantTradeNo: action.newTradeNo,
      MerchantTradeDate: formatTaiwanTime(action.now),
      RefundTotalAmount: action.amount ?? payment.amount ?? 0,
      RefundItemAmt: action.amount ?? payment.amount ?? 0,
      RefundUtilityAmt: 0,
      RefundCommAmt: 0,
      ...(payment.upstreamId ? { TransactionID: payment.upstreamId } : {}),
    }),
    async call(request, config, context) {
      const to = target(config);
      const credentials = {
        PlatformID: config.credentials.PlatformID!,
        MerchantID: config.credentials.MerchantID!,
      };
      const originalNo = text(request, 'OMerchantTradeNo');
      let transactionId = text(request, 'TransactionID');
      if (transactionId === '') {
        const recorded = (await context.findPayment(originalNo))?.upstreamId;
        const found = await originalTransactionId(transport, to, credentials, originalNo, recorded);
        if (typeof found !== 'string') return found;
        transactionId = found;
      }
      const body: RefundRequest = {
        ...credentials,
        OMerchantTradeNo: originalNo,
        TransactionID: transactionId,
        ...(config.credentials.StoreID ? { StoreID: config.credentials.StoreID } : {}),
        ...(request.StoreName !== undefined ? { StoreName: text(request, 'StoreName') } : {}),
        MerchantTradeNo: text(request, 'MerchantTradeNo'),
        RefundTotalAmount: ntd(request, 'RefundTotalAmount'),
        RefundItemAmt: ntd(request, 'RefundItemAmt'),
        RefundUtilityAmt: ntd(request, 'RefundUtilityAmt'),
        RefundCommAmt: ntd(request, 'RefundCommAmt'),
        MerchantTradeDate: text(request, 'MerchantTradeDate'),
      };
      return toProviderOutcome(await refund(transport, to, body), REFUND_AMOUNT_FIELDS);
    },
  };
}
