import { randomBytes, randomInt } from 'node:crypto';
import { LINE_CURRENCIES } from '../../providers/line-pay/wire.js';
import { FaultInputError } from '../faults.js';
import { type ControlAnswer, ControlError, jsonObjectBody } from '../wallet.js';
import type { LineCall } from './handler.js';
import { settleDue } from './operations.js';
import type { ChannelVersions, LinePayState } from './state.js';
import { checkChannelId } from './faults.js';

/** The `/sandbox/line-pay/*` control endpoints. */

export interface LineControlDeps {
  state: LinePayState;
  calls(channelId?: string): LineCall[];
}

const ONE_TIME_KEY_TTL_MS = 5 * 60_000;
const MAX_BALANCE = 1_000_000_000;
const METHODS = ['BALANCE', 'CREDIT_CARD', 'POINT'] as const;

function channelIdOf(value: unknown): string {
  try {
    return checkChannelId(value);
  } catch (error) {
    if (error instanceof FaultInputError) throw new ControlError(400, error.message);
    throw error;
  }
}

const digits = (n: number): string => {
  let out = String(randomInt(1, 10));
  while (out.length < n) out += String(randomInt(0, 10));
  return out;
};

function createChannel(state: LinePayState, body: Buffer): ControlAnswer {
  const input = jsonObjectBody(body, true);
  const { currency = 'TWD', apiVersion = 'both', captureSeparation = false } = input;
  if (typeof currency !== 'string' || !(LINE_CURRENCIES as readonly string[]).includes(currency))
    throw new ControlError(400, `currency must be one of ${LINE_CURRENCIES.join(', ')}`);
  if (apiVersion !== 'v2' && apiVersion !== 'v4' && apiVersion !== 'both')
    throw new ControlError(400, 'apiVersion must be v2, v4 or both');
  if (typeof captureSeparation !== 'boolean')
    throw new ControlError(400, 'captureSeparation must be a boolean');
  let channelId = digits(10);
  while (state.channel(channelId)) channelId = digits(10);
  const channelSecret = randomBytes(16).toString('hex');
  state.insertChannel(
    {
      channel_id: channelId,
      channel_secret: channelSecret,
      currency,
      api_versions: apiVersion as ChannelVersions,
      capture_separation: captureSeparation ? 1 : 0,
    },
    Date.now(),
  );
  return {
    status: 201,
    body: { channelId, channelSecret, currency, apiVersion, captureSeparation },
  };
}

function issueOneTimeKey(state: LinePayState, body: Buffer): ControlAnswer {
  const input = jsonObjectBody(body, false);
  const channelId = channelIdOf(input.channelId);
  const channel = state.channel(channelId);
  if (!channel) throw new ControlError(404, 'no channel with this channelId');
  const { balance, method = 'BALANCE', ttlSeconds = ONE_TIME_KEY_TTL_MS / 1000 } = input;
  if (
    typeof balance !== 'number' ||
    !Number.isSafeInteger(balance) ||
    balance < 0 ||
    balance > MAX_BALANCE
  )
    throw new ControlError(400, `balance must be an integer from 0 to ${MAX_BALANCE}`);
  if (typeof method !== 'string' || !(METHODS as readonly string[]).includes(method))
    throw new ControlError(400, `method must be one of ${METHODS.join(', ')}`);
  // Shorter lives let tests reach an expired key; a key never lives longer than LINE's 5 minutes.
  if (
    typeof ttlSeconds !== 'number' ||
    !Number.isSafeInteger(ttlSeconds) ||
    ttlSeconds < 0 ||
    ttlSeconds > 300
  )
    throw new ControlError(400, 'ttlSeconds must be an integer from 0 to 300');
  // TW (and the JP-era TWD/JPY channels here) use 18 digits; TH and global 12.
  const length = channel.currency === 'TWD' || channel.currency === 'JPY' ? 18 : 12;
  let key = digits(length);
  while (state.oneTimeKey(key)) key = digits(length);
  const expiresAt = Date.now() + ttlSeconds * 1000;
  state.insertOneTimeKey({
    one_time_key: key,
    channel_id: channelId,
    method,
    balance,
    expires_at: expiresAt,
    used_at: null,
  });
  return { status: 201, body: { oneTimeKey: key, expiresAt: new Date(expiresAt).toISOString() } };
}

