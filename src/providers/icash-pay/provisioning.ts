import type { Environment } from '../../store/index.js';
import { I_CASH_QRCODE_PAY } from './payment-type.js';

/** An icash key set as callers name its parts (the demo, tests), before it becomes a wallet input. */
export interface KeySetParams {
  companyId: string;
  platformId: string;
  env: Environment;
  encKeyId: string;
  aesKey: string;
  aesIv: string;
  /** PEM or bare base64 (PKCS#1 or PKCS#8). */
  clientPrivateKey: string;
  /** PEM or bare base64 (SPKI or PKCS#1). */
  serverPublicKey: string;
}

/** A key set as `credentials set --type I_CASH_QRCODE_PAY` takes it (ProvisioningService.setCredential). */
export const icashKeySet = (k: KeySetParams) => ({
  companyId: k.companyId,
  type: I_CASH_QRCODE_PAY,
  env: k.env,
  input: {
    'platform-id': k.platformId,
    'enc-key-id': k.encKeyId,
    'aes-key': k.aesKey,
    'aes-iv': k.aesIv,
    'client-private-key': k.clientPrivateKey,
    'server-public-key': k.serverPublicKey,
  },
});

/** A store's icash configuration as `store set` takes it (ProvisioningService.setStore). */
export const icashStore = (s: {
  companyId: string;
  storeId: string;
  env: Environment;
  platformId: string;
  merchantId: string;
  icashStoreId?: string | undefined;
}) => ({
  companyId: s.companyId,
  storeId: s.storeId,
  type: I_CASH_QRCODE_PAY,
  env: s.env,
  input: {
    'platform-id': s.platformId,
    'merchant-id': s.merchantId,
    ...(s.icashStoreId !== undefined ? { 'icash-store-id': s.icashStoreId } : {}),
  },
});

/** What the icash sandbox's onboarding hands out (`POST /sandbox/merchants`), as far as keys go. */
export interface SandboxMerchantKeys {
  PlatformID: string;
  MerchantID: string;
  EncKeyID: string;
  AESKey: string;
  AESIV: string;
  ClientPrivateKey: string;
  ServerPublicKey: string;
}

/** A sandbox merchant's credentials as the key set `keys set` stores for them. */
export const sandboxMerchantKeySet = (
  companyId: string,
  merchant: SandboxMerchantKeys,
  env: Environment = 'test',
): KeySetParams => ({
  companyId,
  platformId: merchant.PlatformID,
  env,
  encKeyId: merchant.EncKeyID,
  aesKey: merchant.AESKey,
  aesIv: merchant.AESIV,
  clientPrivateKey: merchant.ClientPrivateKey,
  serverPublicKey: merchant.ServerPublicKey,
});
