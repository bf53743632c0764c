import { newGid } from './ids.js';
import { Rtn } from './messages.js';
import {
  amountText,
  identifyTrade,
  type OperationContext,
  type OperationResult,
  refused,
  taiwanTime,
  tradeView,
  uniqueTransactionId,
} from './operation.js';
import { Rejection, reject } from './payload.js';
import type { TradeRow } from './state.js';

/** Refunds (RefundICPO) and trade queries (QueryTradeICPO). */

const REFUND_ECHO = ['MerchantTradeNo', 'OMerchantTradeNo'];

/** The end of the refund window: three calendar months after the payment, Taiwan time. */
function refundDeadline(paymentDate: number): number {
  const offset = 8 * 60 * 60 * 1000;
  const local = new Date(paymentDate + offset);
  const day = local.getUTCDate();
  local.setUTCMonth(local.getUTCMonth() + 3);
  // 30 November + 3 months is the end of February, not 2 March.
  if (local.getUTCDate() !== day) local.setUTCDate(0);
  return local.getTime() - offset;
}

interface RefundRequest {
  merchantId: string;
  tradeNo: string;
  originalNo: string;
  tradeDate: string;
  total: number;
}

function parseRefund(ctx: OperationContext): RefundRequest | Rejection {
  const p = ctx.payload;
  const key = identifyTrade(ctx, 'MerchantTradeNo');
  if (key instanceof Rejection) return key;
  const originalNo = p.tradeNo('OMerchantTradeNo');
  if (originalNo instanceof Rejection) return originalNo;
  const tradeDate = p.tradeDate();
  if (tradeDate instanceof Rejection) return tradeDate;
  const total = p.total(
    ['RefundTotalAmount', 'RefundItemAmt', 'RefundUtilityAmt', 'RefundCommAmt'],
    Rtn.RefundPartsDoNotAddUp,
  );
  if (total instanceof Rejection) return total;
  return { merchantId: key.merchantId, tradeNo: key.tradeNo, originalNo, tradeDate, total };
}

export function refund(ctx: OperationContext): OperationResult {
  const request = parseRefund(ctx);
  if (request instanceof Rejection) return refused(ctx, request, REFUND_ECHO);
  const { state, now } = ctx;
  return state.atomically(() => {
    const original = state.trade(request.merchantId, request.originalNo);
    const transactionId = ctx.payload.text('TransactionID');
    if (
      !original ||
      original.trade_type !== 0 ||
      (transactionId !== '' && transactionId !== original.transaction_id)
    ) {
      return refused(ctx, reject(Rtn.OrderNotFound), REFUND_ECHO);
    }
    if (state.trade(request.merchantId, request.tradeNo)) {
      return refused(ctx, reject(Rtn.DuplicateTradeNo), REFUND_ECHO);
    }
    if (original.trade_status === '2')
      return refused(ctx, reject(Rtn.AlreadyRefunded), REFUND_ECHO);
    if (original.trade_status !== '1' && original.trade_status !== '3') {
      return refused(ctx, reject(Rtn.RefundOfFailedTrade), REFUND_ECHO);
    }
    if (now > refundDeadline(original.payment_date)) {
      return refused(ctx, reject(Rtn.RefundTooLate), REFUND_ECHO);
    }
    if (request.total > original.total - original.refunded) {
      return refused(ctx, reject(Rtn.OverRefundable), REFUND_ECHO);
    }

    const record: TradeRow = {
      merchant_id: original.merchant_id,
      platform_id: original.platform_id,
      merchant_trade_no: request.tradeNo,
      trade_type: 1,
      transaction_id: uniqueTransactionId(state),
      icp_account: original.icp_account,
      store_id: ctx.payload.optional('StoreID', 20),
      store_name: ctx.payload.optional('StoreName', 30),
      merchant_trade_date: request.tradeDate,
      payment_date: now,
      total: request.total,
      icp_amount: request.total,
      bonus_amt: 0,
      refunded: 0,
      trade_status: '1',
      allocate_status: 0,
      gid: newGid(),
      original_trade_no: original.merchant_trade_no,
    };
    state.insertTrade(record);
    const refunded = original.refunded + request.total;
    state.updateTrade(original.merchant_id, original.merchant_trade_no, {
      refunded,
      trade_status: refunded === original.total ? '2' : '3',
    });
    state.adjustBalance(original.icp_account, request.total);
    const wallet = state.wallet(original.icp_account);
    return {
      code: Rtn.Success,
      data: {
        PlatformID: record.platform_id,
        MerchantID: record.merchant_id,
        MerchantTradeNo: record.merchant_trade_no,
        TransactionID: record.transaction_id,
        PaymentDate: taiwanTime(record.payment_date),
        RefundTotalAmount: amountText(record.total),
        RefundICPAmount: amountText(record.icp_amount),
        RefundBonusAmt: amountText(record.bonus_amt),
        OMerchantTradeNo: original.merchant_trade_no,
        OTotalAmount: amountText(original.total),
        OICPAmount: amountText(original.icp_amount),
        OBonusAmt: amountText(original.bonus_amt),
        MMemberID: wallet?.mmember_id ?? '',
      },
    };
  });
}

export function queryTrade(ctx: OperationContext): OperationResult {
  const echo = ['MerchantTradeNo'];
  const key = identifyTrade(ctx, 'MerchantTradeNo');
  if (key instanceof Rejection) return refused(ctx, key, echo);
  const trade = ctx.state.trade(key.merchantId, key.tradeNo);
  if (!trade) return refused(ctx, reject(Rtn.OrderNotFound), echo);
  const original =
    trade.original_trade_no === null
      ? undefined
      : ctx.state.trade(trade.merchant_id, trade.original_trade_no);
  return {
    code: Rtn.Success,
    data: tradeView(trade, ctx.state.wallet(trade.icp_account), original),
  };
}
