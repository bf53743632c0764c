import { isIdentifier } from '../../core/ids.js';
import { CredentialInputError, type WalletCredentials } from '../types.js';
import { AesMaterial } from './envelope.js';
import { loadPrivateKey, loadPublicKey, privateKeyToPem, publicKeyToPem } from './keys.js';
import { ICASH_ID_MAX_LENGTH } from './wire.js';

/**
 * icash's credentials: a merchant (PlatformID, MerchantID, optional StoreID)
 * and, per PlatformID and environment, a key set (AES key and IV with their
 * key id, the client private key, icash's server public key). The key set
 * cannot travel in a request, so both scenarios need it stored.
 */

/** The stored key set's fields: public ones in the clear, the rest sealed. */
export const KEY_SET_FIELDS = {
  encKeyId: 'enc_key_id',
  serverPublicKey: 'server_public_key',
  aesKey: 'aes_key',
  aesIv: 'aes_iv',
  clientPrivateKey: 'client_private_key',
} as const;

function requireId(value: string | undefined, what: string): string {
  if (value === undefined || !isIdentifier(value, ICASH_ID_MAX_LENGTH)) {
    throw new CredentialInputError(
      `${what} must be 1-${ICASH_ID_MAX_LENGTH} letters, digits, - or _`,
    );
  }
  return value;
}

const required = (input: Readonly<Record<string, string>>, name: string): string => {
  const value = input[name];
  if (value === undefined) throw new CredentialInputError(`--${name} is required`);
  return value;
};

export const icashCredentials: WalletCredentials = {
  // The sandbox's onboarding names, and the encrypted payload of every icash message.
  logRedacted: ['AESKey', 'AESIV', 'ClientPrivateKey', 'EncData'],
  requestFields: ['PlatformID', 'MerchantID'],
  optionalRequestFields: ['StoreID'],
  storedCredentialId: (c) => c.PlatformID,
  notConfiguredMessage: (id) => `PlatformID ${id} 未設定金鑰`,
  accountId: (c) => c.MerchantID!,
  fromStore: (account) => ({
    PlatformID: account.PlatformID!,
    MerchantID: account.MerchantID!,
    ...(account.StoreID ? { StoreID: account.StoreID } : {}),
  }),
  fromLedger: (row) =>
    row.credentialId && row.accountId
      ? { PlatformID: row.credentialId, MerchantID: row.accountId }
      : undefined,
  describeAttempt: (a) => ({ RtnCode: a.rtnCode, TradeStatus: a.tradeStatus }),
  describeRow: (row) => ({
    PlatformID: row.credentialId,
    MerchantID: row.accountId,
    MerchantTradeNo: row.merchantTradeNo,
    OMerchantTradeNo: row.originalTradeNo,
    TransactionID: row.upstreamId,
    RtnCode: row.rtnCode,
    RtnMsg: row.rtnMsg,
  }),

  storeOptions: [
    { name: 'platform-id', description: 'icash PlatformID', required: true, input: 'value' },
    { name: 'merchant-id', description: 'icash MerchantID', required: true, input: 'value' },
    { name: 'icash-store-id', description: 'icash StoreID', required: false, input: 'value' },
  ],
  prepareStore(input) {
    // icash's own ids, within the limits the API applies to the same fields.
    const platformId = requireId(input['platform-id'], 'platform id');
    const merchantId = requireId(input['merchant-id'], 'merchant id');
    const storeId = input['icash-store-id'];
    if (storeId !== undefined) requireId(storeId, 'icash store id');
    return {
      account: {
        PlatformID: platformId,
        MerchantID: merchantId,
        ...(storeId !== undefined ? { StoreID: storeId } : {}),
      },
      credentialId: platformId,
    };
  },

  credentialOptions: [
    { name: 'platform-id', description: 'icash PlatformID', required: true, input: 'value' },
    {
      name: 'enc-key-id',
      description: 'icash AES key id (X-iCP-EncKeyID)',
      required: true,
      input: 'value',
    },
    {
      name: 'aes-key',
      description: 'AES key, 32 characters',
      required: true,
      input: 'secret',
      legacyValue: 'aes-key',
    },
    {
      name: 'aes-iv',
      description: 'AES IV, 16 characters',
      required: true,
      input: 'secret',
      legacyValue: 'aes-iv',
    },
    {
      name: 'client-private-key',
      description: 'client private key file (PEM or bare base64)',
      required: true,
      input: 'file',
    },
    {
      name: 'server-public-key',
      description: 'icash server public key file (PEM or bare base64)',
      required: true,
      input: 'file',
    },
  ],
  /** Checks every key before storing: a key set that cannot sign is refused here, not at a cancel. */
  prepareCredential(input) {
    const platformId = requireId(input['platform-id'], 'platform id');
    const encKeyId = required(input, 'enc-key-id');
    if (!/^\d{1,12}$/.test(encKeyId)) throw new CredentialInputError('enc key id must be digits');
    const aesKey = required(input, 'aes-key');
    const aesIv = required(input, 'aes-iv');
    let privatePem: string;
    let publicPem: string;
    try {
      new AesMaterial(aesKey, aesIv);
      privatePem = privateKeyToPem(
        loadPrivateKey(required(input, 'client-private-key'), 'client private key'),
      );
      publicPem = publicKeyToPem(
        loadPublicKey(required(input, 'server-public-key'), 'server public key'),
      );
    } catch (error) {
      if (error instanceof CredentialInputError) throw error;
      throw new CredentialInputError((error as Error).message);
    }
    return {
      credentialId: platformId,
      summary: { platform_id: platformId, enc_key_id: encKeyId },
      credential: {
        public: {
          [KEY_SET_FIELDS.encKeyId]: encKeyId,
          [KEY_SET_FIELDS.serverPublicKey]: publicPem,
        },
        secret: {
          [KEY_SET_FIELDS.aesKey]: aesKey,
          [KEY_SET_FIELDS.aesIv]: aesIv,
          [KEY_SET_FIELDS.clientPrivateKey]: privatePem,
        },
      },
    };
  },
};
