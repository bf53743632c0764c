import type { Db } from './database.js';

export interface IdempotencyRecord {
  companyId: string;
  key: string;
  fingerprint: string;
  requestId: string;
  state: 'in_progress' | 'done';
  statusCode: number | null;
  responseBody: string | null;
  createdAt: number;
  expiresAt: number;
}

/** Idempotency keys, scoped to a company; the first call's answer is kept byte for byte. */
export class IdempotencyRepository {
  constructor(private readonly db: Db) {}

  /**
   * Takes the key for a new call. Returns null when it was free (the caller owns
   * it now), else the record that holds it. One INSERT decides, so concurrent
   * callers, in one process or several, cannot both win.
   */
  async claim(
    record: Omit<IdempotencyRecord, 'state' | 'statusCode' | 'responseBody'>,
    now = Date.now(),
  ): Promise<IdempotencyRecord | null> {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const inserted = await this.db
        .insertInto('idempotency_keys')
        .values({
          company_id: record.companyId,
          idempotency_key: record.key,
          fingerprint: record.fingerprint,
          request_id: record.requestId,
          state: 'in_progress',
          status_code: null,
          response_body: null,
          created_at: record.createdAt,
          expires_at: record.expiresAt,
        })
        .onConflict((oc) => oc.columns(['company_id', 'idempotency_key']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return null;
      const existing = await this.find(record.companyId, record.key);
      if (existing && existing.expiresAt > now) return existing;
      // Expired (or vanished): remove it and try once more.
      await this.db
        .deleteFrom('idempotency_keys')
        .where('company_id', '=', record.companyId)
        .where('idempotency_key', '=', record.key)
        .where('expires_at', '<=', now)
        .execute();
    }
    const holder = await this.find(record.companyId, record.key);
    if (!holder) throw new Error('idempotency key could not be claimed');
    return holder;
  }

  /** Hands an abandoned in-progress key (its call never reached the ledger) to a new call. */
  async takeOver(
    companyId: string,
    key: string,
    fromRequestId: string,
    toRequestId: string,
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('idempotency_keys')
      .set({ request_id: toRequestId })
      .where('company_id', '=', companyId)
      .where('idempotency_key', '=', key)
      .where('request_id', '=', fromRequestId)
      .where('state', '=', 'in_progress')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async complete(
    companyId: string,
    key: string,
    statusCode: number,
    responseBody: string,
  ): Promise<void> {
    await this.db
      .updateTable('idempotency_keys')
      .set({ state: 'done', status_code: statusCode, response_body: responseBody })
      .where('company_id', '=', companyId)
      .where('idempotency_key', '=', key)
      .execute();
  }

  /** Frees the key when the call produced nothing worth replaying (it never reached the pipeline). */
  async release(companyId: string, key: string, requestId: string): Promise<void> {
    await this.db
      .deleteFrom('idempotency_keys')
      .where('company_id', '=', companyId)
      .where('idempotency_key', '=', key)
      .where('request_id', '=', requestId)
      .execute();
  }

  async find(companyId: string, key: string): Promise<IdempotencyRecord | undefined> {
    const row = await this.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
    return (
      row && {
        companyId: row.company_id,
        key: row.idempotency_key,
        fingerprint: row.fingerprint,
        requestId: row.request_id,
        state: row.state,
        statusCode: row.status_code,
        responseBody: row.response_body,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
      }
    );
  }

  async deleteExpired(now = Date.now()): Promise<number> {
    const result = await this.db
      .deleteFrom('idempotency_keys')
      .where('expires_at', '<=', now)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
