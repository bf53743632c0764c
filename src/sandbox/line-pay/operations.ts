import { randomInt } from 'node:crypto';
import {
  idNumber,
  isLosslessObject,
  type LosslessObject,
  type LosslessValue,
} from '../../core/lossless-json.js';
import { RETURN_MESSAGES, ReturnCode } from '../../providers/line-pay/return-codes.js';
import type { LineApiVersion } from '../../providers/line-pay/signing.js';
import type { ChannelRow, LinePayState, OrderRow, OrderStatus } from './state.js';

/**
 * LINE Pay's offline operations over the simulator's state (line-pay.md §7;
 * the choices where LINE is silent are in docs/line-pay.md).
 */

export type LineOperation = 'pay' | 'check' | 'details' | 'refund' | 'void' | 'capture';
export const LINE_OPERATIONS: readonly LineOperation[] = [
  'pay',
  'check',
  'details',
  'refund',
  'void',
  'capture',
];

export interface LineAnswer {
  returnCode: string;
  returnMessage: string;
  info?: LosslessValue;
}

export interface OperationContext {
  state: LinePayState;
  channel: ChannelRow;
  version: LineApiVersion;
  now: number;
  /** The parsed JSON body; null when there was none. */
  body: LosslessObject | null;
  /** From the path, decoded. */
  orderId: string;
  query: URLSearchParams;
  /** Set by an `auth_ready` fault on pay: hold the payment this long, then settle to `then`. */
  authReady?: { forMs: number; then: 'COMPLETE' | 'CANCEL' };
}

const ZERO_DECIMAL = new Set(['TWD', 'JPY']);

export function answer(returnCode: string, info?: LosslessValue, message?: string): LineAnswer {
  const known = (RETURN_MESSAGES as Record<string, string>)[returnCode];
  const out: LineAnswer = { returnCode, returnMessage: message ?? known ?? '-' };
  if (info !== undefined) out.info = info;
  return out;
}

const paramError = (field: string): LineAnswer =>
  answer(ReturnCode.ParameterError, undefined, `Parameter error. [${field}]`);

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** `YYYYMMDD` and 11 random digits, unless a test queued the next id. */
function newTransactionId(state: LinePayState, now: number): string {
  const queued = state.takeQueuedTransactionId();
  if (queued !== undefined) return queued;
  const day = iso(now).slice(0, 10).replaceAll('-', '');
  for (;;) {
    const id = day + String(randomInt(0, 100_000_000_000)).padStart(11, '0');
    if (!state.transactionIdTaken(id)) return id;
  }
}

/** An AUTH_READY order whose wait is over becomes what it was to become. */
export function settleDue(state: LinePayState, order: OrderRow, now: number): OrderRow {
  if (order.status !== 'AUTH_READY' || order.ready_at === null || now < order.ready_at)
    return order;
  const next: OrderStatus = order.ready_status ?? 'COMPLETE';
  if (next === 'CANCEL') state.adjustBalance(order.one_time_key, order.amount);
  return state.updateOrder(order, { status: next, ready_at: null, ready_status: null });
}

function payInfo(order: OrderRow): LosslessValue[] {
  return [{ method: order.method, amount: order.amount }];
}

function versionExtras(ctx: OperationContext, order: OrderRow): LosslessObject {
  if (ctx.version === 'v4') return { paymentProvider: 'TSP' };
  const key = ctx.state.oneTimeKey(order.one_time_key);
  return key ? { balance: key.balance } : {};
}

interface PayFields {
  productName: string;
  amount: number;
  currency: string;
  orderId: string;
  oneTimeKey: string;
  capture: boolean;
}

