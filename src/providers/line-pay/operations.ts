import { randomUUID } from 'node:crypto';
import { statusVerdict, type UpstreamClient, type UpstreamOutcome } from '../../upstream/client.js';
import { type LosslessObject, parseLosslessObject } from '../../core/lossless-json.js';
import { authHeaders, type LineChannel, LineHeader } from './signing.js';
import {
  LinePath,
  type PaymentDetailsQuery,
  type PayRequestV2,
  type PayRequestV4,
  type RefundRequest,
} from './wire.js';

/**
 * One function per LINE Pay Offline operation, over the shared upstream client.
 * Each returns what happened in LINE's terms:
 * - `answered`: HTTP 200 with a JSON object carrying a returnCode (any code);
 * - `not_sent`: the request certainly never reached LINE;
 * - `unknown`: it may have reached LINE, the outcome was not learned (time-out,
 *   reset, HTTP 5xx of any body);
 * - `untrusted`: an answer came but is not LINE's (other status, not JSON, no code).
 */
export type LineOutcome =
  | {
      kind: 'answered';
      /** 4 characters, `0000` = success. */
      returnCode: string;
      returnMessage: string;
      /** The whole body, 19-digit ids exact. */
      body: LosslessObject;
      /** The body as received. */
      raw: string;
      latencyMs: number;
    }
  | { kind: 'not_sent'; reason: string; latencyMs: number }
  | { kind: 'unknown'; reason: string; latencyMs: number; httpStatus?: number }
  | { kind: 'untrusted'; reason: string; latencyMs: number; httpStatus?: number };

/** Read time-outs LINE asks for: at least 40 s for pay, 20 s for the rest. */
export const LINE_TIMEOUTS = { payMs: 40_000, otherMs: 20_000 } as const;

/** Where one call goes. `baseUrl` is an origin (`https://api-pay.line.me`). */
export interface LinePayTarget {
  baseUrl: string;
  channel: LineChannel;
  /** `X-LINE-MerchantDeviceProfileId`, e.g. `000030_k1`. */
  deviceProfileId?: string;
  /** `X-LINE-MerchantDeviceType`, sent with the profile id. */
  deviceType?: string;
}

export interface CallOptions {
  /** The deadline of this call; LINE_TIMEOUTS by default. */
  timeoutMs?: number;
  /** v4 nonce; a random UUID by default (tests fix it). */
  nonce?: string;
}

/** Checks an HTTP answer from LINE: status, then JSON, then returnCode. */
export function interpretLineAnswer(status: number, raw: Buffer, latencyMs: number): LineOutcome {
  const notOk = statusVerdict(status, latencyMs);
  if (notOk) return notOk;
  const text = raw.toString('utf8');
  const body = parseLosslessObject(text);
  if (!body) return { kind: 'untrusted', reason: 'answer is not a JSON object', latencyMs };
  // LINE's v4 overview shows resultCode/statusMessage in one example; real traffic
  // uses returnCode/returnMessage. Both are read.
  const code = body.returnCode ?? body.resultCode;
  let returnCode: string | null = null;
  if (typeof code === 'string' && /^\d{4}$/.test(code)) returnCode = code;
  else if (typeof code === 'number' && Number.isSafeInteger(code) && code >= 0 && code <= 9999)
    returnCode = String(code).padStart(4, '0');
  if (returnCode === null)
    return { kind: 'untrusted', reason: 'answer has no returnCode', latencyMs };
  const message = body.returnMessage ?? body.statusMessage;
  return {
    kind: 'answered',
    returnCode,
    returnMessage: typeof message === 'string' ? message : '',
    body,
    raw: text,
    latencyMs,
  };
}

function fromUpstream(outcome: UpstreamOutcome): LineOutcome {
  if (outcome.kind !== 'answered') return outcome;
  return interpretLineAnswer(outcome.status, outcome.body, outcome.latencyMs);
}

/** Sends one request; `query` without `?`, `body` the exact bytes (signed as they are). */
async function send(
  client: UpstreamClient,
  to: LinePayTarget,
  method: 'GET' | 'POST',
  apiPath: string,
  query: string,
  body: string | undefined,
  timeoutMs: number,
  nonce: string | undefined,
): Promise<LineOutcome> {
  let origin: string;
  try {
    const base = new URL(to.baseUrl);
    if (base.pathname !== '/' || base.search !== '') {
      return { kind: 'not_sent', reason: 'base URL must be an origin', latencyMs: 0 };
    }
    origin = base.origin;
  } catch {
    return { kind: 'not_sent', reason: 'ERR_INVALID_URL', latencyMs: 0 };
  }
  const signed = method === 'GET' ? query : (body ?? '');
  const headers: Record<string, string> = {
    ...authHeaders(to.channel, apiPath, signed, nonce ?? randomUUID()),
  };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (to.deviceProfileId !== undefined) headers[LineHeader.DeviceProfileId] = to.deviceProfileId;
  if (to.deviceType !== undefined) headers[LineHeader.DeviceType] = to.deviceType;
  const outcome = await client.send({
    origin,
    path: query === '' ? apiPath : `${apiPath}?${query}`,
    method,
    headers,
    body,
    timeoutMs,
  });
  return fromUpstream(outcome);
}

