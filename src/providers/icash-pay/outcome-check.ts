import type { Operation, OutcomeCheck, UnknownCall } from '../types.js';
import { RtnCode, TradeStatus, TradeType } from './return-codes.js';
import type { IcashOutcome } from './transport.js';

/** TradeStatus values meaning the customer's money was taken by the deduct. */
const PAID: ReadonlySet<string> = new Set([
  TradeStatus.Completed,
  TradeStatus.PaidAwaitingPosting,
  TradeStatus.FullyRefunded,
  TradeStatus.PartlyRefunded,
  TradeStatus.Cancelled,
]);

/**
 * How an unknown call ended, from QueryTradeICPO by MerchantTradeNo:
 * - cancel: TradeStatus 4 → succeeded; any other definitive status → failed
 *   (the trade is still paid, or icash would have refused the cancel);
 * - pay: paid (1, 5, and 2/3/4 which need a payment first) → succeeded;
 *   0, 6, 7 → failed; 2025 (no such order) → failed once the safe wait is over;
 * - refund (asked by the refund's own MerchantTradeNo): a refund record
 *   (TradeType 1) of the same original → succeeded; any other trade under that
 *   number (icash refused ours as a duplicate) → failed; 2025 → failed once the
 *   safe wait is over.
 * Anything that is not a trustworthy answer leaves the call unknown.
 */
export function judgeOutcome(
  operation: Operation,
  call: UnknownCall,
  query: IcashOutcome,
): OutcomeCheck {
  if (query.kind !== 'answered') {
    return { outcome: query.kind, rtnCode: null, tradeStatus: null, result: 'unknown' };
  }
  const found = { outcome: 'answered', rtnCode: query.rtnCode };
  if (query.rtnCode === RtnCode.OrderNotFound) {
    if (operation === 'cancel') return { ...found, tradeStatus: null, result: 'failed' };
    const waited = call.ageMs >= call.safeWaitMs;
    return { ...found, tradeStatus: null, result: waited ? 'failed' : 'unknown' };
  }
  const status = query.encData?.TradeStatus;
  if (query.rtnCode !== RtnCode.Success || typeof status !== 'string') {
    return { ...found, tradeStatus: null, result: 'unknown' };
  }
  const withStatus = { ...found, tradeStatus: status };
  if (operation === 'cancel') {
    return { ...withStatus, result: status === TradeStatus.Cancelled ? 'succeeded' : 'failed' };
  }
  const transactionId = query.encData?.TransactionID;
  const learned = typeof transactionId === 'string' && transactionId !== '' ? transactionId : null;
  if (operation === 'pay') {
    const paid = PAID.has(status);
    return {
      ...withStatus,
      result: paid ? 'succeeded' : 'failed',
      upstreamId: paid ? learned : null,
    };
  }
  if (operation === 'refund') {
    const tradeType = query.encData?.TradeType;
    if (typeof tradeType !== 'string') return { ...withStatus, result: 'unknown' };
    const original = query.encData?.OMerchantTradeNo;
    const ours =
      tradeType === TradeType.Refund &&
      (call.originalTradeNo === null || original === call.originalTradeNo);
    return {
      ...withStatus,
      result: ours ? 'succeeded' : 'failed',
      upstreamId: ours ? learned : null,
    };
  }
  return { ...withStatus, result: 'unknown' };
}