/** v2 reads top-level fields; v4 `packages[]` and `options.payment.capture` (top-level also accepted). */
function payFields(ctx: OperationContext): PayFields | LineAnswer {
  const b = ctx.body;
  if (!b) return answer(ReturnCode.JsonFormatError);
  let productName = b.productName;
  let capture = b.capture;
  if (ctx.version === 'v4') {
    const packages = b.packages;
    if (!Array.isArray(packages) || packages.length === 0) return paramError('packages');
    const first = packages[0];
    const products = isLosslessObject(first) ? first.products : undefined;
    const product = Array.isArray(products) ? products[0] : undefined;
    if (productName === undefined && isLosslessObject(product)) productName = product.name;
    const options = b.options;
    const payment = isLosslessObject(options) ? options.payment : undefined;
    if (capture === undefined && isLosslessObject(payment)) capture = payment.capture;
  }
  if (typeof productName !== 'string' || productName === '' || productName.length > 4000)
    return paramError('productName');
  if (typeof b.amount !== 'number') return paramError('amount');
  if (typeof b.currency !== 'string' || !/^[A-Z]{3}$/.test(b.currency))
    return paramError('currency');
  if (typeof b.orderId !== 'string' || b.orderId === '' || b.orderId.length > 100)
    return paramError('orderId');
  if (typeof b.oneTimeKey !== 'string') return paramError('oneTimeKey');
  if (capture !== undefined && typeof capture !== 'boolean') return paramError('capture');
  return {
    productName,
    amount: b.amount,
    currency: b.currency,
    orderId: b.orderId,
    oneTimeKey: b.oneTimeKey,
    capture: capture ?? true,
  };
}

/** An amount LINE accepts: integral for zero-decimal currencies, positive. */
function amountRefusal(amount: number, currency: string): LineAnswer | undefined {
  if (!Number.isFinite(amount)) return paramError('amount');
  const cents = amount * 100;
  const scaleOk = ZERO_DECIMAL.has(currency)
    ? Number.isInteger(amount)
    : Math.abs(cents - Math.round(cents)) < 1e-6;
  if (!scaleOk) return answer(ReturnCode.AmountScale);
  if (amount <= 0) return answer(ReturnCode.AmountTooSmall);
  return undefined;
}

export function pay(ctx: OperationContext): LineAnswer {
  const fields = payFields(ctx);
  if (!('orderId' in fields)) return fields;
  const { state, channel, now } = ctx;
  if (!fields.capture && channel.capture_separation !== 1)
    return answer(
      ReturnCode.ParameterNotAllowed,
      undefined,
      'Parameter is not allowed. [capture:`false`]',
    );
  const badAmount = amountRefusal(fields.amount, fields.currency);
  if (badAmount) return badAmount;
  if (fields.currency !== channel.currency) return answer(ReturnCode.CurrencyNotSupported);
  if (state.order(channel.channel_id, fields.orderId)) return answer(ReturnCode.DuplicateOrderId);

  const key = state.oneTimeKey(fields.oneTimeKey);
  const base: OrderRow = {
    channel_id: channel.channel_id,
    order_id: fields.orderId,
    transaction_id: null,
    one_time_key: fields.oneTimeKey,
    product_name: fields.productName,
    amount: fields.amount,
    currency: fields.currency,
    method: key?.method ?? 'BALANCE',
    status: 'FAIL',
    refunded: 0,
    transaction_date: now,
    ready_at: null,
    ready_status: null,
    fail_return_code: null,
    fail_return_message: null,
  };
  const fail = (code: string): LineAnswer => {
    const refusal = answer(code);
    state.insertOrder({
      ...base,
      fail_return_code: code,
      fail_return_message: refusal.returnMessage,
    });
    return refusal;
  };
  if (
    !key ||
    key.channel_id !== channel.channel_id ||
    key.used_at !== null ||
    now >= key.expires_at
  ) {
    return fail(ReturnCode.InvalidOneTimeKey);
  }
  state.useOneTimeKey(key.one_time_key, now);
  if (key.balance < fields.amount) return fail(ReturnCode.LowBalance);

  state.adjustBalance(key.one_time_key, -fields.amount);
  const settled: OrderStatus = fields.capture ? 'COMPLETE' : 'AUTHORIZATION';
  const order: OrderRow = {
    ...base,
    transaction_id: newTransactionId(state, now),
    status: ctx.authReady ? 'AUTH_READY' : settled,
    ready_at: ctx.authReady ? now + ctx.authReady.forMs : null,
    ready_status: ctx.authReady ? (ctx.authReady.then === 'CANCEL' ? 'CANCEL' : settled) : null,
  };
  state.insertOrder(order);
  return payAnswer(ctx, order.order_id, now);
}

