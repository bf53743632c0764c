/**
 * icash's payloads exactly as icash spells them (the JSON inside EncData).
 * Amounts here are already icash's ×100 strings; dates are `yyyy/MM/dd HH:mm:ss`.
 */

/**
 * icash's PlatformID, MerchantID and StoreID: at most 20 characters. 20 is
 * icash's limit for StoreID (icash-pay.md); for PlatformID and MerchantID (8
 * digits in practice) it is the gateway's own bound.
 */
export const ICASH_ID_MAX_LENGTH = 20;

export interface DeductItem {
  ItemNo: string;
  ItemName: string;
  Quantity: string;
}

export interface DeductRequest {
  PlatformID: string;
  MerchantID: string;
  MerchantTradeNo: string;
  StoreID?: string;
  StoreName: string;
  MerchantTradeDate: string;
  TotalAmount: string;
  ItemAmt: string;
  UtilityAmt: string;
  CommAmt: string;
  ItemNonRedeemAmt: string;
  UtilityNonRedeemAmt: string;
  CommNonRedeemAmt: string;
  NonPointAmt: string;
  Item: DeductItem[] | null;
  Barcode: string;
}

export interface DeductCancelRequest {
  PlatformID: string;
  MerchantID: string;
  MerchantTradeNo: string;
  MerchantTradeDate: string;
  TransactionID?: string;
  StoreID?: string;
  StoreName?: string;
  MerchantTID?: string;
  WalletID?: string;
}

export interface QueryTradeRequest {
  PlatformID: string;
  MerchantID: string;
  MerchantTradeNo: string;
}

export interface RefundRequest {
  PlatformID: string;
  MerchantID: string;
  OMerchantTradeNo: string;
  TransactionID: string;
  StoreID?: string;
  StoreName?: string;
  MerchantTradeNo: string;
  RefundTotalAmount: string;
  RefundItemAmt: string;
  RefundUtilityAmt: string;
  RefundCommAmt: string;
  MerchantTradeDate: string;
}

export interface OnlineCancelRequest {
  PlatformID: string;
  MerchantID: string;
  OMerchantTradeNo: string;
}

/** The decrypted EncData of any answer: always a JSON object carrying `Timestamp`. */
export type EncDataObject = Record<string, unknown>;

/** Amount fields per answer, converted back to NT$ by the gateway. */
export const DEDUCT_AMOUNT_FIELDS = ['TotalAmount', 'ICPAmount', 'BonusAmt'] as const;
export const QUERY_AMOUNT_FIELDS = [
  'TotalAmount',
  'ICPAmount',
  'BonusAmt',
  'RefundTotalAmount',
  'RefundICPAmount',
  'RefundBonusAmt',
  'OTotalAmount',
  'OICPAmount',
  'OBonusAmt',
] as const;
export const REFUND_AMOUNT_FIELDS = [
  'RefundTotalAmount',
  'RefundICPAmount',
  'RefundBonusAmt',
  'OTotalAmount',
  'OICPAmount',
  'OBonusAmt',
] as const;

/** Upstream operations and their paths under the base URL (`.../api/V2/Payment`). */
export const IcashOperation = {
  Deduct: '/Pos/DeductICPOF',
  DeductCancel: '/Pos/DeductCancelICPOF',
  QueryTrade: '/Cashier/QueryTradeICPO',
  Refund: '/Cashier/RefundICPO',
  OnlineCancel: '/Cashier/CancelICPO',
} as const;
export type IcashOperationPath = (typeof IcashOperation)[keyof typeof IcashOperation];

export const ICASH_PROD_BASE_URL = 'https://payment.icashpay.com.tw/api/V2/Payment';
export const ICASH_PREPROD_BASE_URL = 'https://icp-payment-preprod.icashpay.com.tw/api/V2/Payment';
