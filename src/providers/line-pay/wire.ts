import type { LosslessNumber } from '../../core/lossless-json.js';
import type { LineApiVersion } from './signing.js';

/**
 * LINE Pay Offline API wire shapes, spelled as LINE spells them (line-pay.md §4).
 * Ids LINE sends as bare 19-digit numbers are `WireId`: a `LosslessNumber`
 * (or a plain number when small), never a rounded float.
 */

export type WireId = LosslessNumber | number;

export type LineCurrency = 'USD' | 'JPY' | 'TWD' | 'THB';
export const LINE_CURRENCIES: readonly LineCurrency[] = ['USD', 'JPY', 'TWD', 'THB'];

/** `info.payInfo[].method`. */
export type PayMethod = 'BALANCE' | 'CREDIT_CARD' | 'POINT' | 'DISCOUNT';

/** Paths, with the orderId percent-encoded as LINE asks (it is signed as sent). */
export const LinePath = {
  pay: (v: LineApiVersion): string => `/${v}/payments/oneTimeKeys/pay`,
  check: (v: LineApiVersion, orderId: string): string =>
    `/${v}/payments/orders/${encodeURIComponent(orderId)}/check`,
  details: (v: LineApiVersion): string => `/${v}/payments`,
  refund: (v: LineApiVersion, orderId: string): string =>
    `/${v}/payments/orders/${encodeURIComponent(orderId)}/refund`,
  void: (v: LineApiVersion, orderId: string): string =>
    `/${v}/payments/orders/${encodeURIComponent(orderId)}/void`,
} as const;

/** v2 `POST /v2/payments/oneTimeKeys/pay` body. */
export interface PayRequestV2 {
  productName: string;
  amount: number;
  currency: LineCurrency;
  orderId: string;
  oneTimeKey: string;
  capture?: boolean;
  extras?: { branchName?: string; branchId?: string };
}

/** v4 `POST /v4/payments/oneTimeKeys/pay` body (packages instead of productName). */
export interface PayRequestV4 {
  amount: number;
  currency: LineCurrency;
  orderId: string;
  oneTimeKey: string;
  packages: {
    id: string;
    amount: number;
    products: { name: string; quantity: number; price: number }[];
  }[];
  options?: {
    payment?: { capture?: boolean };
    extra?: { branchName?: string; branchId?: string };
  };
}

export interface PayInfo {
  method: PayMethod | string;
  amount: number;
  maskedCreditCardNumber?: string;
}

/** `info` of a successful pay. */
export interface PayAnswerInfo {
  transactionId: WireId;
  orderId: string;
  transactionDate: string;
  payInfo: PayInfo[];
  /** v2 only. */
  balance?: number;
  /** v2.4 and v4: `TSP` or `EPI`. */
  paymentProvider?: string;
  /** When capture is false. */
  authorizationExpireDate?: string;
}

export type CheckStatus = 'AUTH_READY' | 'COMPLETE' | 'CANCEL' | 'FAIL' | 'REFUND';
export const CHECK_STATUSES: readonly CheckStatus[] = [
  'AUTH_READY',
  'COMPLETE',
  'CANCEL',
  'FAIL',
  'REFUND',
];

/** `info` of `GET .../orders/{orderId}/check`. */
export interface CheckAnswerInfo {
  status: CheckStatus;
  transactionId?: WireId;
  orderId?: string;
  transactionDate?: string;
  payInfo?: PayInfo[];
  balance?: number;
  paymentProvider?: string;
  failReturnCode?: string;
  failReturnMessage?: string;
}

export type RefundTransactionType = 'PARTIAL_REFUND' | 'PAYMENT_REFUND';

export interface RefundListEntry {
  refundTransactionId: WireId;
  transactionType: RefundTransactionType;
  /** Negative: -100 for a refund of 100. */
  refundAmount: number;
  refundTransactionDate: string;
}

/** One entry of `info` (an array) of `GET /v2/payments`. */
export interface PaymentDetailsEntry {
  transactionId: WireId;
  transactionDate: string;
  transactionType: 'PAYMENT';
  productName: string;
  currency: LineCurrency;
  orderId: string;
  payInfo: PayInfo[];
  paymentProvider?: string;
  refundList?: RefundListEntry[];
}

/** Query of `GET /v2/payments`: at least one of the two. */
export interface PaymentDetailsQuery {
  orderId?: string;
  /** Decimal digits. */
  transactionId?: string;
}

/** `POST .../orders/{orderId}/refund` body; no refundAmount = all that remains. */
export interface RefundRequest {
  refundAmount?: number;
}

export interface RefundAnswerInfo {
  refundTransactionId: WireId;
  refundTransactionDate: string;
}
