import { isIdentifier } from '../core/ids.js';
import type { Secret } from '../core/secret.js';
import { CredentialInputError, type WalletCredentials } from '../providers/types.js';
import type { Wallet } from '../providers/wallet.js';
import type { Environment, Store } from '../store/index.js';

/** A provisioning request that cannot be carried out; the message says why. */
export class ProvisioningError extends Error {
  override readonly name = 'ProvisioningError';
}

/**
 * A wallet's provisioning input: the values of its declared options by name
 * (`platform-id`, `channel-id`, …), files already read, secrets already taken
 * from their files or standard input.
 */
export type WalletInput = Readonly<Record<string, string>>;

export interface CredentialParams {
  companyId: string;
  type: string;
  env: Environment;
  input: WalletInput;
}

export interface StoreParams {
  companyId: string;
  storeId: string;
  type: string;
  env: Environment;
  input: WalletInput;
}

function requireId(value: string, what: string, maxLength = 50): void {
  if (!isIdentifier(value, maxLength))
    throw new ProvisioningError(`${what} must be 1-${maxLength} letters, digits, - or _`);
}

/** What the CLI and the development start do to a company: the same checks for both. */
export class ProvisioningService {
  readonly #wallets: ReadonlyMap<string, WalletCredentials>;

  constructor(
    private readonly store: Store,
    wallets: readonly Pick<Wallet, 'type' | 'credentials'>[],
  ) {
    this.#wallets = new Map(wallets.map((w) => [w.type, w.credentials]));
  }

  /** The payment types provisioning knows, and what each one's credentials look like. */
  wallets(): ReadonlyMap<string, WalletCredentials> {
    return this.#wallets;
  }

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

  /** Stores (replaces) a wallet credential: the wallet checks it first (keys that cannot sign are refused here). */
  async setCredential(
    p: CredentialParams,
  ): Promise<{ credentialId: string; summary: Record<string, string> }> {
    await this.#requireCompany(p.companyId);
    const wallet = this.#wallet(p.type);
    const { credentialId, credential, summary } = walletCall(() =>
      wallet.prepareCredential(p.input),
    );
    await this.store.credentials.upsert(
      { companyId: p.companyId, type: p.type, env: p.env, credentialId },
      credential,
    );
    return { credentialId, summary };
  }

  /** Stores (replaces) a store's configuration for one type and environment. */
  async setStore(p: StoreParams): Promise<void> {
    await this.#requireCompany(p.companyId);
    requireId(p.storeId, 'store id');
    const wallet = this.#wallet(p.type);
    const config = walletCall(() => wallet.prepareStore(p.input));
    if (config.credential) {
      await this.store.credentials.upsert(
        { companyId: p.companyId, type: p.type, env: p.env, credentialId: config.credentialId },
        config.credential,
      );
    }
    await this.store.stores.upsertPayConfig(p.companyId, {
      storeId: p.storeId,
      type: p.type,
      env: p.env,
      account: config.account,
      credentialId: config.credentialId,
    });
  }

  #wallet(type: string): WalletCredentials {
    const wallet = this.#wallets.get(type);
    if (!wallet) throw new ProvisioningError(`unknown type ${type}`);
    return wallet;
  }

  /** Re-seals every secret at rest under the current master key version. */
  async rotateMasterKey(): Promise<{
    keyVersion: number;
    keySets: number;
    settings: number;
    webhookSecrets: number;
  }> {
    return {
      keyVersion: this.store.keyVersion,
      keySets: await this.store.credentials.resealAll(),
      settings: await this.store.companies.resealSettings(),
      webhookSecrets: await this.store.webhooks.resealAll(),
    };
  }

  async #requireCompany(companyId: string): Promise<void> {
    if (!(await this.store.companies.companyExists(companyId))) {
      throw new ProvisioningError(`company ${companyId} does not exist`);
    }
  }
}

/** Runs a wallet's check of provisioning input; its refusal is a provisioning error. */
function walletCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof CredentialInputError) throw new ProvisioningError(error.message);
    throw error;
  }
}
