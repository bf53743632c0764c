import type { AuditChanges, AuditFilter, Environment, Store } from '../store/index.js';

/** Times are ISO 8601 (UTC); null when never. */
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export interface CompanyView {
  company_id: string;
  name: string;
  created_at: string;
}

export interface ClientView {
  client_id: string;
  company_id: string;
  name: string | null;
  status: 'active' | 'revoked';
  created_at: string;
  revoked_at: string | null;
  /** When the client last obtained a token. */
  last_used_at: string | null;
}

export interface PayConfigView {
  type: string;
  env: Environment;
  /** The wallet's account fields (never a secret). */
  account: Readonly<Record<string, string>>;
  credential_id: string;
  updated_at: string;
}

export interface StoreView {
  company_id: string;
  store_id: string;
  created_at: string;
  configs: PayConfigView[];
}

/** Metadata only: never a value of a credential's fields. */
export interface CredentialView {
  company_id: string;
  type: string;
  env: Environment;
  credential_id: string;
  public_fields: string[];
  secret_fields: string[];
  fingerprint: string;
  created_at: string;
  updated_at: string;
}

export interface AuditView {
  id: string;
  at: string;
  actor: string;
  company_id: string | null;
  action: string;
  target: string | null;
  request_id: string | null;
  source: string | null;
  changes: AuditChanges;
}

/**
 * What operators read about companies, clients, stores, credentials and the
 * audit log, shaped once for the CLI's `list`/`show` and the admin API.
 */
export class OperatorDirectory {
  constructor(private readonly store: Store) {}

  async companies(): Promise<CompanyView[]> {
    return (await this.store.companies.listCompanies()).map((c) => ({
      company_id: c.companyId,
      name: c.name,
      created_at: iso(c.createdAt)!,
    }));
  }

  async company(companyId: string): Promise<CompanyView | undefined> {
    return (await this.companies()).find((c) => c.company_id === companyId);
  }

  async clients(companyId?: string): Promise<ClientView[]> {
    return (await this.store.companies.listClients(companyId)).map((c) => ({
      client_id: c.clientId,
      company_id: c.companyId,
      name: c.name,
      status: c.revokedAt === null ? 'active' : 'revoked',
      created_at: iso(c.createdAt)!,
      revoked_at: iso(c.revokedAt),
      last_used_at: iso(c.lastUsedAt),
    }));
  }

  async client(clientId: string): Promise<ClientView | undefined> {
    const found = await this.store.companies.getClient(clientId);
    if (!found) return undefined;
    return (await this.clients(found.companyId)).find((c) => c.client_id === clientId);
  }

  async stores(filter: { companyId?: string; storeId?: string } = {}): Promise<StoreView[]> {
    return (await this.store.stores.list(filter)).map((s) => ({
      company_id: s.companyId,
      store_id: s.storeId,
      created_at: iso(s.createdAt)!,
      configs: s.configs.map((c) => ({
        type: c.type,
        env: c.env,
        account: c.account,
        credential_id: c.credentialId,
        updated_at: iso(c.updatedAt)!,
      })),
    }));
  }

  async credentials(companyId?: string): Promise<CredentialView[]> {
    const key = await this.store.companies.fingerprintKey();
    return (await this.store.credentials.list(key.reveal(), companyId)).map((c) => ({
      company_id: c.companyId,
      type: c.type,
      env: c.env,
      credential_id: c.credentialId,
      public_fields: c.publicFieldNames,
      secret_fields: c.secretFieldNames,
      fingerprint: c.fingerprint,
      created_at: iso(c.createdAt)!,
      updated_at: iso(c.updatedAt)!,
    }));
  }

  async audit(filter: AuditFilter = {}): Promise<AuditView[]> {
    return (await this.store.audit.list(filter)).map((e) => ({
      id: e.id,
      at: iso(e.at)!,
      actor: e.actor,
      company_id: e.companyId,
      action: e.action,
      target: e.target,
      request_id: e.requestId,
      source: e.source,
      changes: e.changes,
    }));
  }
}