/** The answer to a pay, from the order as it stands at `now` (an AUTH_READY order may have settled). */
export function payAnswer(ctx: OperationContext, orderId: string, now: number): LineAnswer {
  const stored = ctx.state.order(ctx.channel.channel_id, orderId);
  if (!stored) return answer(ReturnCode.NotFound);
  const current = settleDue(ctx.state, stored, now);
  if (current.status === 'CANCEL') return answer(ReturnCode.CannotProceed);
  if (current.status === 'AUTH_READY') return answer(ReturnCode.PaymentInProcess);
  const info: LosslessObject = {
    transactionId: idNumber(current.transaction_id ?? '0'),
    orderId: current.order_id,
    transactionDate: iso(current.transaction_date),
    payInfo: payInfo(current),
    ...versionExtras(ctx, current),
  };
  if (current.status === 'AUTHORIZATION')
    info.authorizationExpireDate = iso(current.transaction_date + 5 * 86_400_000);
  return answer(ReturnCode.Success, info);
}

function findOrder(ctx: OperationContext): OrderRow | undefined {
  const order = ctx.state.order(ctx.channel.channel_id, ctx.orderId);
  return order && settleDue(ctx.state, order, ctx.now);
}

export function check(ctx: OperationContext): LineAnswer {
  const order = findOrder(ctx);
  if (!order) return answer(ReturnCode.NotFound);
  if (order.status === 'FAIL') {
    return answer(ReturnCode.Success, {
      status: 'FAIL',
      orderId: order.order_id,
      failReturnCode: order.fail_return_code ?? '',
      failReturnMessage: order.fail_return_message ?? '',
    });
  }
  let status: string = order.status;
  if (order.status === 'AUTHORIZATION') status = 'COMPLETE';
  if (order.status === 'COMPLETE' && order.refunded >= order.amount) status = 'REFUND';
  if (order.status === 'VOIDED_AUTHORIZATION') status = 'CANCEL';
  return answer(ReturnCode.Success, {
    status,
    transactionId: idNumber(order.transaction_id ?? '0'),
    orderId: order.order_id,
    transactionDate: iso(order.transaction_date),
    payInfo: payInfo(order),
    ...versionExtras(ctx, order),
  });
}

const PAID: ReadonlySet<OrderStatus> = new Set(['COMPLETE', 'AUTHORIZATION']);

export function details(ctx: OperationContext): LineAnswer {
  const orderId = ctx.query.get('orderId');
  const transactionId = ctx.query.get('transactionId');
  if (orderId === null && transactionId === null) return paramError('orderId or transactionId');
  if (transactionId !== null && !/^\d{1,20}$/.test(transactionId))
    return paramError('transactionId');
  const { state, channel } = ctx;
  let order =
    orderId !== null
      ? state.order(channel.channel_id, orderId)
      : state.orderByTransactionId(channel.channel_id, transactionId ?? '');
  if (order && transactionId !== null && order.transaction_id !== transactionId) order = undefined;
  if (order) order = settleDue(state, order, ctx.now);
  if (!order || !PAID.has(order.status)) return answer(ReturnCode.NotFound);
  const entry: LosslessObject = {
    transactionId: idNumber(order.transaction_id ?? '0'),
    transactionDate: iso(order.transaction_date),
    transactionType: 'PAYMENT',
    productName: order.product_name,
    currency: order.currency,
    orderId: order.order_id,
    payInfo: payInfo(order),
  };
  if (ctx.version === 'v4') entry.paymentProvider = 'TSP';
  const refunds = state.refunds(channel.channel_id, order.order_id);
  if (refunds.length > 0) {
    entry.refundList = refunds.map((r) => ({
      refundTransactionId: idNumber(r.refund_transaction_id),
      transactionType: r.transaction_type,
      refundAmount: -r.amount,
      refundTransactionDate: iso(r.refund_transaction_date),
    }));
  }
  return answer(ReturnCode.Success, [entry]);
}

