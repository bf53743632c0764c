import { AesMaterial } from '../providers/icash-pay/envelope.js';
import {
  loadPrivateKey,
  loadPublicKey,
  privateKeyToPem,
  publicKeyToPem,
} from '../providers/icash-pay/keys.js';
import { isIdentifier } from '../core/ids.js';
import { ICASH_ID_MAX_LENGTH } from '../providers/icash-pay/wire.js';
import type { Secret } from '../core/secret.js';
import type { Environment, Store } from '../store/index.js';

/** A provisioning request that cannot be carried out; the message says why. */
export class ProvisioningError extends Error {
  override readonly name = 'ProvisioningError';
}

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

export interface StoreParams {
  companyId: string;
  storeId: string;
  type: string;
  env: Environment;
  platformId: string;
  merchantId: string;
  icashStoreId?: string | undefined;
}

function requireId(value: string, what: string, maxLength = 50): void {
  if (!isIdentifier(value, maxLength))
    throw new ProvisioningError(`${what} must be 1-${maxLength} letters, digits, - or _`);
}

/** What the CLI and the development start do to a company: the same checks for both. */
export class ProvisioningService {
  constructor(
    private readonly store: Store,
    private readonly knownTypes: readonly string[],
  ) {}

  async createCompany(name: string): Promise<string> {
    if (name.trim() === '' || name.length > 200)
      throw new ProvisioningError('name must be 1-200 characters');
    return this.store.companies.createCompany(name.trim());
  }

  async createClient(
    companyId: string,
    name: string | null,
  ): Promise<{ clientId: string; clientSecret: Secret<string> }> {
    await this.#requireCompany(companyId);
    return this.store.companies.createClient(companyId, name);
  }

  async revokeClient(clientId: string): Promise<void> {
    if (!(await this.store.companies.revokeClient(clientId))) {
      throw new ProvisioningError(`client ${clientId} does not exist`);
    }
  }

  /** Checks every key before storing: a key set that cannot sign is refused here, not at a cancel. */
  async setKeys(p: KeySetParams): Promise<void> {
    await this.#requireCompany(p.companyId);
    requireId(p.platformId, 'platform id', ICASH_ID_MAX_LENGTH);
    if (!/^\d{1,12}$/.test(p.encKeyId)) throw new ProvisioningError('enc key id must be digits');
    try {
      new AesMaterial(p.aesKey, p.aesIv);
    } catch (error) {
      throw new ProvisioningError((error as Error).message);
    }
    let privatePem: string;
    let publicPem: string;
    try {
      privatePem = privateKeyToPem(loadPrivateKey(p.clientPrivateKey, 'client private key'));
      publicPem = publicKeyToPem(loadPublicKey(p.serverPublicKey, 'server public key'));
    } catch (error) {
      throw new ProvisioningError((error as Error).message);
    }
    await this.store.keySets.upsert(p.companyId, p.platformId, p.env, {
      encKeyId: p.encKeyId,
      aesKey: p.aesKey,
      aesIv: p.aesIv,
      clientPrivateKeyPem: privatePem,
      serverPublicKeyPem: publicPem,
    });
  }

  async setStore(p: StoreParams): Promise<void> {
    await this.#requireCompany(p.companyId);
    requireId(p.storeId, 'store id');
    // icash's own ids, within the limits the API applies to the same fields.
    requireId(p.platformId, 'platform id', ICASH_ID_MAX_LENGTH);
    requireId(p.merchantId, 'merchant id', ICASH_ID_MAX_LENGTH);
    if (p.icashStoreId !== undefined)
      requireId(p.icashStoreId, 'icash store id', ICASH_ID_MAX_LENGTH);
    if (!this.knownTypes.includes(p.type)) throw new ProvisioningError(`unknown type ${p.type}`);
    await this.store.stores.upsertPayConfig(p.companyId, {
      storeId: p.storeId,
      type: p.type,
      env: p.env,
      platformId: p.platformId,
      merchantId: p.merchantId,
      icashStoreId: p.icashStoreId ?? null,
    });
  }

  /** Re-seals every secret at rest under the current master key version. */
  async rotateMasterKey(): Promise<{ keyVersion: number; keySets: number; settings: number }> {
    return {
      keyVersion: this.store.keyVersion,
      keySets: await this.store.keySets.resealAll(),
      settings: await this.store.companies.resealSettings(),
    };
  }

  async #requireCompany(companyId: string): Promise<void> {
    if (!(await this.store.companies.companyExists(companyId))) {
      throw new ProvisioningError(`company ${companyId} does not exist`);
    }
  }
}
