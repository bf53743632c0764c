/**
 * The return codes the sandbox answers with, worded as icash words them
 * (spec section 6). Codes marked "sandbox choice" are not fixed by the spec.
 */
export const Rtn = {
  Success: 1,
  SystemError: 0,
  SignatureInvalid: 1011,
  EncKeyIdInvalid: 1016,
  SignatureHeaderInvalid: 1017,
  DecryptFailed: 1018,
  DeserializeFailed: 1019,
  MerchantIdEmpty: 2001,
  TradeNoEmpty: 2002,
  TradeNoMalformed: 2003,
  TradeDateEmpty: 2004,
  AmountMalformed: 2005,
  BarcodeEmpty: 2016,
  OrderNotFound: 2025,
  DuplicateTradeNo: 2027,
  AlreadyRefunded: 2032,
  OverRefundable: 2033,
  TradeDateMalformed: 2040,
  RefundTooLate: 2044,
  RefundOfFailedTrade: 2046,
  AmountsDoNotAddUp: 2057,
  BarcodeUsed: 2065,
  AlreadyCancelled: 2067,
  CancelOfFailedTrade: 2068,
  /** Sandbox choice: a barcode that is malformed or was never issued. */
  BarcodeInvalid: 2071,
  BarcodeExpired: 2072,
  MerchantIdMalformed: 2107,
  CannotCancel: 2180,
  RefundPartsDoNotAddUp: 2181,
  PartlyRefundedCannotCancel: 2196,
  InsufficientBalance: 7049,
  Unexpected: 9999,
} as const;
export type RtnCode = (typeof Rtn)[keyof typeof Rtn];

const MESSAGES: Record<RtnCode, string> = {
  1: '成功',
  0: '系統發生錯誤，請重新再試。',
  1011: '驗證簽章失敗，請確認金鑰是否正確。',
  1016: 'X-iCP-EncKeyID 有誤，請確認後再試。',
  1017: 'X-iCP-Signature 有誤，請確認後再試。',
  1018: '解密失敗，請確認 AES 金鑰或資料是否正確。',
  1019: '傳入資料反序列化失敗，請確認資料是否正確',
  2001: '廠商編號為空',
  2002: '交易編號為空',
  2003: '交易編號格式錯誤',
  2004: '交易日期為空',
  2005: '交易金額格式錯誤',
  2016: '交易識別碼(條碼)為空',
  2025: '訂單不存在',
  2027: '傳入資料廠商訂單編號重複',
  2032: '訊息代碼：2032，訂單已退款',
  2033: '超過可退款金額',
  2040: '傳入資料交易日期格式錯誤',
  2044: '訊息代碼：2044，交易時間已超過3個月',
  2046: '此筆訂單交易未成功無法執行退款',
  2057: '交易金額有誤',
  2065: '條碼已被使用過',
  2067: '訂單已取消',
  2068: '此筆訂單交易未成功無法取消',
  2071: '條碼無效',
  2072: '條碼已逾期',
  2107: '傳入資料廠商編號格式錯誤',
  2180: '訊息代碼：2180，此訂單已無法執行取消',
  2181: '訊息代碼：2181，退款金額加總不正確',
  2196: '訊息代碼：2196，訂單已部退，取消交易失敗',
  7049: '訊息代碼：7049，扣款失敗，帳戶餘額不足',
  9999: '系統發生未預期錯誤，請重新再試。',
};

export function rtnMessage(code: RtnCode): string {
  return MESSAGES[code];
}

/** Codes of the authentication layer: answered without EncData and unsigned. */
export type AuthFailureCode =
  | typeof Rtn.SignatureInvalid
  | typeof Rtn.EncKeyIdInvalid
  | typeof Rtn.SignatureHeaderInvalid
  | typeof Rtn.DecryptFailed
  | typeof Rtn.DeserializeFailed;
