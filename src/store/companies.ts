import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SecretBox } from '../core/master-key.js';
import { newClientId, newClientSecret, newCompanyId } from '../core/ids.js';
import { Secret } from '../core/secret.js';
import type { Db } from './database.js';

const HASH_KEY_SETTING = 'client_secret_hash_key';

export interface ClientIdentity {
  clientId: string;
  companyId: string;
}

export interface CompanySummary {
  companyId: string;
  name: string;
  createdAt: number;
}

/** An OAuth client as operators see it: never its secret or the secret's hash. */
export interface ClientSummary {
  clientId: string;
  companyId: string;
  name: string | null;
  createdAt: number;
  revokedAt: number | null;
  /** When it last obtained a token. */
  lastUsedAt: number | null;
}

const FINGERPRINT_KEY_LABEL = 'omnigate credential fingerprint v1';

/** Companies and their OAuth clients. Client secrets are kept as keyed hashes only. */
export class CompanyRepository {
  #hashKey: Secret<Buffer> | undefined;

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  async createCompany(name: string, now = Date.now()): Promise<string> {
    const id = newCompanyId();
    await this.db.insertInto('companies').values({ id, name, created_at: now }).execute();
    return id;
  }

  async companyExists(id: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('companies')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst();
    return row !== undefined;
  }

