import { newGid } from './ids.js';
import { Rtn, type RtnCode } from './messages.js';
import {
  amountText,
  identifyTrade,
  type OperationContext,
  type OperationResult,
  refused,
  taiwanTime,
  uniqueTransactionId,
} from './operation.js';
import { Rejection, reject } from './payload.js';
import type { TradeRow } from './state.js';

/** Barcode deducts and their reversals (DeductICPOF, DeductCancelICPOF, CancelICPO). */

const BARCODE = /^IC[A-Z0-9]{16}$/;
const DEDUCT_ECHO = ['MerchantTradeNo'];

interface DeductRequest {
  platformId: string;
  merchantId: string;
  tradeNo: string;
  tradeDate: string;
  total: number;
  barcode: string;
}

function parseDeduct(ctx: OperationContext): DeductRequest | Rejection {
  const p = ctx.payload;
  const key = identifyTrade(ctx, 'MerchantTradeNo');
  if (key instanceof Rejection) return key;
  const tradeDate = p.tradeDate();
  if (tradeDate instanceof Rejection) return tradeDate;
  // Every malformed amount is refused before the parts are added up.
  for (const name of [
    'ItemNonRedeemAmt',
    'UtilityNonRedeemAmt',
    'CommNonRedeemAmt',
    'NonPointAmt',
  ]) {
    const value = p.amount(name, false);
    if (value instanceof Rejection) return value;
  }
  const total = p.total(['TotalAmount', 'ItemAmt', 'UtilityAmt', 'CommAmt'], Rtn.AmountsDoNotAddUp);
  if (total instanceof Rejection) return total;
  const barcode = p.text('Barcode');
  if (barcode === '') return reject(Rtn.BarcodeEmpty);
  if (barcode === null || !BARCODE.test(barcode)) return reject(Rtn.BarcodeInvalid);
  return { ...key, tradeDate, total, barcode };
}

export function deduct(ctx: OperationContext): OperationResult {
  const request = parseDeduct(ctx);
  if (request instanceof Rejection) return refused(ctx, request, DEDUCT_ECHO);
  const { state, now } = ctx;
  return state.atomically(() => {
    if (state.trade(request.merchantId, request.tradeNo)) {
      return refused(ctx, reject(Rtn.DuplicateTradeNo), DEDUCT_ECHO);
    }
    const barcode = state.barcode(request.barcode);
    const wallet = barcode ? state.wallet(barcode.icp_account) : undefined;
    if (!barcode || !wallet) return refused(ctx, reject(Rtn.BarcodeInvalid), DEDUCT_ECHO);

    let failure: RtnCode | null = null;
    if (barcode.used_at !== null) failure = Rtn.BarcodeUsed;
    else if (barcode.expires_at <= now) failure = Rtn.BarcodeExpired;
    else if (wallet.balance < request.total) failure = Rtn.InsufficientBalance;

    const trade: TradeRow = {
      merchant_id: request.merchantId,
      platform_id: request.platformId,
      merchant_trade_no: request.tradeNo,
      trade_type: 0,
      transaction_id: uniqueTransactionId(state),
      icp_account: wallet.icp_account,
      store_id: ctx.payload.optional('StoreID', 20),
      store_name: ctx.payload.optional('StoreName', 30),
      merchant_trade_date: request.tradeDate,
      payment_date: now,
      total: request.total,
      icp_amount: request.total,
      bonus_amt: 0,
      refunded: 0,
      // A refused deduct against a known wallet is kept as a failed trade (TradeStatus 7).
      trade_status: failure === null ? '1' : '7',
      allocate_status: 0,
      gid: newGid(),
      original_trade_no: null,
    };
    state.insertTrade(trade);
    if (failure !== null) return refused(ctx, reject(failure), DEDUCT_ECHO);

    state.adjustBalance(wallet.icp_account, -request.total);
    state.markBarcodeUsed(barcode.barcode, now);
    return {
      code: Rtn.Success,
      data: {
        PlatformID: trade.platform_id,
        MerchantID: trade.merchant_id,
        MerchantTradeNo: trade.merchant_trade_no,
        TransactionID: trade.transaction_id,
        ICPAccount: trade.icp_account,
        TotalAmount: amountText(trade.total),
        ICPAmount: amountText(trade.icp_amount),
        BonusAmt: amountText(trade.bonus_amt),
        PaymentDate: taiwanTime(trade.payment_date),
        PaymentType: '1',
        MMemberID: wallet.mmember_id,
        MobileInvoiceCarry: wallet.mobile_invoice_carry,
        MaskedPan: '',
        IsFiscTWQR: 0,
        FiscTWQRIssCode: '',
        GID: trade.gid,
      },
    };
  });
}

