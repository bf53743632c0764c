import type { SecretBox } from '../core/master-key.js';
import type { Secret } from '../core/secret.js';
import type { Selectable } from 'kysely';
import type { Db } from './database.js';
import type { RequestStatements } from './statements.js';
import type { KeySetsTable } from './schema.js';

export type Environment = 'test' | 'prod';

export interface KeySetInput {
  encKeyId: string;
  aesKey: string;
  aesIv: string;
  clientPrivateKeyPem: string;
  serverPublicKeyPem: string;
}

export interface OpenedKeySet {
  encKeyId: string;
  aesKey: Secret<string>;
  aesIv: Secret<string>;
  clientPrivateKey: Secret<string>;
  serverPublicKey: string;
}

/** A key set as stored: identifying fields in the clear, secrets opened only on demand. */
export interface StoredKeySet {
  companyId: string;
  platformId: string;
  env: Environment;
  encKeyId: string;
  /** Changes whenever the key set is replaced: callers cache parsed keys by it. */
  revision: number;
  open(): OpenedKeySet;
}

type SealedColumn = 'aes_key' | 'aes_iv' | 'client_private_key';

/** The additional data that ties a sealed value to its row and column. */
function sealContext(companyId: string, platformId: string, env: string, column: string): string {
  return `key_sets:${companyId}:${platformId}:${env}:${column}`;
}

const FIND_SQL = 'select * from key_sets where company_id = ? and platform_id = ? and env = ?';

/** icash key sets, per company, per PlatformID, per environment. */
export class KeySetRepository {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly statements: RequestStatements,
  ) {}

  async upsert(
    companyId: string,
    platformId: string,
    env: Environment,
    input: KeySetInput,
    now = Date.now(),
  ): Promise<void> {
    const seal = (column: string, value: string): string =>
      this.box.seal(value, sealContext(companyId, platformId, env, column));
    const values = {
      enc_key_id: input.encKeyId,
      aes_key: seal('aes_key', input.aesKey),
      aes_iv: seal('aes_iv', input.aesIv),
      client_private_key: seal('client_private_key', input.clientPrivateKeyPem),
      server_public_key: input.serverPublicKeyPem,
      key_version: this.box.currentVersion,
      updated_at: now,
    };
    await this.db
      .insertInto('key_sets')
      .values({ company_id: companyId, platform_id: platformId, env, created_at: now, ...values })
      .onConflict((oc) => oc.columns(['company_id', 'platform_id', 'env']).doUpdateSet(values))
      .execute();
  }

  /**
   * Re-seals every value not sealed with the current master key version. Each
   * row is one guarded UPDATE, so readers always find values they can open and
   * a concurrent `keys set` is never overwritten.
   */
  async resealAll(): Promise<number> {
    const rows = await this.db
      .selectFrom('key_sets')
      .selectAll()
      .where('key_version', '!=', this.box.currentVersion)
      .execute();
    let resealed = 0;
    for (const row of rows) {
      const reseal = (column: SealedColumn): string => {
        const context = sealContext(row.company_id, row.platform_id, row.env, column);
        return this.box.seal(this.box.open(row[column], context).reveal(), context);
      };
      const result = await this.db
        .updateTable('key_sets')
        .set({
          aes_key: reseal('aes_key'),
          aes_iv: reseal('aes_iv'),
          client_private_key: reseal('client_private_key'),
          key_version: this.box.currentVersion,
        })
        .where('company_id', '=', row.company_id)
        .where('platform_id', '=', row.platform_id)
        .where('env', '=', row.env)
        .where('updated_at', '=', row.updated_at)
        .where('key_version', '=', row.key_version)
        .executeTakeFirst();
      resealed += Number(result.numUpdatedRows);
    }
    return resealed;
  }

  async find(
    companyId: string,
    platformId: string,
    env: Environment,
  ): Promise<StoredKeySet | undefined> {
    const row = await this.statements.get<Selectable<KeySetsTable>>(FIND_SQL, [
      companyId,
      platformId,
      env,
    ]);
    if (!row) return undefined;
    const open = (column: SealedColumn): Secret<string> =>
      this.box.open(row[column], sealContext(companyId, platformId, env, column));
    return {
      companyId,
      platformId,
      env,
      encKeyId: row.enc_key_id,
      revision: row.updated_at,
      open: () => ({
        encKeyId: row.enc_key_id,
        aesKey: open('aes_key'),
        aesIv: open('aes_iv'),
        clientPrivateKey: open('client_private_key'),
        serverPublicKey: row.server_public_key,
      }),
    };
  }
}
