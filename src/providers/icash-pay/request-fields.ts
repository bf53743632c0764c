import type { CheckedRequest, FieldSpec } from '../../integrate/fields.js';
import type { ProviderOutcome } from '../types.js';
import { AmountError, amountsFromIcash, toIcashAmount } from './amounts.js';
import { maskPersonalFields } from './masking.js';
import { RtnCode } from './return-codes.js';
import type { IcashOutcome } from './transport.js';
import { ICASH_ID_MAX_LENGTH } from './wire.js';

/** The request fields of icash's operations, as the API names them, and the answers' conversion. */

const credential = (name: string, description: string): FieldSpec => ({
  name,
  kind: 'credential',
  required: false,
  maxLength: ICASH_ID_MAX_LENGTH,
  description,
});
export const PLATFORM_ID = credential('PlatformID', '平台編號 (optional: else from the store)');
export const MERCHANT_ID = credential('MerchantID', '特店業者編號 (optional: else from the store)');
export const STORE_ID = credential('StoreID', 'icash 門市代號 (optional: else from the store)');

export const tradeNo = (name: string, description: string): FieldSpec => ({
  name,
  kind: 'tradeNo',
  required: true,
  description: `${description} (letters, digits, - and _; at most 50)`,
});
export const TRADE_NO = tradeNo('MerchantTradeNo', '訂單編號');

export const date = (name: string, description: string): FieldSpec => ({
  name,
  kind: 'date',
  required: true,
  description: `${description} yyyy/MM/dd HH:mm:ss`,
});

export const amount = (name: string, required: boolean, description: string): FieldSpec => ({
  name,
  kind: 'amount',
  required,
  description: `${description} (whole NT$)`,
});

/** icash's amounts are NT$: the ledger records them in whole NT$ with this currency. */
export const CURRENCY = 'TWD';

export const text = (request: CheckedRequest, field: string): string =>
  String(request[field] ?? '');
export const ntd = (request: CheckedRequest, field: string): string =>
  toIcashAmount(Number(request[field] ?? 0));

/** Turns icash's outcome into the API's answer: amounts back to NT$, personal fields masked. */
export function toProviderOutcome(
  outcome: IcashOutcome,
  amountFields: readonly string[],
): ProviderOutcome {
  if (outcome.kind !== 'answered') return outcome;
  let encData = outcome.encData;
  if (encData && amountFields.length > 0) {
    try {
      encData = amountsFromIcash(encData, amountFields);
    } catch (error) {
      if (!(error instanceof AmountError)) throw error;
      return { kind: 'untrusted', reason: 'answer amount malformed', latencyMs: outcome.latencyMs };
    }
  }
  const success = outcome.rtnCode === RtnCode.Success;
  const transactionId = encData?.TransactionID;
  return {
    kind: 'answered',
    success,
    answer: {
      json: JSON.stringify({
        RtnCode: outcome.rtnCode,
        RtnMsg: outcome.rtnMsg,
        EncData: encData && maskPersonalFields(encData),
      }),
      code: outcome.rtnCode,
      message: outcome.rtnMsg,
    },
    latencyMs: outcome.latencyMs,
    upstreamId: success && typeof transactionId === 'string' ? transactionId : null,
  };
}
