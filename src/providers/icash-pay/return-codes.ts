/**
 * icash RtnCode values the gateway acts on. icash's whole table is in its
 * protocol document; docs/icash-pay.md says how each kind of answer is handled.
 */
export const RtnCode = {
  Success: 1,
  SystemError: 0,
  SignatureInvalid: 1011,
  EncKeyIdInvalid: 1016,
  SignatureHeaderInvalid: 1017,
  DecryptFailed: 1018,
  DeserializeFailed: 1019,
  OrderNotFound: 2025,
  DuplicateOrder: 2027,
  AlreadyCancelled: 2067,
  CancelOfFailedTrade: 2068,
  CannotCancel: 2180,
  PartlyRefundedCannotCancel: 2196,
  Unexpected: 9999,
} as const;

/** Codes of icash's authentication layer: sent unsigned and without EncData. */
export const AUTH_LAYER_CODES: ReadonlySet<number> = new Set([
  RtnCode.SignatureInvalid,
  RtnCode.EncKeyIdInvalid,
  RtnCode.SignatureHeaderInvalid,
  RtnCode.DecryptFailed,
  RtnCode.DeserializeFailed,
]);

/** V2 sends the integer 1; V1 and some third parties send "1" or "0001". */
export function normaliseRtnCode(raw: unknown): number | null {
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) return raw;
  if (typeof raw === 'string' && /^\d{1,9}$/.test(raw)) return Number(raw);
  return null;
}

/** `TradeStatus` of QueryTradeICPO. */
export const TradeStatus = {
  Unpaid: '0',
  Completed: '1',
  FullyRefunded: '2',
  PartlyRefunded: '3',
  Cancelled: '4',
  PaidAwaitingPosting: '5',
  PostingFailed: '6',
  Failed: '7',
} as const;
export type TradeStatus = (typeof TradeStatus)[keyof typeof TradeStatus];

/** `TradeType` of QueryTradeICPO: a payment or a refund record. */
export const TradeType = { Payment: '0', Refund: '1' } as const;
