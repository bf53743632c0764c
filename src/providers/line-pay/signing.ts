import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * LINE Pay's request authentication (docs/line-pay.md):
 * - v2: the channel id and secret in clear headers;
 * - v4: `X-LINE-Authorization = Base64(HMAC-SHA256(key = channelSecret,
 *   channelSecret + apiPath + (query string for GET | body for POST) + nonce))`,
 *   over exactly the bytes sent (path as sent, query without `?`, raw body,
 *   `""` for a body-less POST).
 */

export const LineHeader = {
  ChannelId: 'X-LINE-ChannelId',
  ChannelSecret: 'X-LINE-ChannelSecret',
  Nonce: 'X-LINE-Authorization-Nonce',
  Authorization: 'X-LINE-Authorization',
  DeviceProfileId: 'X-LINE-MerchantDeviceProfileId',
  DeviceType: 'X-LINE-MerchantDeviceType',
} as const;

export type LineApiVersion = 'v2' | 'v4';

/** The MAC LINE expects, from the message parts exactly as sent. */
export function v4Signature(
  channelSecret: string,
  apiPath: string,
  queryOrBody: string,
  nonce: string,
): string {
  return createHmac('sha256', channelSecret)
    .update(channelSecret + apiPath + queryOrBody + nonce)
    .digest('base64');
}

/** Compares a received MAC with the expected one in constant time. */
export function v4SignatureMatches(
  channelSecret: string,
  apiPath: string,
  queryOrBody: string,
  nonce: string,
  received: string,
): boolean {
  const expected = Buffer.from(v4Signature(channelSecret, apiPath, queryOrBody, nonce), 'utf8');
  const given = Buffer.from(received, 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export interface LineChannel {
  channelId: string;
  /** Revealed only to sign or to fill the v2 header. */
  channelSecret: { reveal(): string };
  apiVersion: LineApiVersion;
}

/**
 * The authentication headers of one request. `apiPath` is the path as sent
 * (percent-encoded); `queryOrBody` the query without `?` (GET) or the body
 * bytes (POST, `""` when there is none).
 */
export function authHeaders(
  channel: LineChannel,
  apiPath: string,
  queryOrBody: string,
  nonce: string = randomUUID(),
): Record<string, string> {
  const secret = channel.channelSecret.reveal();
  if (channel.apiVersion === 'v2') {
    return { [LineHeader.ChannelId]: channel.channelId, [LineHeader.ChannelSecret]: secret };
  }
  return {
    [LineHeader.ChannelId]: channel.channelId,
    [LineHeader.Nonce]: nonce,
    [LineHeader.Authorization]: v4Signature(secret, apiPath, queryOrBody, nonce),
  };
}