export function refund(ctx: OperationContext): LineAnswer {
  const order = findOrder(ctx);
  if (
    !order ||
    order.status === 'FAIL' ||
    order.status === 'CANCEL' ||
    order.status === 'AUTH_READY'
  )
    return answer(ReturnCode.NotFound);
  if (order.status !== 'COMPLETE') return answer(ReturnCode.CannotProceed);
  const remaining = order.amount - order.refunded;
  if (remaining <= 0) return answer(ReturnCode.AlreadyRefunded);
  const b = ctx.body ?? {};
  let amount = remaining;
  if (b.refundAmount !== undefined && b.promotionRestriction === undefined) {
    if (typeof b.refundAmount !== 'number') return paramError('refundAmount');
    const bad = amountRefusal(b.refundAmount, order.currency);
    if (bad) return bad;
    if (b.refundAmount > remaining) return answer(ReturnCode.RefundLimitExceeded);
    amount = b.refundAmount;
  }
  const id = newTransactionId(ctx.state, ctx.now);
  ctx.state.insertRefund({
    refund_transaction_id: id,
    channel_id: order.channel_id,
    order_id: order.order_id,
    amount,
    transaction_type: amount === order.amount ? 'PAYMENT_REFUND' : 'PARTIAL_REFUND',
    refund_transaction_date: ctx.now,
  });
  ctx.state.updateOrder(order, { refunded: order.refunded + amount });
  ctx.state.adjustBalance(order.one_time_key, amount);
  return answer(ReturnCode.Success, {
    refundTransactionId: idNumber(id),
    refundTransactionDate: iso(ctx.now),
  });
}

export function voidAuthorization(ctx: OperationContext): LineAnswer {
  const order = findOrder(ctx);
  if (!order || order.status === 'FAIL' || order.status === 'AUTH_READY')
    return answer(ReturnCode.NotFound);
  if (order.status !== 'AUTHORIZATION') return answer(ReturnCode.CannotProceed);
  ctx.state.updateOrder(order, { status: 'VOIDED_AUTHORIZATION' });
  ctx.state.adjustBalance(order.one_time_key, order.amount);
  return answer(ReturnCode.Success, undefined, 'OK');
}

export function capture(ctx: OperationContext): LineAnswer {
  const order = findOrder(ctx);
  if (!order || order.status === 'FAIL' || order.status === 'AUTH_READY')
    return answer(ReturnCode.NotFound);
  if (order.status !== 'AUTHORIZATION') return answer(ReturnCode.CannotProceed);
  const b = ctx.body;
  if (!b) return answer(ReturnCode.JsonFormatError);
  if (typeof b.amount !== 'number') return paramError('amount');
  if (b.currency !== order.currency) return answer(ReturnCode.CurrencyNotSupported);
  const bad = amountRefusal(b.amount, order.currency);
  if (bad) return bad;
  if (b.amount > order.amount) return answer(ReturnCode.AmountTooLarge);
  // Capturing less releases the rest to the customer.
  ctx.state.adjustBalance(order.one_time_key, order.amount - b.amount);
  const captured = ctx.state.updateOrder(order, { status: 'COMPLETE', amount: b.amount });
  const info: LosslessObject = {
    transactionId: idNumber(captured.transaction_id ?? '0'),
    orderId: captured.order_id,
    transactionDate: iso(captured.transaction_date),
    payInfo: payInfo(captured),
  };
  if (ctx.version === 'v4') info.paymentProvider = 'TSP';
  return answer(ReturnCode.Success, info);
}

export const HANDLERS: Record<LineOperation, (ctx: OperationContext) => LineAnswer> = {
  pay,
  check,
  details,
  refund,
  void: voidAuthorization,
  capture,
};
