import type { Selectable } from 'kysely';
import type { Db } from './database.js';
import type { RequestStatements } from './statements.js';
import type { StorePayConfigsTable } from './schema.js';
import type { Environment } from './credentials.js';

/** A store's configuration for one payment type and environment, opaque to the core. */
export interface StorePayConfig {
  storeId: string;
  type: string;
  env: Environment;
  /** The wallet's account fields (never a secret: those live in the credential). */
  account: Readonly<Record<string, string>>;
  /** The credential of the same company, type and environment that the store's calls use. */
  credentialId: string;
}

/** A store and every payment configuration it has. */
export interface StoreSummary {
  companyId: string;
  storeId: string;
  createdAt: number;
  configs: (StorePayConfig & { updatedAt: number })[];
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
        account: JSON.stringify(config.account),
        credential_id: config.credentialId,
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

  /** Every store (of one company, or of one store id), with its configurations. */
  async list(filter: { companyId?: string; storeId?: string } = {}): Promise<StoreSummary[]> {
    let stores = this.db.selectFrom('stores').selectAll();
    let configs = this.db.selectFrom('store_pay_configs').selectAll();
    if (filter.companyId !== undefined) {
      stores = stores.where('company_id', '=', filter.companyId);
      configs = configs.where('company_id', '=', filter.companyId);
    }
    if (filter.storeId !== undefined) {
      stores = stores.where('store_id', '=', filter.storeId);
      configs = configs.where('store_id', '=', filter.storeId);
    }
    const [storeRows, configRows] = await Promise.all([
      stores.orderBy('company_id').orderBy('store_id').execute(),
      configs.orderBy('type').orderBy('env').execute(),
    ]);
    const byStore = new Map<string, StoreSummary>();
    const result = storeRows.map((r) => {
      const summary: StoreSummary = {
        companyId: r.company_id,
        storeId: r.store_id,
        createdAt: Number(r.created_at),
        configs: [],
      };
      byStore.set(JSON.stringify([r.company_id, r.store_id]), summary);
      return summary;
    });
    for (const c of configRows) {
      byStore.get(JSON.stringify([c.company_id, c.store_id]))?.configs.push({
        storeId: c.store_id,
        type: c.type,
        env: c.env,
        account: JSON.parse(c.account) as Record<string, string>,
        credentialId: c.credential_id,
        updatedAt: Number(c.updated_at),
      });
    }
    return result;
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
      account: JSON.parse(row.account) as Record<string, string>,
      credentialId: row.credential_id,
    };
  }
}