/** Why a paid trade cannot be reversed, or null when it can. */
function cancelRefusal(trade: TradeRow): RtnCode | null {
  switch (trade.trade_status) {
    case '1':
      return trade.allocate_status === 1 ? Rtn.CannotCancel : null;
    case '4':
      return Rtn.AlreadyCancelled;
    case '2':
      return Rtn.CannotCancel;
    case '3':
      return Rtn.PartlyRefundedCannotCancel;
    default:
      return Rtn.CancelOfFailedTrade;
  }
}

export function deductCancel(ctx: OperationContext): OperationResult {
  const echo = ['MerchantTradeNo'];
  const key = identifyTrade(ctx, 'MerchantTradeNo');
  if (key instanceof Rejection) return refused(ctx, key, echo);
  const tradeDate = ctx.payload.tradeDate();
  if (tradeDate instanceof Rejection) return refused(ctx, tradeDate, echo);
  const { state } = ctx;
  return state.atomically(() => {
    const trade = state.trade(key.merchantId, key.tradeNo);
    const transactionId = ctx.payload.text('TransactionID');
    // Only payments can be reversed; a TransactionID, when sent, must be the trade's.
    if (
      !trade ||
      trade.trade_type !== 0 ||
      (transactionId !== '' && transactionId !== trade.transaction_id)
    ) {
      return refused(ctx, reject(Rtn.OrderNotFound), echo);
    }
    const refusal = cancelRefusal(trade);
    if (refusal !== null) return refused(ctx, reject(refusal), echo);
    state.updateTrade(trade.merchant_id, trade.merchant_trade_no, { trade_status: '4' });
    state.adjustBalance(trade.icp_account, trade.icp_amount);
    const wallet = state.wallet(trade.icp_account);
    return {
      code: Rtn.Success,
      data: {
        PlatformID: trade.platform_id,
        MerchantID: trade.merchant_id,
        MMemberID: wallet?.mmember_id ?? '',
        MobileInvoiceCarry: wallet?.mobile_invoice_carry ?? '',
      },
    };
  });
}

/**
 * CancelICPO cancels an online order the customer has not paid yet. The sandbox
 * only has barcode payments, which are paid at once: a paid trade answers 2180
 * (reverse it with DeductCancelICPOF or refund it instead).
 */
export function onlineCancel(ctx: OperationContext): OperationResult {
  const echo = ['OMerchantTradeNo'];
  const key = identifyTrade(ctx, 'OMerchantTradeNo');
  if (key instanceof Rejection) return refused(ctx, key, echo);
  const trade = ctx.state.trade(key.merchantId, key.tradeNo);
  if (!trade || trade.trade_type !== 0) return refused(ctx, reject(Rtn.OrderNotFound), echo);
  if (trade.trade_status === '4') return refused(ctx, reject(Rtn.AlreadyCancelled), echo);
  if (trade.trade_status === '7') return refused(ctx, reject(Rtn.CancelOfFailedTrade), echo);
  return refused(ctx, reject(Rtn.CannotCancel), echo);
}
