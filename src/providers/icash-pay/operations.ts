import type { IcashKeySet, IcashOutcome, IcashTransport } from './transport.js';
import {
  IcashOperation,
  type DeductCancelRequest,
  type DeductRequest,
  type OnlineCancelRequest,
  type QueryTradeRequest,
  type RefundRequest,
} from './wire.js';

/** Where one call goes: an environment's base URL and the merchant's key set for it. */
export interface IcashTarget {
  baseUrl: string;
  keys: IcashKeySet;
}

/** ICPOF001: barcode deduct (the POS scanned the customer's barcode). */
export function deduct(
  t: IcashTransport,
  to: IcashTarget,
  req: DeductRequest,
): Promise<IcashOutcome> {
  return t.call(to.baseUrl, IcashOperation.Deduct, to.keys, req);
}

/** ICPOF002: reverse a whole barcode deduct (沖正). */
export function deductCancel(
  t: IcashTransport,
  to: IcashTarget,
  req: DeductCancelRequest,
): Promise<IcashOutcome> {
  return t.call(to.baseUrl, IcashOperation.DeductCancel, to.keys, req);
}

/** ICPO005: the trade as icash holds it. */
export function queryTrade(
  t: IcashTransport,
  to: IcashTarget,
  req: QueryTradeRequest,
): Promise<IcashOutcome> {
  return t.call(to.baseUrl, IcashOperation.QueryTrade, to.keys, req);
}

/** ICPO004: full or partial refund; creates a refund trade of its own. */
export function refund(
  t: IcashTransport,
  to: IcashTarget,
  req: RefundRequest,
): Promise<IcashOutcome> {
  return t.call(to.baseUrl, IcashOperation.Refund, to.keys, req);
}

/** ICPO006: cancel an online (customer-scans) order. */
export function onlineCancel(
  t: IcashTransport,
  to: IcashTarget,
  req: OnlineCancelRequest,
): Promise<IcashOutcome> {
  return t.call(to.baseUrl, IcashOperation.OnlineCancel, to.keys, req);
}