/** The ids the next payments and refunds get, in order (any channel). */
function queueTransactionIds(state: LinePayState, body: Buffer): ControlAnswer {
  const input = jsonObjectBody(body, false);
  const ids = input.transactionIds;
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > 100)
    throw new ControlError(400, 'transactionIds must be a list of 1 to 100 strings of 19 digits');
  const checked: string[] = [];
  for (const id of ids) {
    if (typeof id !== 'string' || !/^[1-9]\d{18}$/.test(id))
      throw new ControlError(
        400,
        'each transactionId must be a string of 19 digits, not starting with 0',
      );
    if (state.transactionIdTaken(id) || checked.includes(id))
      throw new ControlError(409, `transactionId ${id} is already used or queued`);
    checked.push(id);
  }
  state.atomically(() => {
    for (const id of checked) state.queueTransactionId(id);
  });
  return { status: 201, body: { queued: checked.length } };
}

function showOneTimeKey(state: LinePayState, key: string): ControlAnswer {
  const row = state.oneTimeKey(key);
  if (!row) throw new ControlError(404, 'no such oneTimeKey');
  return {
    status: 200,
    body: {
      oneTimeKey: row.one_time_key,
      channelId: row.channel_id,
      method: row.method,
      balance: row.balance,
      expiresAt: new Date(row.expires_at).toISOString(),
      usedAt: row.used_at === null ? null : new Date(row.used_at).toISOString(),
    },
  };
}

function showOrder(state: LinePayState, query: URLSearchParams, orderId: string): ControlAnswer {
  const channelId = channelIdOf(query.get('channelId') ?? undefined);
  const stored = state.order(channelId, orderId);
  if (!stored) throw new ControlError(404, 'no such order');
  const order = settleDue(state, stored, Date.now());
  return {
    status: 200,
    body: {
      channelId: order.channel_id,
      orderId: order.order_id,
      transactionId: order.transaction_id,
      status: order.status,
      amount: order.amount,
      refunded: order.refunded,
      currency: order.currency,
      failReturnCode: order.fail_return_code,
      refunds: state.refunds(channelId, orderId).map((r) => ({
        refundTransactionId: r.refund_transaction_id,
        amount: r.amount,
        transactionType: r.transaction_type,
      })),
    },
  };
}

/** Answers a LINE Pay control request; undefined when the path is not one. */
export function handleLineControl(
  deps: LineControlDeps,
  method: string,
  path: string,
  query: URLSearchParams,
  body: Buffer,
): ControlAnswer | undefined {
  if (!path.startsWith('/sandbox/line-pay/')) return undefined;
  const key = `${method} ${path}`;
  switch (key) {
    case 'POST /sandbox/line-pay/channels':
      return createChannel(deps.state, body);
    case 'POST /sandbox/line-pay/one-time-keys':
      return issueOneTimeKey(deps.state, body);
    case 'POST /sandbox/line-pay/transaction-ids':
      return queueTransactionIds(deps.state, body);
    case 'GET /sandbox/line-pay/calls': {
      const channelId = query.get('channelId');
      return {
        status: 200,
        body: deps.calls(channelId === null ? undefined : channelIdOf(channelId)),
      };
    }
  }
  const keyPath = /^\/sandbox\/line-pay\/one-time-keys\/(\d+)$/.exec(path);
  if (keyPath && method === 'GET') return showOneTimeKey(deps.state, keyPath[1]!);
  const orderPath = /^\/sandbox\/line-pay\/orders\/([^/]+)$/.exec(path);
  if (orderPath && method === 'GET') {
    let orderId: string;
    try {
      orderId = decodeURIComponent(orderPath[1]!);
    } catch {
      throw new ControlError(400, 'orderId is not percent-encoded correctly');
    }
    return showOrder(deps.state, query, orderId);
  }
  return undefined;
}
