import { generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { AesMaterial } from '../../providers/icash-pay/envelope.js';
import { loadPrivateKey, loadPublicKey, publicKeyToPem } from '../../providers/icash-pay/keys.js';
import { newAesIv, newAesKey, newEncKeyId, newMerchantId } from './ids.js';
import type { SandboxState } from './state.js';

/** A key set as the sandbox uses it: the merchant's client public key, the server's private key. */
export interface SandboxKeySet {
  encKeyId: string;
  platformId: string;
  merchantId: string;
  aes: AesMaterial;
  clientPublicKey: KeyObject;
  serverPrivateKey: KeyObject;
}

/** What onboarding hands to the merchant, once. */
export interface MerchantCredentials {
  PlatformID: string;
  MerchantID: string;
  EncKeyID: string;
  AESKey: string;
  AESIV: string;
  ClientPrivateKey: string;
  ServerPublicKey: string;
}

export class OnboardingConflict extends Error {
  override readonly name = 'OnboardingConflict';
}

const generateRsa = promisify(generateKeyPair);

async function rsaPair(): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  return generateRsa('rsa', { modulusLength: 2048 });
}

/** Key sets parsed once from the database and kept in memory by key id. */
export class Keyring {
  readonly #state: SandboxState;
  readonly #parsed = new Map<string, SandboxKeySet>();

  constructor(state: SandboxState) {
    this.#state = state;
  }

  find(encKeyId: string): SandboxKeySet | undefined {
    const cached = this.#parsed.get(encKeyId);
    if (cached) return cached;
    const row = this.#state.keySet(encKeyId);
    if (!row) return undefined;
    const keySet: SandboxKeySet = {
      encKeyId: row.enc_key_id,
      platformId: row.platform_id,
      merchantId: row.merchant_id,
      aes: new AesMaterial(row.aes_key, row.aes_iv),
      clientPublicKey: loadPublicKey(row.client_public_pem, 'client public key'),
      serverPrivateKey: loadPrivateKey(row.server_private_pem, 'server private key'),
    };
    this.#parsed.set(encKeyId, keySet);
    return keySet;
  }

  /**
   * Registers a merchant (or reuses it) and issues a new key set for it. An
   * existing MerchantID must stay under the PlatformID it was registered with.
   */
  async onboard(request: {
    PlatformID?: string;
    MerchantID?: string;
  }): Promise<MerchantCredentials> {
    const [client, server] = await Promise.all([rsaPair(), rsaPair()]);
    const merchantId = request.MerchantID ?? this.#unusedMerchantId();
    const platformId =
      request.PlatformID ?? this.#state.merchant(merchantId)?.platform_id ?? merchantId;
    const aesKey = newAesKey();
    const aesIv = newAesIv();
    const encKeyId = this.#state.atomically(() => {
      const existing = this.#state.merchant(merchantId);
      const now = Date.now();
      if (existing && existing.platform_id !== platformId) {
        throw new OnboardingConflict(
          `MerchantID ${merchantId} is registered under PlatformID ${existing.platform_id}`,
        );
      }
      if (!existing)
        this.#state.insertMerchant({ merchant_id: merchantId, platform_id: platformId }, now);
      let id = newEncKeyId();
      while (this.#state.keySet(id)) id = newEncKeyId();
      this.#state.insertKeySet(
        {
          enc_key_id: id,
          platform_id: platformId,
          merchant_id: merchantId,
          aes_key: aesKey,
          aes_iv: aesIv,
          client_public_pem: publicKeyToPem(client.publicKey),
          server_private_pem: server.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
        },
        now,
      );
      return id;
    });
    return {
      PlatformID: platformId,
      MerchantID: merchantId,
      EncKeyID: encKeyId,
      AESKey: aesKey,
      AESIV: aesIv,
      ClientPrivateKey: client.privateKey.export({ format: 'pem', type: 'pkcs1' }).toString(),
      ServerPublicKey: publicKeyToPem(server.publicKey),
    };
  }

  #unusedMerchantId(): string {
    let id = newMerchantId();
    while (this.#state.merchant(id)) id = newMerchantId();
    return id;
  }
}
