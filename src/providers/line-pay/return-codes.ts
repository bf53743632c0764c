/**
 * LINE Pay `returnCode` values (4-character strings) the gateway and the
 * sandbox act on. The full table is in docs/line-pay.md.
 */
export const ReturnCode = {
  Success: '0000',
  NotMember: '1101',
  MemberCannotPay: '1102',
  MerchantNotFound: '1104',
  MerchantCannotUse: '1105',
  HeaderError: '1106',
  AmountScale: '1124',
  InvalidOneTimeKey: '1133',
  AccountStatusError: '1141',
  LowBalance: '1142',
  PaymentInProcess: '1145',
  NotFound: '1150',
  RefundPeriodOver: '1163',
  RefundLimitExceeded: '1164',
  AlreadyRefunded: '1165',
  DuplicateOrderId: '1172',
  CurrencyNotSupported: '1178',
  CannotProceed: '1179',
  PaymentExpired: '1180',
  AmountTooSmall: '1183',
  AmountTooLarge: '1184',
  DuplicateRequest: '1198',
  InternalRequestError: '1199',
  DifferentRetry: '1999',
  ParameterError: '2101',
  JsonFormatError: '2102',
  ParameterNotAllowed: '2103',
  InternalError: '9000',
} as const;
export type KnownReturnCode = (typeof ReturnCode)[keyof typeof ReturnCode];

/** English messages, as LINE words them where known (sandbox defaults). */
export const RETURN_MESSAGES: Readonly<Record<KnownReturnCode, string>> = {
  '0000': 'Success.',
  '1101': 'Not a LINE Pay member.',
  '1102': 'The member is unable to proceed the transaction.',
  '1104': 'Merchant not found.',
  '1105': 'The merchant cannot use LINE Pay.',
  '1106': 'Header information error.',
  '1124': 'Amount info error (scale).',
  '1133': 'Invalid oneTimeKey.',
  '1141': 'Payment account status error.',
  '1142': 'Low balance.',
  '1145': 'Payment in process.',
  '1150': 'Transaction record not found.',
  '1163': 'Unable to refund since refundable date is over.',
  '1164': 'Refund limit exceeded.',
  '1165': 'The transaction has already been refunded.',
  '1172': 'Existing same orderId.',
  '1178': 'The currency is not supported by the merchant.',
  '1179': 'Unable to proceed the transaction.',
  '1180': 'The payment is expired.',
  '1183': 'The payment amount should be greater than 0.',
  '1184': 'The payment amount exceeds the requested amount.',
  '1198': 'Duplicated the request calling API.',
  '1199': 'Internal request error.',
  '1999': 'The request information differs from the previous request.',
  '2101': 'Parameter error.',
  '2102': 'JSON data format error',
  '2103': 'Parameter is not allowed.',
  '9000': 'Internal error.',
};

/**
 * Answers that do not say what happened to a pay: LINE is still working on it,
 * hit a temporary error, or the request collided with an earlier one. The
 * order is checked instead (`1172` included: a transaction for the orderId exists).
 */
export function payOutcomeIsOpen(returnCode: string): boolean {
  return (
    returnCode === ReturnCode.PaymentInProcess ||
    returnCode === ReturnCode.DuplicateOrderId ||
    returnCode === ReturnCode.DuplicateRequest ||
    returnCode === ReturnCode.InternalRequestError ||
    returnCode === ReturnCode.InternalError ||
    /^190\d$/.test(returnCode)
  );
}
