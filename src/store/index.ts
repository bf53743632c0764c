import { randomUUID } from 'node:crypto';
import type { SecretBox } from '../core/master-key.js';
import { AuditLog } from './audit.js';
import { CompanyRepository } from './companies.js';
import {
  type DatabaseHandle,
  type DatabaseOptions,
  isReachable,
  openDatabase,
} from './database.js';
import { CredentialRepository } from './credentials.js';
import { TransactionLedger } from './ledger.js';
import { IdempotencyRepository } from './idempotency.js';
import { migrateToLatest } from './migrations.js';
import { StoreRepository } from './stores.js';
import { TokenRepository } from './tokens.js';
import { WebhookRepository } from './webhooks.js';
import { UserRepository } from './users.js';
import type { Kysely } from 'kysely';

/** The gateway's whole persistence, opened and migrated in one step. */
export interface Store {
  dialect: DatabaseHandle['dialect'];
  /** The master-key version new secrets are sealed with. */
  keyVersion: number;
  companies: CompanyRepository;
  tokens: TokenRepository;
  credentials: CredentialRepository;
  stores: StoreRepository;
  ledger: TransactionLedger;
  idempotency: IdempotencyRepository;
  /** Webhook endpoints and the outbox. */
  webhooks: WebhookRepository;
  audit: AuditLog;
  users: UserRepository;
  /** The database answers, and no statement failed for want of it in the last 5 s. */
  isReady(): Promise<boolean>;
  /** Told once when the database stops serving and once when it serves again. */
  onAvailabilityChange(listener: (available: boolean) => void): void;
  close(): Promise<void>;
}

export async function openStore(
  url: string,
  box: SecretBox,
  options: DatabaseOptions & { migrate?: boolean; instanceId?: string } = {},
): Promise<Store> {
  const handle = openDatabase(url, options);
  if (options.migrate !== false) await migrateToLatest(handle.db as unknown as Kysely<unknown>);
  return {
    dialect: handle.dialect,
    keyVersion: box.currentVersion,
    companies: new CompanyRepository(handle.db, box),
    tokens: new TokenRepository(handle.db, handle.statements),
    credentials: new CredentialRepository(handle.db, box, handle.statements),
    stores: new StoreRepository(handle.db, handle.statements),
    ledger: new TransactionLedger(handle.db, options.instanceId ?? randomUUID(), handle.statements),
    idempotency: new IdempotencyRepository(handle.db),
    webhooks: new WebhookRepository(handle.db, box),
    audit: new AuditLog(handle.db),
    users: new UserRepository(handle.db),
    isReady: async () => handle.health.serving() && (await isReachable(handle.db)),
    onAvailabilityChange: (listener) => handle.health.onChange(listener),
    close: () => handle.close(),
  };
}

/**
 * Migrates a database to the latest schema, or up to `target` (tests of upgrades).
 * Once the audit log exists, the migrations applied are recorded in it (`actor`).
 */
export async function migrateDatabase(
  url: string,
  target?: string,
  actor = 'cli',
): Promise<string[]> {
  const handle = openDatabase(url);
  try {
    const { applied } = await migrateToLatest(handle.db as unknown as Kysely<unknown>, target);
    const tables = await handle.db.introspection.getTables();
    if (applied.length > 0 && tables.some((t) => t.name === 'audit_log')) {
      await new AuditLog(handle.db).append({
        actor,
        companyId: null,
        action: 'schema.migrate',
        target: null,
        changes: { applied },
      });
    }
    return applied;
  } finally {
    await handle.close();
  }
}

export type {
  CredentialInput,
  CredentialKey,
  Environment,
  StoredCredential,
} from './credentials.js';
export type { StorePayConfig, StoreSummary } from './stores.js';
export type { CredentialMetadata } from './credentials.js';
export type { ClientSummary, CompanySummary } from './companies.js';
export type { User, UserRole, SessionOwner } from './users.js';
export type { AuditChanges, AuditEntry, AuditEntryInput, AuditFilter } from './audit.js';
export type { TransactionRecord, TransactionState, ReconciliationAttempt } from './ledger.js';
export type { IdempotencyRecord } from './idempotency.js';
export type {
  ClaimedDelivery,
  DeliveryAttempt,
  DeliveryFilter,
  DeliveryStatus,
  WebhookEndpoint,
  WebhookEvent,
} from './webhooks.js';
