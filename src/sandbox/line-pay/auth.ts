import type { IncomingHttpHeaders } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import {
  type LineApiVersion,
  LineHeader,
  v4SignatureMatches,
} from '../../providers/line-pay/signing.js';
import { ReturnCode } from '../../providers/line-pay/return-codes.js';
import type { ChannelRow, LinePayState } from './state.js';

/** Who is calling: v2 clear secret or v4 HMAC over the raw path, query or body. */

export type Authenticated = { ok: true; channel: ChannelRow };
export type Refused = { ok: false; returnCode: string; returnMessage: string };

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

const refuse = (returnCode: string, returnMessage: string): Refused => ({
  ok: false,
  returnCode,
  returnMessage,
});

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface RawRequest {
  method: string;
  version: LineApiVersion;
  /** The path as received (percent-encoding untouched). */
  rawPath: string;
  /** The query as received, without `?`; '' when none. */
  rawQuery: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export function authenticate(state: LinePayState, request: RawRequest): Authenticated | Refused {
  const channelId = header(request.headers, LineHeader.ChannelId);
  const channel = channelId === undefined ? undefined : state.channel(channelId);
  if (!channel) {
    return refuse(
      ReturnCode.HeaderError,
      'Header information error. X-LINE-ChannelId data is invalid.',
    );
  }
  if (channel.api_versions !== 'both' && channel.api_versions !== request.version) {
    return refuse(
      ReturnCode.HeaderError,
      `Header information error. API ${request.version} is not enabled for this channel.`,
    );
  }
  if (request.version === 'v2') {
    const secret = header(request.headers, LineHeader.ChannelSecret);
    if (secret === undefined || secret === '') {
      return refuse(
        ReturnCode.HeaderError,
        'Header information error. X-LINE-ChannelSecret is required header.',
      );
    }
    if (!sameText(secret, channel.channel_secret)) {
      return refuse(ReturnCode.MerchantNotFound, 'Merchant not found.');
    }
    return { ok: true, channel };
  }
  const nonce = header(request.headers, LineHeader.Nonce);
  const mac = header(request.headers, LineHeader.Authorization);
  if (nonce === undefined || nonce === '' || mac === undefined || mac === '') {
    return refuse(
      ReturnCode.HeaderError,
      'Header information error. authorization is required header.',
    );
  }
  const signed = request.method === 'GET' ? request.rawQuery : request.body.toString('utf8');
  if (!v4SignatureMatches(channel.channel_secret, request.rawPath, signed, nonce, mac)) {
    return refuse(ReturnCode.HeaderError, 'Header information error. request verification Failed');
  }
  return { ok: true, channel };
}
