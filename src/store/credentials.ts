import { createHash, createHmac } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { SecretBox } from '../core/master-key.js';
import type { Secret } from '../core/secret.js';
import type { Db } from './database.js';
import type { CredentialsTable } from './schema.js';
import type { RequestStatements } from './statements.js';

export type Environment = 'test' | 'prod';

/** A wallet's credential as provisioning hands it over: opaque to the store. */
export interface CredentialInput {
  /** Fields that are not secret: stored in the clear. */
  public: Readonly<Record<string, string>>;
  /** Secret fields: each sealed with the master key, opened only on demand. */
  secret: Readonly<Record<string, string>>;
}

/** Which credential: per company, payment type, environment and the wallet's own id. */
export interface CredentialKey {
  companyId: string;
  type: string;
  env: Environment;
  credentialId: string;
}

/** A credential as stored: public fields in the clear, secrets opened only on demand. */
export interface StoredCredential extends CredentialKey {
  /** Changes whenever the credential is replaced: callers cache parsed keys by it. */
  revision: number;
  public: Readonly<Record<string, string>>;
  /** The names of the secret fields (never their values). */
  secretFields: readonly string[];
  open(): Readonly<Record<string, Secret<string>>>;
}

/** A credential as operators see it: names and a fingerprint, never a value of a secret field. */
export interface CredentialMetadata extends CredentialKey {
  /** Names of the fields kept in the clear (their values are not shown either). */
  publicFieldNames: string[];
  /** Names of the sealed fields. */
  secretFieldNames: string[];
  /** 16 hex digits; changes whenever any field's value changes (docs/security.md). */
  fingerprint: string;
  createdAt: number;
  updatedAt: number;
}

const sorted = (fields: Record<string, string>): [string, string][] =>
  Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * SHA-256 over the public fields and an HMAC (under `key`, which only the master
 * key unlocks) of the secret values, first 16 hex digits. The HMAC keeps the
 * fingerprint from being checked against guessed secrets offline.
 */
export function credentialFingerprint(
  publicFields: Record<string, string>,
  secretFields: Record<string, string>,
  key: Buffer,
): string {
  const secrets = createHmac('sha256', key)
    .update(JSON.stringify(sorted(secretFields)))
    .digest('hex');
  return createHash('sha256')
    .update(JSON.stringify([sorted(publicFields), secrets]))
    .digest('hex')
    .slice(0, 16);
}

/**
 * The additional data that ties a sealed value to its credential and field. Its
 * form (`key_sets:` and no type) is the one round 1's key sets (then the only
 * wallet's) were sealed with, so migration 0005 moved them without opening a secret.
 */
function sealContext(key: CredentialKey, field: string): string {
  return `key_sets:${key.companyId}:${key.credentialId}:${key.env}:${field}`;
}

const FIND_SQL =
  'select * from credentials where company_id = ? and type = ? and env = ? and credential_id = ?';

function parseFields(text: string): Record<string, string> {
  const value: unknown = JSON.parse(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

/** Wallet credentials, sealed at rest: the core never knows what they mean. */
export class CredentialRepository {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly statements: RequestStatements,
  ) {}

  async upsert(key: CredentialKey, input: CredentialInput, now = Date.now()): Promise<void> {
    const sealed = Object.fromEntries(
      Object.entries(input.secret).map(([field, value]) => [
        field,
        this.box.seal(value, sealContext(key, field)),
      ]),
    );
    const values = {
      public_fields: JSON.stringify(input.public),
      sealed_fields: JSON.stringify(sealed),
      key_version: this.box.currentVersion,
      updated_at: now,
    };
    await this.db
      .insertInto('credentials')
      .values({
        company_id: key.companyId,
        type: key.type,
        env: key.env,
        credential_id: key.credentialId,
        created_at: now,
        ...values,
      })
      .onConflict((oc) =>
        oc.columns(['company_id', 'type', 'env', 'credential_id']).doUpdateSet(values),
      )
      .execute();
  }

  /**
   * Re-seals every value not sealed with the current master key version. Each
   * row is one guarded UPDATE, so readers always find values they can open and
   * a concurrent `set` is never overwritten.
   */
  async resealAll(): Promise<number> {
    const rows = await this.db
      .selectFrom('credentials')
      .selectAll()
      .where('key_version', '!=', this.box.currentVersion)
      .execute();
    let resealed = 0;
    for (const row of rows) {
      const key = keyOf(row);
      const sealed = Object.fromEntries(
        Object.entries(parseFields(row.sealed_fields)).map(([field, value]) => {
          const context = sealContext(key, field);
          return [field, this.box.seal(this.box.open(value, context).reveal(), context)];
        }),
      );
      const result = await this.db
        .updateTable('credentials')
        .set({ sealed_fields: JSON.stringify(sealed), key_version: this.box.currentVersion })
        .where('company_id', '=', row.company_id)
        .where('type', '=', row.type)
        .where('env', '=', row.env)
        .where('credential_id', '=', row.credential_id)
        .where('updated_at', '=', row.updated_at)
        .where('key_version', '=', row.key_version)
        .executeTakeFirst();
      resealed += Number(result.numUpdatedRows);
    }
    return resealed;
  }

  /**
   * Every credential (of one company), newest first within a company: metadata only.
   * The sealed values are opened here to compute the fingerprint and go no further.
   */
  async list(fingerprintKey: Buffer, companyId?: string): Promise<CredentialMetadata[]> {
    let query = this.db.selectFrom('credentials').selectAll();
    if (companyId !== undefined) query = query.where('company_id', '=', companyId);
    const rows = await query
      .orderBy('company_id')
      .orderBy('type')
      .orderBy('env')
      .orderBy('credential_id')
      .execute();
    return rows.map((row) => {
      const key = keyOf(row);
      const publicFields = parseFields(row.public_fields);
      const sealed = parseFields(row.sealed_fields);
      const opened = Object.fromEntries(
        Object.entries(sealed).map(([field, value]) => [
          field,
          this.box.open(value, sealContext(key, field)).reveal(),
        ]),
      );
      return {
        ...key,
        publicFieldNames: Object.keys(publicFields).sort(),
        secretFieldNames: Object.keys(sealed).sort(),
        fingerprint: credentialFingerprint(publicFields, opened, fingerprintKey),
        createdAt: Number(row.created_at),
        updatedAt: Number(row.updated_at),
      };
    });
  }

  async find(key: CredentialKey): Promise<StoredCredential | undefined> {
    const row = await this.statements.get<Selectable<CredentialsTable>>(FIND_SQL, [
      key.companyId,
      key.type,
      key.env,
      key.credentialId,
    ]);
    if (!row) return undefined;
    const sealed = parseFields(row.sealed_fields);
    return {
      ...key,
      revision: Number(row.updated_at),
      public: parseFields(row.public_fields),
      secretFields: Object.keys(sealed),
      open: () =>
        Object.fromEntries(
          Object.entries(sealed).map(([field, value]) => [
            field,
            this.box.open(value, sealContext(key, field)),
          ]),
        ),
    };
  }
}

function keyOf(row: Selectable<CredentialsTable>): CredentialKey {
  return {
    companyId: row.company_id,
    type: row.type,
    env: row.env,
    credentialId: row.credential_id,
  };
}
