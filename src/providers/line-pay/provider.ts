import { ValidationError } from '../../core/errors.js';
import { idDigits, isLosslessObject } from '../../core/lossless-json.js';
import type { CheckedRequest, FieldSpec } from '../../integrate/fields.js';
import type { UpstreamClient } from '../../upstream/client.js';
import type {
  CallContext,
  LedgerFacts,
  OutcomeCheck,
  PayConfig,
  PaymentProvider,
  ProviderOperation,
  ProviderOutcome,
} from '../types.js';
import { CHANNEL_FIELDS, lineCredentials } from './credentials.js';
import {
  type LineOutcome,
  type LinePayTarget,
  checkPayment,
  pay,
  paymentDetails,
  refund,
} from './operations.js';
import { judgePayFromCheck, judgeRefundFromDetails, type LineJudgement } from './outcome.js';
import { LINE_DISPLAY_NAME, LINE_QRCODE_PAY } from './payment-type.js';
import { ReturnCode, payOutcomeIsOpen } from './return-codes.js';
import type { LineApiVersion } from './signing.js';
import { LINE_CURRENCIES, type LineCurrency } from './wire.js';

export interface LineProviderOptions {
  client: UpstreamClient;
  /** Origins (`https://api-pay.line.me`), per environment. */
  baseUrls: { test: string; prod: string };
  timeouts: { payMs: number; otherMs: number };
}

const credential = (name: string, maxLength: number, description: string): FieldSpec => ({
  name,
  kind: 'credential',
  required: false,
  maxLength,
  description,
});
const CHANNEL_ID = credential('channel_id', 20, '通路編號 (optional: else from the store)');
const CHANNEL_SECRET = credential(
  'channel_secret',
  128,
  '通路密鑰 (with channel_id; never stored, logged or echoed)',
);
const ORDER_ID: FieldSpec = {
  name: 'orderId',
  kind: 'tradeNo',
  required: true,
  maxLength: 100,
  description: '訂單編號 (letters, digits, - and _; at most 100; unique per channel)',
};

const text = (request: CheckedRequest, field: string): string => String(request[field] ?? '');
const positive = (request: CheckedRequest, field: string): ValidationError | null =>
  request[field] !== undefined && Number(request[field]) <= 0
    ? new ValidationError('invalid_field', `${field} 格式錯誤: 須大於 0`)
    : null;

/** LINE's body passed on as LINE sent it (every digit of its ids kept). */
function toProviderOutcome(
  outcome: LineOutcome,
  idField: 'transactionId' | 'refundTransactionId',
  openCodesUnknown = false,
): ProviderOutcome {
  if (outcome.kind !== 'answered') return outcome;
  if (
    openCodesUnknown &&
    payOutcomeIsOpen(outcome.returnCode) &&
    outcome.returnCode !== ReturnCode.DuplicateOrderId
  ) {
    // LINE is still working on it, or failed inside: the payment may yet happen.
    const reason = `returnCode ${outcome.returnCode}`;
    return { kind: 'untrusted', reason, latencyMs: outcome.latencyMs };
  }
  const success = outcome.returnCode === ReturnCode.Success;
  const info = outcome.body.info;
  const upstreamId = success && isLosslessObject(info) ? idDigits(info[idField]) : null;
  return {
    kind: 'answered',
    success,
    answer: {
      json: outcome.raw,
      code: Number(outcome.returnCode),
      message: outcome.returnMessage,
    },
    latencyMs: outcome.latencyMs,
    upstreamId,
  };
}

function toCheck(judgement: LineJudgement): OutcomeCheck {
  return {
    outcome: judgement.outcome,
    rtnCode: judgement.returnCode === null ? null : Number(judgement.returnCode),
    tradeStatus: judgement.status,
    result: judgement.result,
    upstreamId: judgement.transactionId,
  };
}

/**
 * A refund's (or a cancel's) facts: what it will move is refundAmount, or for
 * all that remains the payment's amount less its refunds, when the ledger knows
 * both for sure (null otherwise: the reconciler then matches any unclaimed refund).
 */
