import type { SandboxKeySet } from './keyring.js';
import { Rtn, type RtnCode } from './messages.js';
import { type Payload, Rejection, reject } from './payload.js';
import type { SandboxState, TradeRow, WalletRow } from './state.js';
import { newTransactionId } from './ids.js';
import { formatTaiwanTime } from '../../core/taiwan-time.js';

/** What every operation handler gets and gives back. */
export interface OperationContext {
  payload: Payload;
  keySet: SandboxKeySet;
  state: SandboxState;
  now: number;
}

/** An answer before the envelope: the code and the EncData fields (Timestamp is added later). */
export interface OperationResult {
  code: RtnCode;
  data: Record<string, unknown>;
}

export type OperationName =
  'DeductICPOF' | 'DeductCancelICPOF' | 'QueryTradeICPO' | 'RefundICPO' | 'CancelICPO';

export const OPERATION_NAMES: readonly OperationName[] = [
  'DeductICPOF',
  'DeductCancelICPOF',
  'QueryTradeICPO',
  'RefundICPO',
  'CancelICPO',
];

export interface Merchant {
  platformId: string;
  merchantId: string;
}

/**
 * MerchantID must be present (2001) and 8 digits (2107); PlatformID must be the
 * key set's and MerchantID one of its merchants (sandbox choice: 2107 otherwise).
 */
export function identify(ctx: OperationContext): Merchant | Rejection {
  const merchantId = ctx.payload.merchantId();
  if (merchantId instanceof Rejection) return merchantId;
  if (ctx.payload.text('PlatformID') !== ctx.keySet.platformId) {
    return reject(Rtn.MerchantIdMalformed);
  }
  const merchant = ctx.state.merchant(merchantId);
  if (!merchant || merchant.platform_id !== ctx.keySet.platformId) {
    return reject(Rtn.MerchantIdMalformed);
  }
  return { platformId: merchant.platform_id, merchantId };
}

/** The merchant and the trade number in `field`: what names one trade. */
export function identifyTrade(
  ctx: OperationContext,
  field: string,
): (Merchant & { tradeNo: string }) | Rejection {
  const merchant = identify(ctx);
  if (merchant instanceof Rejection) return merchant;
  const tradeNo = ctx.payload.tradeNo(field);
  if (tradeNo instanceof Rejection) return tradeNo;
  return { ...merchant, tradeNo };
}

/** A rejection answered with the request's identifying fields echoed back. */
export function refused(
  ctx: OperationContext,
  rejection: Rejection,
  echo: string[],
): OperationResult {
  const data: Record<string, unknown> = {};
  for (const name of ['PlatformID', 'MerchantID', ...echo]) data[name] = ctx.payload.echo(name);
  return { code: rejection.code, data };
}

export function uniqueTransactionId(state: SandboxState): string {
  let id = newTransactionId();
  while (state.transactionIdExists(id)) id = newTransactionId();
  return id;
}

export const amountText = (cents: number): string => String(cents);
export const taiwanTime = (epochMs: number): string => formatTaiwanTime(new Date(epochMs));

/** The fields QueryTradeICPO shows for a payment or a refund record. */
export function tradeView(
  trade: TradeRow,
  wallet: WalletRow | undefined,
  original: TradeRow | undefined,
): Record<string, unknown> {
  const view: Record<string, unknown> = {
    PlatformID: trade.platform_id,
    MerchantID: trade.merchant_id,
    MerchantTradeNo: trade.merchant_trade_no,
    TransactionID: trade.transaction_id,
    ICPAccount: trade.icp_account,
    PaymentDate: taiwanTime(trade.payment_date),
    PaymentType: '1',
    TotalAmount: amountText(trade.total),
    ICPAmount: amountText(trade.icp_amount),
    BonusAmt: amountText(trade.bonus_amt),
    TradeStatus: trade.trade_status,
    TradeType: String(trade.trade_type),
    MaskedPan: '',
    VToken: '',
    AllocateStatus: String(trade.allocate_status),
    MMemberID: wallet?.mmember_id ?? '',
    MobileInvoiceCarry: wallet?.mobile_invoice_carry ?? '',
    IsFiscTWQR: 0,
    FiscTWQRIssCode: '',
    GID: trade.gid,
    CreditCardType: '',
  };
  if (trade.trade_type === 1 && original) {
    Object.assign(view, {
      RefundTotalAmount: amountText(trade.total),
      RefundICPAmount: amountText(trade.icp_amount),
      RefundBonusAmt: amountText(trade.bonus_amt),
      OMerchantTradeNo: original.merchant_trade_no,
      OTotalAmount: amountText(original.total),
      OICPAmount: amountText(original.icp_amount),
      OBonusAmt: amountText(original.bonus_amt),
    });
  }
  return view;
}
