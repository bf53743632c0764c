import { describe, expect, it } from 'vitest';
import { Secret } from '../../../src/core/secret.js';
import {
  authHeaders,
  v4Signature,
  v4SignatureMatches,
} from '../../../src/providers/line-pay/signing.js';

// line-pay.md §2.2 test vectors.
const SECRET = 'a917ab6a2367b536f8e5a6e2977e06f4';
const NONCE = '6f0b6b0e-2c1b-4a53-9e3a-0c1c2f6a9d11';

describe('v4 HMAC known answers (line-pay.md §2.2)', () => {
  it.each([
    [
      'POST pay',
      '/v4/payments/oneTimeKeys/pay',
      '{"amount":100,"currency":"TWD","oneTimeKey":"123456789012345678","orderId":"ORDER-001"}',
      'wk/0pcpK59AtxONwVUxpZr14DZfBm/yOWG5xrB71DBc=',
    ],
    [
      'GET check',
      '/v4/payments/orders/ORDER-001/check',
      '',
      'hNkDQfHIqrmHIGd5trtWuLMcFsKv86CAzA24KmoJH9U=',
    ],
    [
      'GET details',
      '/v4/payments',
      'orderId=ORDER-001',
      '6GDRt1d72ifVlOLPw480mHTDpPTyao8A3l8I1asMxtc=',
    ],
    [
      'POST void, no body',
      '/v4/payments/orders/ORDER-001/void',
      '',
      '8cAlAl1QjN/91bU4XOkx9IV6B8hbElg6qaJmU/EAhcc=',
    ],
    [
      'POST void, body {}',
      '/v4/payments/orders/ORDER-001/void',
      '{}',
      'u+GgALB7CPB5bHOR/ck09Y/UfXgcJ+NG4sNELDxqPZI=',
    ],
  ])('%s', (_name, path, queryOrBody, expected) => {
    expect(v4Signature(SECRET, path, queryOrBody, NONCE)).toBe(expected);
    expect(v4SignatureMatches(SECRET, path, queryOrBody, NONCE, expected)).toBe(true);
    expect(v4SignatureMatches(SECRET, path, `${queryOrBody} `, NONCE, expected)).toBe(false);
    expect(v4SignatureMatches(SECRET, path, queryOrBody, NONCE, 'short')).toBe(false);
  });
});

describe('authHeaders', () => {
  it('v2: the channel id and secret in clear', () => {
    const channel = {
      channelId: '1234567890',
      channelSecret: new Secret(SECRET),
      apiVersion: 'v2' as const,
    };
    expect(authHeaders(channel, '/v2/payments', 'orderId=A')).toEqual({
      'X-LINE-ChannelId': '1234567890',
      'X-LINE-ChannelSecret': SECRET,
    });
  });

  it('v4: nonce and the MAC over exactly the parts given, no secret', () => {
    const channel = {
      channelId: '1234567890',
      channelSecret: new Secret(SECRET),
      apiVersion: 'v4' as const,
    };
    const headers = authHeaders(channel, '/v4/payments', 'orderId=ORDER-001', NONCE);
    expect(headers).toEqual({
      'X-LINE-ChannelId': '1234567890',
      'X-LINE-Authorization-Nonce': NONCE,
      'X-LINE-Authorization': '6GDRt1d72ifVlOLPw480mHTDpPTyao8A3l8I1asMxtc=',
    });
    expect(JSON.stringify(headers)).not.toContain(SECRET);
  });
});
