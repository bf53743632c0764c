import {
  type Kysely,
  type Migration,
  type MigrationProvider,
  Migrator,
  PostgresAdapter,
  sql,
} from 'kysely';
import { UUIDV7_PATTERN } from './ledger.js';

/**
 * Schema migrations, in code so they ship with the build. Written with portable
 * column types so SQLite and PostgreSQL run the same list.
 */
const migrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('companies')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('clients')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('company_id', 'text', (c) => c.notNull().references('companies.id'))
        .addColumn('name', 'text')
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id'))
        .addColumn('company_id', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('tokens_client').on('tokens').column('client_id').execute();
      await db.schema.createIndex('tokens_expiry').on('tokens').column('expires_at').execute();
      await db.schema
        .createTable('key_sets')
        .addColumn('company_id', 'text', (c) => c.notNull().references('companies.id'))
        .addColumn('platform_id', 'text', (c) => c.notNull())
        .addColumn('env', 'text', (c) => c.notNull())
        .addColumn('enc_key_id', 'text', (c) => c.notNull())
        .addColumn('aes_key', 'text', (c) => c.notNull())
        .addColumn('aes_iv', 'text', (c) => c.notNull())
        .addColumn('client_private_key', 'text', (c) => c.notNull())
        .addColumn('server_public_key', 'text', (c) => c.notNull())
        .addColumn('key_version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('key_sets_pk', ['company_id', 'platform_id', 'env'])
        .execute();
      await db.schema
        .createTable('stores')
        .addColumn('company_id', 'text', (c) => c.notNull().references('companies.id'))
        .addColumn('store_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('stores_pk', ['company_id', 'store_id'])
        .execute();
      await db.schema
        .createTable('store_pay_configs')
        .addColumn('company_id', 'text', (c) => c.notNull())
        .addColumn('store_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('env', 'text', (c) => c.notNull())
        .addColumn('platform_id', 'text', (c) => c.notNull())
        .addColumn('merchant_id', 'text', (c) => c.notNull())
        .addColumn('icash_store_id', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('store_pay_configs_pk', ['company_id', 'store_id', 'type', 'env'])
        .addForeignKeyConstraint('store_pay_configs_store', ['company_id', 'store_id'], 'stores', [
          'company_id',
          'store_id',
        ])
        .execute();
      await db.schema
        .createTable('transactions')
        .addColumn('request_id', 'text', (c) => c.primaryKey())
        .addColumn('company_id', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('operation', 'text', (c) => c.notNull())
        .addColumn('type', 'text')
        .addColumn('env', 'text')
        .addColumn('scenario', 'text')
        .addColumn('store_id', 'text')
        .addColumn('platform_id', 'text')
        .addColumn('merchant_id', 'text')
        .addColumn('merchant_trade_no', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('rtn_code', 'integer')
        .addColumn('rtn_msg', 'text')
        .addColumn('error_code', 'text')
        .addColumn('http_status', 'integer')
        .addColumn('upstream_latency_ms', 'double precision')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('transactions_trade_no')
        .on('transactions')
        .columns(['company_id', 'merchant_trade_no'])
        .execute();
      await db.schema
        .createIndex('transactions_state')
        .on('transactions')
        .columns(['state', 'updated_at'])
        .execute();
      await db.schema
        .createTable('settings')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('key_version', 'integer')
        .execute();
    },
  },
  '0002_reliability': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('transactions').addColumn('instance_id', 'text').execute();
      await db.schema.alterTable('transactions').addColumn('next_check_at', 'bigint').execute();
      await db.schema
        .alterTable('transactions')
        .addColumn('check_attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('transactions').addColumn('claimed_until', 'bigint').execute();
      await db.schema
        .createIndex('transactions_due')
        .on('transactions')
        .columns(['state', 'next_check_at'])
        .execute();
      await db.schema
        .createTable('reconciliation_attempts')
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('rtn_code', 'integer')
        .addColumn('trade_status', 'text')
        .addColumn('result', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('reconciliation_attempts_pk', ['request_id', 'attempt'])
        .execute();
      await db.schema
        .createTable('idempotency_keys')
        .addColumn('company_id', 'text', (c) => c.notNull())
        .addColumn('idempotency_key', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('status_code', 'integer')
        .addColumn('response_body', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['company_id', 'idempotency_key'])
        .execute();
      await db.schema
        .createIndex('idempotency_keys_expiry')
        .on('idempotency_keys')
        .column('expires_at')
        .execute();
    },
  },
  '0003_ledger_indexes': {
    // The reconciler and the stale-pending sweep only ever look for `pending` and
    // `unknown` rows. Indexes over every state made each cancel's two writes update
    // two indexes that grow with history; partial indexes hold only the rows in
    // flight, so they stay small and hot however long the ledger is.
    async up(db: Kysely<unknown>): Promise<void> {
      // Idempotent: on SQLite migrations run outside a transaction, so a process
      // killed half-way (or a second one starting at once) must be able to run it again.
      await db.schema.dropIndex('transactions_state').ifExists().execute();
      await db.schema.dropIndex('transactions_due').ifExists().execute();
      await db.schema
        .createIndex('transactions_pending')
        .ifNotExists()
        .on('transactions')
        .column('updated_at')
        .where(sql<boolean>`state = 'pending'`)
        .execute();
      await db.schema
        .createIndex('transactions_unknown_due')
        .ifNotExists()
        .on('transactions')
        .column('next_check_at')
        .where(sql<boolean>`state = 'unknown'`)
        .execute();
    },
  },
  '0004_amounts': {
    // Refunds: what each pay and refund moved, the payment a refund belongs to,
    // and the upstream's id of each trade. Rows written before this keep nulls:
    // nothing here is guessed. Idempotent for the same reason as 0003.
    async up(db: Kysely<unknown>): Promise<void> {
      const columns: [string, 'bigint' | 'text'][] = [
        ['amount', 'bigint'],
        ['currency', 'text'],
        ['original_trade_no', 'text'],
        ['upstream_id', 'text'],
      ];
      const existing = new Set(
        (await db.introspection.getTables())
          .find((t) => t.name === 'transactions')
          ?.columns.map((c) => c.name) ?? [],
      );
      for (const [name, type] of columns) {
        if (!existing.has(name))
          await db.schema.alterTable('transactions').addColumn(name, type).execute();
      }
      await db.schema
        .createIndex('transactions_original')
        .ifNotExists()
        .on('transactions')
        .columns(['company_id', 'original_trade_no'])
        .where(sql<boolean>`original_trade_no is not null`)
        .execute();
    },
  },
  '0005_neutral_credentials': {
    // Round 2's neutral provider contract: a wallet's credentials are opaque values
    // per (company, type, environment, credential id), some in the clear, some
    // sealed; a store's configuration is the wallet's account fields plus the id of
    // the credential it uses; the ledger names the credential and the account.
    // Rows move as they are: sealed values are copied, never opened (the seal
    // context of a credential field is unchanged, see credentials.ts).
    async up(db: Kysely<unknown>): Promise<void> {
      const tables = await db.introspection.getTables();
      const columnsOf = (name: string) =>
        new Set(tables.find((t) => t.name === name)?.columns.map((c) => c.name) ?? []);

      await db.schema
        .createTable('credentials')
        .ifNotExists()
        .addColumn('company_id', 'text', (c) => c.notNull().references('companies.id'))
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('env', 'text', (c) => c.notNull())
        .addColumn('credential_id', 'text', (c) => c.notNull())
        .addColumn('public_fields', 'text', (c) => c.notNull())
        .addColumn('sealed_fields', 'text', (c) => c.notNull())
        .addColumn('key_version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('credentials_pk', ['company_id', 'type', 'env', 'credential_id'])
        .execute();
      if (tables.some((t) => t.name === 'key_sets')) {
        const keySets = await sql<Record<string, string | number>>`select * from key_sets`.execute(
          db,
        );
        for (const k of keySets.rows) {
          // Before 0005 the only credentials were icash key sets (I_CASH_QRCODE_PAY).
          await sql`insert into credentials (company_id, type, env, credential_id, public_fields,
            sealed_fields, key_version, created_at, updated_at)
            values (${k.company_id}, ${'I_CASH_QRCODE_PAY'}, ${k.env}, ${k.platform_id},
            ${JSON.stringify({ enc_key_id: k.enc_key_id, server_public_key: k.server_public_key })},
            ${JSON.stringify({ aes_key: k.aes_key, aes_iv: k.aes_iv, client_private_key: k.client_private_key })},
            ${k.key_version}, ${k.created_at}, ${k.updated_at})
            on conflict do nothing`.execute(db);
        }
        await db.schema.dropTable('key_sets').execute();
      }

      const configs = columnsOf('store_pay_configs');
      if (!configs.has('account')) {
        await db.schema.alterTable('store_pay_configs').addColumn('account', 'text').execute();
      }
      if (!configs.has('credential_id')) {
        await db.schema
          .alterTable('store_pay_configs')
          .addColumn('credential_id', 'text')
          .execute();
      }
      if (configs.has('platform_id')) {
        const rows = await sql<
          Record<string, string | null>
        >`select * from store_pay_configs`.execute(db);
        for (const r of rows.rows) {
          const account = {
            PlatformID: r.platform_id,
            MerchantID: r.merchant_id,
            ...(r.icash_store_id ? { StoreID: r.icash_store_id } : {}),
          };
          await sql`update store_pay_configs set account = ${JSON.stringify(account)},
            credential_id = ${r.platform_id} where company_id = ${r.company_id}
            and store_id = ${r.store_id} and type = ${r.type} and env = ${r.env}`.execute(db);
        }
        for (const column of ['platform_id', 'merchant_id', 'icash_store_id']) {
          await db.schema.alterTable('store_pay_configs').dropColumn(column).execute();
        }
      }

      const ledger = columnsOf('transactions');
      if (ledger.has('platform_id')) {
        await db.schema
          .alterTable('transactions')
          .renameColumn('platform_id', 'credential_id')
          .execute();
      }
      if (ledger.has('merchant_id')) {
        await db.schema
          .alterTable('transactions')
          .renameColumn('merchant_id', 'account_id')
          .execute();
      }
    },
  },
  '0006_webhooks': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('webhook_endpoints')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('company_id', 'text', (c) => c.notNull().references('companies.id'))
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('events', 'text', (c) => c.notNull())
        .addColumn('sealed_secret', 'text', (c) => c.notNull())
        .addColumn('key_version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('deleted_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('webhook_endpoints_company')
        .on('webhook_endpoints')
        .column('company_id')
        .execute();
      await db.schema
        .createTable('webhook_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('company_id', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('reconciled', 'integer', (c) => c.notNull())
        .addColumn('occurred_at', 'bigint', (c) => c.notNull())
        .addColumn('fanned_out_at', 'bigint')
        .addColumn('payload', 'text')
        .execute();
      await db.schema
        .createIndex('webhook_events_fan_out')
        .on('webhook_events')
        .columns(['fanned_out_at', 'occurred_at'])
        .execute();
      await db.schema
        .createIndex('webhook_events_request')
        .on('webhook_events')
        .column('request_id')
        .execute();
      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('event_id', 'text', (c) => c.notNull().references('webhook_events.id'))
        .addColumn('endpoint_id', 'text', (c) => c.notNull().references('webhook_endpoints.id'))
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('tries', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'bigint')
        .addColumn('claimed_until', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('webhook_deliveries_due')
        .on('webhook_deliveries')
        .columns(['state', 'next_attempt_at'])
        .execute();
      await db.schema
        .createIndex('webhook_deliveries_event')
        .on('webhook_deliveries')
        .column('event_id')
        .execute();
      await db.schema
        .createTable('webhook_attempts')
        .addColumn('delivery_id', 'text', (c) => c.notNull().references('webhook_deliveries.id'))
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('status', 'integer')
        .addColumn('latency_ms', 'integer', (c) => c.notNull())
        .addColumn('error', 'text')
        .addPrimaryKeyConstraint('webhook_attempts_pk', ['delivery_id', 'attempt'])
        .execute();
    },
  },
  '0007_operators': {
    // Operators (docs/operations.md): when each OAuth client last obtained a token,
    // and the append-only audit log of every change made other than by a payment call.
    // Idempotent like 0003 and 0004 (a renumbered migration may meet its own tables).
    async up(db: Kysely<unknown>): Promise<void> {
      const tables = await db.introspection.getTables();
      const clients = new Set(
        tables.find((t) => t.name === 'clients')?.columns.map((c) => c.name) ?? [],
      );
      if (!clients.has('last_used_at')) {
        await db.schema.alterTable('clients').addColumn('last_used_at', 'bigint').execute();
      }
      await db.schema
        .createTable('audit_log')
        .ifNotExists()
        // UUIDv7: time-ordered, so the primary key is also the log's order.
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('company_id', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text')
        .addColumn('request_id', 'text')
        .addColumn('source', 'text')
        .addColumn('changes', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('audit_log_company')
        .ifNotExists()
        .on('audit_log')
        .columns(['company_id', 'id'])
        .execute();
      await db.schema
        .createIndex('audit_log_action')
        .ifNotExists()
        .on('audit_log')
        .columns(['action', 'id'])
        .execute();
      // Console users (not OAuth clients) and their server-side sessions.
      await db.schema
        .createTable('users')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('role', 'text', (c) => c.notNull())
        // null: a platform user (every company).
        .addColumn('company_id', 'text', (c) => c.references('companies.id'))
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('disabled_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('sessions')
        .ifNotExists()
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('csrf_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('sessions_user')
        .ifNotExists()
        .on('sessions')
        .column('user_id')
        .execute();
    },
  },
  '0008_ledger_list_indexes': {
    // The operators' list and CSV (docs/admin-api.md, "Indexes"): newest first by
    // request id within one company, optionally of one state or one store, and the
    // `q` prefix of an order number (transactions_trade_no) or of a request id, each
    // read in index order so a page costs its own rows, not the company's. A time range
    // is a request-id range too (UUIDv7); transactions_legacy_ids holds the rows whose
    // id is not time-ordered (none since 0003), for which it is not.
    // Idempotent like 0003 (SQLite runs DDL outside a transaction).
    async up(db: Kysely<unknown>): Promise<void> {
      if (db.getExecutor().adapter instanceof PostgresAdapter) {
        // Ids compare byte by byte, as in SQLite, whatever the database's locale: a
        // prefix is then one index range. Rebuilds the indexes on these two columns.
        await db.schema
          .alterTable('transactions')
          .alterColumn('request_id', (c) => c.setDataType(sql`text collate "C"`))
          .alterColumn('merchant_trade_no', (c) => c.setDataType(sql`text collate "C"`))
          .execute();
      }
      const indexes: [string, string[]][] = [
        ['transactions_company_newest', ['company_id', 'request_id']],
        ['transactions_company_state', ['company_id', 'state', 'request_id']],
        ['transactions_company_store', ['company_id', 'store_id', 'request_id']],
      ];
      for (const [name, columns] of indexes) {
        await db.schema
          .createIndex(name)
          .ifNotExists()
          .on('transactions')
          .columns(columns)
          .execute();
      }
      await db.schema
        .createIndex('transactions_legacy_ids')
        .ifNotExists()
        .on('transactions')
        .column('request_id')
        .where(sql<boolean>`request_id not like ${sql.lit(UUIDV7_PATTERN)}`)
        .execute();
      // Changing a column's collation drops its statistics: the planner needs them back.
      if (db.getExecutor().adapter instanceof PostgresAdapter) {
        await sql`analyze transactions`.execute(db);
      }
    },
  },
};

const provider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};

export interface MigrationReport {
  applied: string[];
}

/** Applies every migration not yet applied, or those up to and including `target`. */
export async function migrateToLatest(
  db: Kysely<unknown>,
  target?: string,
): Promise<MigrationReport> {
  const migrator = new Migrator({ db, provider });
  const { error, results } =
    target === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(target);
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return {
    applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
  };
}