  async countCompanies(): Promise<number> {
    const row = await this.db
      .selectFrom('companies')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async findCompanyByName(name: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('companies')
      .select('id')
      .where('name', '=', name)
      .executeTakeFirst();
    return row?.id;
  }

  async listCompanies(): Promise<CompanySummary[]> {
    const rows = await this.db
      .selectFrom('companies')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ companyId: r.id, name: r.name, createdAt: Number(r.created_at) }));
  }

  async getCompany(id: string): Promise<CompanySummary | undefined> {
    const r = await this.db
      .selectFrom('companies')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r && { companyId: r.id, name: r.name, createdAt: Number(r.created_at) };
  }

  async listClients(companyId?: string): Promise<ClientSummary[]> {
    let query = this.db
      .selectFrom('clients')
      .select(['id', 'company_id', 'name', 'created_at', 'revoked_at', 'last_used_at']);
    if (companyId !== undefined) query = query.where('company_id', '=', companyId);
    const rows = await query.orderBy('created_at').orderBy('id').execute();
    return rows.map(clientSummary);
  }

  async getClient(clientId: string): Promise<ClientSummary | undefined> {
    const row = await this.db
      .selectFrom('clients')
      .select(['id', 'company_id', 'name', 'created_at', 'revoked_at', 'last_used_at'])
      .where('id', '=', clientId)
      .executeTakeFirst();
    return row && clientSummary(row);
  }

  /** Records that the client obtained a token (the operators' "last use"). */
  async touchClient(clientId: string, now = Date.now()): Promise<void> {
    await this.db
      .updateTable('clients')
      .set({ last_used_at: now })
      .where('id', '=', clientId)
      .execute();
  }

  /**
   * A new secret for a live client, returned once. The old secret stops working at
   * once, and so does every token obtained with it (a rotation is usually a leak).
   * Undefined when the client does not exist or is revoked.
   */
  async rotateClientSecret(
    clientId: string,
    now = Date.now(),
  ): Promise<{ clientSecret: Secret<string>; tokensRevoked: number } | undefined> {
    const secret = newClientSecret();
    const hash = await this.#hash(secret);
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('clients')
        .set({ secret_hash: hash })
        .where('id', '=', clientId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return undefined;
      const tokens = await trx
        .updateTable('tokens')
        .set({ revoked_at: now })
        .where('client_id', '=', clientId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return { clientSecret: new Secret(secret), tokensRevoked: Number(tokens.numUpdatedRows) };
    });
  }

  /**
   * A key for fingerprinting credentials: derived from the deployment's random
   * hashing key (sealed under the master key), so fingerprints survive a
   * master-key rotation yet cannot be checked against guessed secrets without it.
   */
  async fingerprintKey(): Promise<Secret<Buffer>> {
    const key = await this.#hashingKey();
    return new Secret(createHmac('sha256', key.reveal()).update(FINGERPRINT_KEY_LABEL).digest());
  }

  /** The secret is returned once, here, and never again. */
  async createClient(
    companyId: string,
    name: string | null,
    now = Date.now(),
  ): Promise<{ clientId: string; clientSecret: Secret<string> }> {
    const clientId = newClientId();
    const secret = newClientSecret();
    await this.db
      .insertInto('clients')
      .values({
        id: clientId,
        company_id: companyId,
        name,
        secret_hash: await this.#hash(secret),
        revoked_at: null,
        created_at: now,
        last_used_at: null,
      })
      .execute();
    return { clientId, clientSecret: new Secret(secret) };
  }

  /** Revokes the client and, in the same transaction, every token it holds. */
  async revokeClient(clientId: string, now = Date.now()): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('clients')
        .set({ revoked_at: now })
        .where('id', '=', clientId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      await trx
        .updateTable('tokens')
        .set({ revoked_at: now })
        .where('client_id', '=', clientId)
        .where('revoked_at', 'is', null)
        .execute();
      if (Number(result.numUpdatedRows) > 0) return true;
      const exists = await trx
        .selectFrom('clients')
        .select('id')
        .where('id', '=', clientId)
        .executeTakeFirst();
      return exists !== undefined;
    });
  }

  /** The client's identity when the id exists, is not revoked and the secret matches. */
  async verifyClient(clientId: string, secret: string): Promise<ClientIdentity | null> {
    const row = await this.db
      .selectFrom('clients')
      .select(['id', 'company_id', 'secret_hash', 'revoked_at'])
      .where('id', '=', clientId)
      .executeTakeFirst();
    // Hash even when the client is unknown, so timing does not tell ids apart.
    const offered = Buffer.from(await this.#hash(secret), 'base64url');
    const stored = Buffer.from(row?.secret_hash ?? offered.toString('base64url'), 'base64url');
    const match = stored.length === offered.length && timingSafeEqual(stored, offered);
    if (!row || !match || row.revoked_at !== null) return null;
    return { clientId: row.id, companyId: row.company_id };
  }

  /** Fails (MasterKeyError) when the configured master keys cannot open what is stored. */
  async checkMasterKey(): Promise<void> {
    await this.#hashingKey();
  }

  /** Re-seals the hashing key under the current master key version (rotation). */
  async resealSettings(): Promise<number> {
    const context = `settings:${HASH_KEY_SETTING}`;
    const row = await this.db
      .selectFrom('settings')
      .selectAll()
      .where('name', '=', HASH_KEY_SETTING)
      .executeTakeFirst();
    if (!row || row.key_version === this.box.currentVersion) return 0;
    const result = await this.db
      .updateTable('settings')
      .set({
        value: this.box.seal(this.box.open(row.value, context).reveal(), context),
        key_version: this.box.currentVersion,
      })
      .where('name', '=', HASH_KEY_SETTING)
      .where('value', '=', row.value)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async #hash(secret: string): Promise<string> {
    const key = await this.#hashingKey();
    return createHmac('sha256', key.reveal()).update(secret, 'utf8').digest('base64url');
  }

  /** A random per-deployment key, itself sealed under the master key. */
  async #hashingKey(): Promise<Secret<Buffer>> {
    if (this.#hashKey) return this.#hashKey;
    const context = `settings:${HASH_KEY_SETTING}`;
    let row = await this.db
      .selectFrom('settings')
      .select('value')
      .where('name', '=', HASH_KEY_SETTING)
      .executeTakeFirst();
    if (!row) {
      await this.db
        .insertInto('settings')
        .values({
          name: HASH_KEY_SETTING,
          value: this.box.seal(randomBytes(32).toString('base64'), context),
          key_version: this.box.currentVersion,
        })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      row = await this.db
        .selectFrom('settings')
        .select('value')
        .where('name', '=', HASH_KEY_SETTING)
        .executeTakeFirstOrThrow();
    }
    this.#hashKey = new Secret(Buffer.from(this.box.open(row.value, context).reveal(), 'base64'));
    return this.#hashKey;
  }
}

function clientSummary(r: {
  id: string;
  company_id: string;
  name: string | null;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}): ClientSummary {
  return {
    clientId: r.id,
    companyId: r.company_id,
    name: r.name,
    createdAt: Number(r.created_at),
    revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
    lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
  };
}