/** The pay body for the channel's version: v2 as is, v4 with one package of one product. */
export function payBody(channel: LineChannel, req: PayRequestV2): string {
  if (channel.apiVersion === 'v2') return JSON.stringify(req);
  const v4: PayRequestV4 = {
    amount: req.amount,
    currency: req.currency,
    orderId: req.orderId,
    oneTimeKey: req.oneTimeKey,
    packages: [
      {
        id: req.orderId,
        amount: req.amount,
        products: [{ name: req.productName, quantity: 1, price: req.amount }],
      },
    ],
  };
  if (req.capture !== undefined || req.extras !== undefined) {
    v4.options = {};
    if (req.capture !== undefined) v4.options.payment = { capture: req.capture };
    if (req.extras !== undefined) v4.options.extra = req.extras;
  }
  return JSON.stringify(v4);
}

/** Pay with the customer's oneTimeKey (My Code). */
export function pay(
  client: UpstreamClient,
  to: LinePayTarget,
  req: PayRequestV2,
  options: CallOptions = {},
): Promise<LineOutcome> {
  const v = to.channel.apiVersion;
  const timeout = options.timeoutMs ?? LINE_TIMEOUTS.payMs;
  return send(
    client,
    to,
    'POST',
    LinePath.pay(v),
    '',
    payBody(to.channel, req),
    timeout,
    options.nonce,
  );
}

/** The order's payment status (`info.status`). */
export function checkPayment(
  client: UpstreamClient,
  to: LinePayTarget,
  orderId: string,
  options: CallOptions = {},
): Promise<LineOutcome> {
  const path = LinePath.check(to.channel.apiVersion, orderId);
  const timeout = options.timeoutMs ?? LINE_TIMEOUTS.otherMs;
  return send(client, to, 'GET', path, '', undefined, timeout, options.nonce);
}

/** The query string of payment details, as sent and signed. */
export function detailsQuery(query: PaymentDetailsQuery): string {
  const parts: string[] = [];
  if (query.orderId !== undefined) parts.push(`orderId=${encodeURIComponent(query.orderId)}`);
  if (query.transactionId !== undefined) {
    if (!/^\d{1,20}$/.test(query.transactionId)) throw new TypeError('transactionId is digits');
    parts.push(`transactionId=${query.transactionId}`);
  }
  return parts.join('&');
}

/** Payment details by orderId and/or transactionId, with refundList. */
export function paymentDetails(
  client: UpstreamClient,
  to: LinePayTarget,
  query: PaymentDetailsQuery,
  options: CallOptions = {},
): Promise<LineOutcome> {
  const path = LinePath.details(to.channel.apiVersion);
  const timeout = options.timeoutMs ?? LINE_TIMEOUTS.otherMs;
  let queryString: string;
  try {
    queryString = detailsQuery(query);
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'invalid query';
    return Promise.resolve({ kind: 'not_sent', reason, latencyMs: 0 });
  }
  return send(client, to, 'GET', path, queryString, undefined, timeout, options.nonce);
}

/** Refund part (refundAmount) or all that remains (no refundAmount: sent with no body). */
export function refund(
  client: UpstreamClient,
  to: LinePayTarget,
  orderId: string,
  req: RefundRequest,
  options: CallOptions = {},
): Promise<LineOutcome> {
  const path = LinePath.refund(to.channel.apiVersion, orderId);
  const body = req.refundAmount === undefined ? undefined : JSON.stringify(req);
  const timeout = options.timeoutMs ?? LINE_TIMEOUTS.otherMs;
  return send(client, to, 'POST', path, '', body, timeout, options.nonce);
}

/** Void an uncaptured authorization (no body; the empty string is signed). */
export function voidAuthorization(
  client: UpstreamClient,
  to: LinePayTarget,
  orderId: string,
  options: CallOptions = {},
): Promise<LineOutcome> {
  const path = LinePath.void(to.channel.apiVersion, orderId);
  const timeout = options.timeoutMs ?? LINE_TIMEOUTS.otherMs;
  return send(client, to, 'POST', path, '', undefined, timeout, options.nonce);
}
