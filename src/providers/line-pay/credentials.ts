import { CredentialInputError, type WalletCredentials } from '../types.js';

/**
 * LINE Pay's credentials (金流參數): a channel id and its secret. In the vendor
 * scenario both come in the request (the secret is never stored, logged or
 * echoed); in the store scenario the store names the channel and the secret is
 * stored for it, sealed, with the channel's API version (v2 headers or v4 HMAC).
 */

export const CHANNEL_FIELDS = { secret: 'channel_secret', apiVersion: 'api_version' } as const;

const CHANNEL_ID = /^\d{1,20}$/;
/** LINE issues 32 hex characters; anything printable without spaces, up to 128, is accepted. */
const CHANNEL_SECRET = /^[\x21-\x7e]{1,128}$/;

export const lineCredentials: WalletCredentials = {
  logRedacted: ['channel_secret', 'channelSecret', 'X-LINE-ChannelSecret', 'x-line-channelsecret'],
  requestFields: ['channel_id', 'channel_secret'],
  optionalRequestFields: [],
  // The vendor scenario carries the secret; the store scenario needs the stored one.
  storedCredentialId: (c) => (c.channel_secret === undefined ? c.channel_id : undefined),
  notConfiguredMessage: (id) => `channel_id ${id} 未設定金鑰`,
  accountId: (c) => c.channel_id!,
  fromStore: (account) => ({ channel_id: account.channel_id! }),
  // A vendor call's secret was never stored: it is checkable only if the channel is stored too.
  fromLedger: (row) => (row.accountId ? { channel_id: row.accountId } : undefined),
  // The order check's returnCode and the payment's payStatus (COMPLETE, AUTH_READY, …).
  describeAttempt: (a) => ({
    returnCode: a.rtnCode === null ? null : String(a.rtnCode).padStart(4, '0'),
    payStatus: a.tradeStatus,
  }),
  describeRow: (row) => ({
    channel_id: row.accountId,
    orderId: row.merchantTradeNo,
    transactionId: row.upstreamId,
    returnCode: row.rtnCode === null ? null : String(row.rtnCode).padStart(4, '0'),
    returnMessage: row.rtnMsg,
  }),

  storeOptions: [
    { name: 'channel-id', description: 'LINE Pay channel id', required: true, input: 'value' },
    {
      name: 'channel-secret',
      description: 'LINE Pay channel secret',
      required: true,
      input: 'secret',
    },
    {
      name: 'api-version',
      description: 'LINE Pay Offline API version: v2 (headers, default) or v4 (HMAC)',
      required: false,
      input: 'value',
      choices: ['v2', 'v4'],
    },
  ],
  prepareStore(input) {
    const channelId = input['channel-id'] ?? '';
    if (!CHANNEL_ID.test(channelId))
      throw new CredentialInputError('channel id must be 1-20 digits');
    const secret = (input['channel-secret'] ?? '').trim();
    if (!CHANNEL_SECRET.test(secret)) {
      throw new CredentialInputError('channel secret must be 1-128 printable characters');
    }
    const apiVersion = input['api-version'] ?? 'v2';
    if (apiVersion !== 'v2' && apiVersion !== 'v4')
      throw new CredentialInputError('api version must be v2 or v4');
    return {
      account: { channel_id: channelId },
      credentialId: channelId,
      credential: {
        public: { [CHANNEL_FIELDS.apiVersion]: apiVersion },
        secret: { [CHANNEL_FIELDS.secret]: secret },
      },
    };
  },
  credentialOptions: [],
  prepareCredential() {
    throw new CredentialInputError(
      'LINE Pay channels are stored with `store set --type LINE_QRCODE_PAY --channel-secret-file`',
    );
  },
};