async function refundFacts(
  orderId: string,
  amount: number | undefined,
  context: CallContext,
): Promise<LedgerFacts> {
  const payment = await context.findPayment(orderId);
  let moves: number | null = amount ?? null;
  if (moves === null && payment?.amount != null) {
    const { refunded, unsettled } = await context.refundedOf(orderId);
    if (unsettled === 0) moves = payment.amount - refunded;
  }
  return {
    tradeNo: orderId,
    originalTradeNo: orderId,
    amount: moves,
    currency: payment?.currency ?? null,
  };
}

/** LINE Pay Offline (barcode, My Code) payments: LINE_QRCODE_PAY. */
export function createLinePay(options: LineProviderOptions): PaymentProvider {
  const { client, timeouts } = options;

  const target = (config: PayConfig): LinePayTarget => {
    const baseUrl = config.env === 'prod' ? options.baseUrls.prod : options.baseUrls.test;
    const channelId = config.credentials.channel_id!;
    const given = config.credentials.channel_secret;
    if (given !== undefined) {
      // Vendor scenario: the secret came with the call, and v2 (headers) is used.
      return {
        baseUrl,
        channel: { channelId, channelSecret: { reveal: () => given }, apiVersion: 'v2' },
      };
    }
    const stored = config.stored!;
    const secret = stored.open()[CHANNEL_FIELDS.secret]!;
    const apiVersion = (stored.public[CHANNEL_FIELDS.apiVersion] ?? 'v2') as LineApiVersion;
    return { baseUrl, channel: { channelId, channelSecret: secret, apiVersion } };
  };

  const payOperation: ProviderOperation = {
    upstream: 'oneTimeKeys/pay',
    summary:
      "LINE Pay 條碼支付: pays with the customer's oneTimeKey (LINE POST /v2|v4/payments/oneTimeKeys/pay).",
    tradeNoField: 'orderId',
    fields: [
      CHANNEL_ID,
      CHANNEL_SECRET,
      {
        name: 'productName',
        kind: 'text',
        required: true,
        maxLength: 4000,
        description: '商品名稱',
      },
      {
        name: 'amount',
        kind: 'amount',
        required: true,
        description: '付款金額 (a positive integer)',
      },
      {
        name: 'currency',
        kind: 'choice',
        required: true,
        choices: LINE_CURRENCIES,
        description: `幣別: ${LINE_CURRENCIES.join(', ')}`,
      },
      ORDER_ID,
      {
        name: 'oneTimeKey',
        kind: 'digits',
        required: true,
        maxLength: 18,
        description: "付款條碼 (the customer's barcode: 12 or 18 digits)",
      },
      {
        name: 'merchant_device_profile_id',
        kind: 'id',
        required: false,
        maxLength: 100,
        description: '{門市編號}_{機號}, e.g. 000030_k1 (sent as X-LINE-MerchantDeviceProfileId)',
      },
    ],
    crossCheck(request) {
      if (!/^(\d{12}|\d{18})$/.test(text(request, 'oneTimeKey')))
        return new ValidationError('invalid_field', 'oneTimeKey 格式錯誤: 須為 12 或 18 位數字');
      return positive(request, 'amount');
    },
    ledgerFacts: (request) => ({
      tradeNo: text(request, 'orderId'),
      amount: Number(request.amount),
      currency: text(request, 'currency'),
    }),
    async call(request, config) {
      const to = target(config);
      const device = request.merchant_device_profile_id;
      if (device !== undefined) to.deviceProfileId = String(device);
      const outcome = await pay(
        client,
        to,
        {
          productName: text(request, 'productName'),
          amount: Number(request.amount),
          currency: text(request, 'currency') as LineCurrency,
          orderId: text(request, 'orderId'),
          oneTimeKey: text(request, 'oneTimeKey'),
        },
        { timeoutMs: timeouts.payMs },
      );
      return toProviderOutcome(outcome, 'transactionId', true);
    },
  };

  const search: ProviderOperation = {
    upstream: 'payments (details)',
    summary:
      'LINE Pay 查詢: the payment details by orderId and/or transactionId, refundList included (LINE GET /v2/payments).',
    tradeNoField: 'orderId',
    readOnly: true,
    fields: [
      CHANNEL_ID,
      CHANNEL_SECRET,
      { ...ORDER_ID, required: false },
      {
        name: 'transactionId',
        kind: 'digits',
        required: false,
        maxLength: 20,
        description: 'LINE transactionId (19 digits, as a number or a string of digits)',
      },
    ],
    crossCheck(request) {
      if (request.orderId === undefined && request.transactionId === undefined)
        return new ValidationError('missing_field', 'orderId 不可為空');
      return null;
    },
    ledgerFacts: (request) => ({
      tradeNo: request.orderId === undefined ? null : text(request, 'orderId'),
    }),
    async call(request, config) {
      const outcome = await paymentDetails(
        client,
        target(config),
        {
          ...(request.orderId !== undefined ? { orderId: text(request, 'orderId') } : {}),
          ...(request.transactionId !== undefined
            ? { transactionId: text(request, 'transactionId') }
            : {}),
        },
        { timeoutMs: timeouts.otherMs },
      );
      return toProviderOutcome(outcome, 'transactionId');
    },
  };

  // A barcode payment is captured at once and LINE cannot void a captured one:
  // cancel is a refund of everything that remains.
  const cancel: ProviderOperation = {
    upstream: 'orders/{orderId}/refund (all)',
    summary:
      'LINE Pay 取消: reverses the whole payment with a refund of all that remains (LINE POST .../orders/{orderId}/refund without refundAmount).',
    tradeNoField: 'orderId',
    fields: [CHANNEL_ID, CHANNEL_SECRET, ORDER_ID],
    ledgerFacts: (request, context) => refundFacts(text(request, 'orderId'), undefined, context),
    fromPayment: (payment) => ({ orderId: payment.tradeNo }),
    async call(request, config) {
      const outcome = await refund(
        client,
        target(config),
        text(request, 'orderId'),
        {},
        {
          timeoutMs: timeouts.otherMs,
        },
      );
      return toProviderOutcome(outcome, 'refundTransactionId');
    },
  };

  const refundOperation: ProviderOperation = {
    upstream: 'orders/{orderId}/refund',
    summary:
      'LINE Pay 退款: refunds refundAmount, or all that remains when it is absent (LINE POST .../orders/{orderId}/refund).',
    tradeNoField: 'orderId',
    fields: [
      CHANNEL_ID,
      CHANNEL_SECRET,
      ORDER_ID,
      {
        name: 'refundAmount',
        kind: 'amount',
        required: false,
        description: '退款金額 (a positive integer; absent: all that remains)',
      },
    ],
    crossCheck: (request) => positive(request, 'refundAmount'),
    ledgerFacts: (request, context) =>
      refundFacts(
        text(request, 'orderId'),
        request.refundAmount === undefined ? undefined : Number(request.refundAmount),
        context,
      ),
    // LINE refunds a payment under the payment's own orderId.
    fromPayment: (payment, action) => ({
      orderId: payment.tradeNo,
      ...(action.amount === undefined ? {} : { refundAmount: action.amount }),
    }),
    async call(request, config) {
      const amount = request.refundAmount;
      const outcome = await refund(
        client,
        target(config),
        text(request, 'orderId'),
        amount === undefined ? {} : { refundAmount: Number(amount) },
        { timeoutMs: timeouts.otherMs },
      );
      return toProviderOutcome(outcome, 'refundTransactionId');
    },
  };

  return {
    type: LINE_QRCODE_PAY,
    displayName: LINE_DISPLAY_NAME,
    longestCallMs: Math.max(timeouts.payMs, timeouts.otherMs),
    credentials: lineCredentials,
    operations: { pay: payOperation, search, cancel, refund: refundOperation },
    async checkOutcome(operation, call, config) {
      const to = target(config);
      const pending = { ageMs: call.ageMs, safeWaitMs: call.safeWaitMs };
      if (operation === 'pay') {
        const check = await checkPayment(client, to, call.merchantTradeNo, {
          timeoutMs: timeouts.otherMs,
        });
        return toCheck(judgePayFromCheck(pending, check));
      }
      const details = await paymentDetails(
        client,
        to,
        { orderId: call.merchantTradeNo },
        { timeoutMs: timeouts.otherMs },
      );
      return toCheck(
        judgeRefundFromDetails(
          {
            ...pending,
            orderId: call.merchantTradeNo,
            amount: call.amount,
            claimedRefundIds: call.claimedUpstreamIds,
          },
          details,
        ),
      );
    },
    close: () => client.close(),
  };
}
