import { isIdentifier } from '../core/ids.js';
import type { Secret } from '../core/secret.js';
import { CredentialInputError, type WalletCredentials } from '../providers/types.js';
import type { Wallet } from '../providers/wallet.js';
import type { AuditChanges, Environment, Store } from '../store/index.js';

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

/** Who makes a change, for the audit log: `cli`, `system` (the demo), or a console user. */
export interface AuditContext {
  actor: string;
  requestId?: string | null;
  source?: string | null;
}

/**
 * What the CLI and the development start do to a company: the same checks for
 * both, and every change written to the audit log (never a secret).
 */
export class ProvisioningService {
  readonly #wallets: ReadonlyMap<string, WalletCredentials>;

  constructor(
    private readonly store: Store,
    wallets: readonly Pick<Wallet, 'type' | 'credentials'>[],
    /** Who the changes are attributed to unless a call says otherwise. */
    private readonly by: AuditContext = { actor: 'system' },
  ) {
    this.#wallets = new Map(wallets.map((w) => [w.type, w.credentials]));
  }

  async #audit(
    action: string,
    companyId: string | null,
    target: string | null,
    changes: AuditChanges,
    by: AuditContext = this.by,
  ): Promise<void> {
    await this.store.audit.append({
      actor: by.actor,
      companyId,
      action,
      target,
      requestId: by.requestId ?? null,
      source: by.source ?? null,
      changes,
    });
  }

  /** The fingerprint of a stored credential (docs/security.md), or null when there is none. */
  async #fingerprint(companyId: string, type: string, env: Environment, credentialId: string) {
    const key = await this.store.companies.fingerprintKey();
    const found = (await this.store.credentials.list(key.reveal(), companyId)).find(
      (c) => c.type === type && c.env === env && c.credentialId === credentialId,
    );
    return found?.fingerprint ?? null;
  }

  /** The payment types provisioning knows, and what each one's credentials look like. */
  wallets(): ReadonlyMap<string, WalletCredentials> {
    return this.#wallets;
  }

  async createCompany(name: string): Promise<string> {
    if (name.trim() === '' || name.length > 200)
      throw new ProvisioningError('name must be 1-200 characters');
    const companyId = await this.store.companies.createCompany(name.trim());
    await this.#audit('company.create', companyId, companyId, { name: name.trim() });
    return companyId;
  }

  async createClient(
    companyId: string,
    name: string | null,
  ): Promise<{ clientId: string; clientSecret: Secret<string> }> {
    await this.#requireCompany(companyId);
    const created = await this.store.companies.createClient(companyId, name);
    await this.#audit('client.create', companyId, created.clientId, { name });
    return created;
  }

  async revokeClient(clientId: string): Promise<void> {
    if (!(await this.store.companies.revokeClient(clientId))) {
      throw new ProvisioningError(`client ${clientId} does not exist`);
    }
    const client = await this.store.companies.getClient(clientId);
    await this.#audit('client.revoke', client?.companyId ?? null, clientId, { revoked: true });
  }

  /** A new secret (returned once); the old one and every token issued with it stop working. */
  async rotateClientSecret(
    clientId: string,
  ): Promise<{ clientId: string; clientSecret: Secret<string>; tokensRevoked: number }> {
    const client = await this.store.companies.getClient(clientId);
    if (!client) throw new ProvisioningError(`client ${clientId} does not exist`);
    const rotated = await this.store.companies.rotateClientSecret(clientId);
    if (!rotated) throw new ProvisioningError(`client ${clientId} is revoked`);
    await this.#audit('client.rotate_secret', client.companyId, clientId, {
      secret: 'replaced',
      tokens_revoked: rotated.tokensRevoked,
    });
    return { clientId, ...rotated };
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
    const before = await this.#fingerprint(p.companyId, p.type, p.env, credentialId);
    await this.store.credentials.upsert(
      { companyId: p.companyId, type: p.type, env: p.env, credentialId },
      credential,
    );
    await this.#audit('credentials.set', p.companyId, `${p.type}/${p.env}/${credentialId}`, {
      type: p.type,
      env: p.env,
      credential_id: credentialId,
      ...summary,
      public_fields: Object.keys(credential.public).sort(),
      secret_fields: Object.keys(credential.secret).sort(),
      fingerprint_before: before,
      fingerprint: await this.#fingerprint(p.companyId, p.type, p.env, credentialId),
    });
    return { credentialId, summary };
  }

  /** Stores (replaces) a store's configuration for one type and environment. */
  async setStore(p: StoreParams): Promise<void> {
    await this.#requireCompany(p.companyId);
    requireId(p.storeId, 'store id');
    const wallet = this.#wallet(p.type);
    const config = walletCall(() => wallet.prepareStore(p.input));
    const existed = await this.store.stores.findPayConfig(p.companyId, p.storeId, p.type, p.env);
    let credentialChanges: AuditChanges = {};
    if (config.credential) {
      const before = await this.#fingerprint(p.companyId, p.type, p.env, config.credentialId);
      await this.store.credentials.upsert(
        { companyId: p.companyId, type: p.type, env: p.env, credentialId: config.credentialId },
        config.credential,
      );
      credentialChanges = {
        secret_fields: Object.keys(config.credential.secret).sort(),
        fingerprint_before: before,
        fingerprint: await this.#fingerprint(p.companyId, p.type, p.env, config.credentialId),
      };
    }
    await this.store.stores.upsertPayConfig(p.companyId, {
      storeId: p.storeId,
      type: p.type,
      env: p.env,
      account: config.account,
      credentialId: config.credentialId,
    });
    await this.#audit('store.set', p.companyId, p.storeId, {
      type: p.type,
      env: p.env,
      account: { ...config.account },
      credential_id: config.credentialId,
      replaced: existed !== undefined,
      ...(existed ? { account_before: { ...existed.account } } : {}),
      ...credentialChanges,
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
    const counts = {
      keyVersion: this.store.keyVersion,
      keySets: await this.store.credentials.resealAll(),
      settings: await this.store.companies.resealSettings(),
      webhookSecrets: await this.store.webhooks.resealAll(),
    };
    await this.#audit('master_key.rotate', null, null, {
      key_version: counts.keyVersion,
      credentials_resealed: counts.keySets,
      settings_resealed: counts.settings,
      webhook_secrets_resealed: counts.webhookSecrets,
    });
    return counts;
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
