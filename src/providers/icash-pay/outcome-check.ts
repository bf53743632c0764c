import type { Operation, OutcomeCheck, UnknownCall } from '../types.js';
import { RtnCode, TradeStatus } from './return-codes.js';
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
 *   0, 6, 7 → failed; 2025 (no such order) → failed once the safe wait is over.
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
  if (operation === 'pay')
    return { ...withStatus, result: PAID.has(status) ? 'succeeded' : 'failed' };
  return { ...withStatus, result: 'unknown' };
}
