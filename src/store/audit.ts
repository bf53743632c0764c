import { newRequestId } from '../core/ids.js';
import type { Db } from './database.js';
import type { AuditLogTable } from './schema.js';

/** A JSON value. */
export type AuditValue =
  string | number | boolean | null | readonly AuditValue[] | { readonly [key: string]: AuditValue };

/** What changed: plain values only; a secret never goes in here. */
export type AuditChanges = Readonly<Record<string, AuditValue>>;

export interface AuditEntryInput {
  /** `cli`, `system`, or `user:<id>`. */
  actor: string;
  companyId: string | null;
  action: string;
  target: string | null;
  requestId?: string | null;
  source?: string | null;
  changes: AuditChanges;
}

export interface AuditEntry extends Required<AuditEntryInput> {
  id: string;
  at: number;
}

export interface AuditFilter {
  companyId?: string;
  action?: string;
  actor?: string;
  target?: string;
  from?: number;
  to?: number;
  /** Entries older than this id (the previous page's last). */
  before?: string;
  limit?: number;
}

/** The append-only audit log: entries are inserted, never updated or deleted. */
export class AuditLog {
  constructor(private readonly db: Db) {}

  async append(entry: AuditEntryInput, now = Date.now()): Promise<AuditEntry> {
    const row: AuditLogTable = {
      id: newRequestId(now),
      at: now,
      actor: entry.actor,
      company_id: entry.companyId,
      action: entry.action,
      target: entry.target,
      request_id: entry.requestId ?? null,
      source: entry.source ?? null,
      changes: JSON.stringify(entry.changes),
    };
    await this.db.insertInto('audit_log').values(row).execute();
    return fromRow(row);
  }

  /** Newest first. */
  async list(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    let query = this.db.selectFrom('audit_log').selectAll();
    if (filter.companyId !== undefined) query = query.where('company_id', '=', filter.companyId);
    if (filter.action !== undefined) query = query.where('action', '=', filter.action);
    if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor);
    if (filter.target !== undefined) query = query.where('target', '=', filter.target);
    if (filter.from !== undefined) query = query.where('at', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('at', '<', filter.to);
    if (filter.before !== undefined) query = query.where('id', '<', filter.before);
    const rows = await query
      .orderBy('id', 'desc')
      .limit(filter.limit ?? 100)
      .execute();
    return rows.map(fromRow);
  }
}

function fromRow(row: AuditLogTable): AuditEntry {
  return {
    id: row.id,
    at: Number(row.at),
    actor: row.actor,
    companyId: row.company_id,
    action: row.action,
    target: row.target,
    requestId: row.request_id,
    source: row.source,
    changes: JSON.parse(row.changes) as AuditChanges,
  };
}
