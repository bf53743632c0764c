import type { Selectable } from 'kysely';
import type { Db } from './database.js';
import type { RequestStatements } from './statements.js';
import type { StorePayConfigsTable } from './schema.js';
import type { Environment } from './key-sets.js';

export interface StorePayConfig {
  storeId: string;
  type: string;
  env: Environment;
  platformId: string;
  merchantId: string;
  icashStoreId: string | null;
}

const FIND_PAY_CONFIG_SQL =
  'select * from store_pay_configs where company_id = ? and store_id = ? and type = ? and env = ?';

/** A company's stores (門市) and each store's payment configuration per type and environment. */
export class StoreRepository {
  constructor(
    private readonly db: Db,
    private readonly statements: RequestStatements,
  ) {}

  /** Creates the store when it is new and replaces its configuration for this type and env. */
  async upsertPayConfig(
    companyId: string,
    config: StorePayConfig,
    now = Date.now(),
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('stores')
        .values({ company_id: companyId, store_id: config.storeId, created_at: now })
        .onConflict((oc) => oc.columns(['company_id', 'store_id']).doNothing())
        .execute();
      const values = {
        platform_id: config.platformId,
        merchant_id: config.merchantId,
        icash_store_id: config.icashStoreId,
        updated_at: now,
      };
      await trx
        .insertInto('store_pay_configs')
        .values({
          company_id: companyId,
          store_id: config.storeId,
          type: config.type,
          env: config.env,
          ...values,
        })
        .onConflict((oc) =>
          oc.columns(['company_id', 'store_id', 'type', 'env']).doUpdateSet(values),
        )
        .execute();
    });
  }

  async storeExists(companyId: string, storeId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('stores')
      .select('store_id')
      .where('company_id', '=', companyId)
      .where('store_id', '=', storeId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async findPayConfig(
    companyId: string,
    storeId: string,
    type: string,
    env: Environment,
  ): Promise<StorePayConfig | undefined> {
    const row = await this.statements.get<Selectable<StorePayConfigsTable>>(FIND_PAY_CONFIG_SQL, [
      companyId,
      storeId,
      type,
      env,
    ]);
    if (!row) return undefined;
    return {
      storeId: row.store_id,
      type: row.type,
      env: row.env,
      platformId: row.platform_id,
      merchantId: row.merchant_id,
      icashStoreId: row.icash_store_id,
    };
  }
}
