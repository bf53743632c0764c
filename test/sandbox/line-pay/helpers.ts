import { randomUUID } from 'node:crypto';
import { type LosslessObject, parseLosslessObject } from '../../../src/core/lossless-json.js';
import { v4Signature } from '../../../src/providers/line-pay/signing.js';
import type { SandboxHandle } from '../../../src/sandbox/index.js';

/**
 * Test helpers for the LINE Pay simulator: plain fetch over a real socket, the
 * v4 MAC computed here from the parts as sent, answers parsed losslessly.
 */

export interface TestChannel {
  channelId: string;
  channelSecret: string;
  currency: string;
}

export async function control<T = Record<string, unknown>>(
  sandbox: SandboxHandle,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(sandbox.url + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

export async function newChannel(
  sandbox: SandboxHandle,
  body: Record<string, unknown> = {},
): Promise<TestChannel> {
  const reply = await control<TestChannel>(sandbox, 'POST', '/sandbox/line-pay/channels', {
    currency: 'TWD',
    ...body,
  });
  if (reply.status !== 201) throw new Error(`channel: ${JSON.stringify(reply.body)}`);
  return reply.body;
}

export async function newKey(
  sandbox: SandboxHandle,
  channel: TestChannel,
  balance = 1000,
  more: Record<string, unknown> = {},
): Promise<string> {
  const reply = await control<{ oneTimeKey: string }>(
    sandbox,
    'POST',
    '/sandbox/line-pay/one-time-keys',
    {
      channelId: channel.channelId,
      balance,
      ...more,
    },
  );
  if (reply.status !== 201) throw new Error(`key: ${JSON.stringify(reply.body)}`);
  return reply.body.oneTimeKey;
}

export interface LineReply {
  status: number;
  text: string;
  body: LosslessObject | null;
  returnCode: string | undefined;
}

export interface SendOptions {
  version?: 'v2' | 'v4';
  /** Overrides or removes (undefined) headers after signing. */
  headers?: Record<string, string | undefined>;
  secret?: string;
}

/** One request on a LINE path; `path` under `/vN`, e.g. `/payments/oneTimeKeys/pay`. */
export async function line(
  sandbox: SandboxHandle,
  channel: TestChannel,
  method: 'GET' | 'POST',
  path: string,
  payload?: string | object,
  options: SendOptions = {},
): Promise<LineReply> {
  const version = options.version ?? 'v2';
  const [apiPath, query = ''] = `/${version}${path}`.split('?') as [string, string?];
  const body =
    payload === undefined
      ? undefined
      : typeof payload === 'string'
        ? payload
        : JSON.stringify(payload);
  const secret = options.secret ?? channel.channelSecret;
  const nonce = randomUUID();
  const headers: Record<string, string> = { 'X-LINE-ChannelId': channel.channelId };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (version === 'v2') headers['X-LINE-ChannelSecret'] = secret;
  else {
    headers['X-LINE-Authorization-Nonce'] = nonce;
    headers['X-LINE-Authorization'] = v4Signature(
      secret,
      apiPath,
      method === 'GET' ? query : (body ?? ''),
      nonce,
    );
  }
  const overrides = options.headers ?? {};
  const sent = Object.fromEntries(
    Object.entries({ ...headers, ...overrides }).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );
  const res = await fetch(sandbox.url + apiPath + (query === '' ? '' : `?${query}`), {
    method,
    headers: sent,
    body,
  });
  const text = await res.text();
  const parsed = parseLosslessObject(text);
  const code = parsed?.returnCode;
  return {
    status: res.status,
    text,
    body: parsed,
    returnCode: typeof code === 'string' ? code : undefined,
  };
}

export function payBody(key: string, orderId: string, amount = 100, more: object = {}): object {
  return {
    productName: 'test product',
    amount,
    currency: 'TWD',
    orderId,
    oneTimeKey: key,
    ...more,
  };
}

let seq = 0;
export const newOrderId = (): string => `ORDER-${process.pid}-${Date.now()}-${(seq += 1)}`;
