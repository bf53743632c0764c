import { createHash } from 'node:crypto';
import { GatewayError, ValidationError } from '../core/errors.js';
import type { Store } from '../store/index.js';

/** Keys are kept at least this long (Stripe keeps 24 hours). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** An in-progress key whose call never reached the ledger is abandoned after this. */
const ABANDONED_AFTER_MS = 60_000;

export class IdempotencyError extends GatewayError {
  override readonly name = 'IdempotencyError';
  constructor(
    readonly status: 400 | 409 | 422,
    readonly code: 'invalid_idempotency_key' | 'idempotency_in_progress' | 'idempotency_key_reused',
    message: string,
  ) {
    super(message);
  }
}

/** What to do with a call that carries an Idempotency-Key. */
export type IdempotencyDecision =
  | { kind: 'proceed' }
  /** The first call's answer, byte for byte. */
  | { kind: 'replay'; status: number; body: string; requestId: string }
  /** The first call's outcome was unknown (or its process died): answer its current state. */
  | { kind: 'current_state'; requestId: string };

/** Error codes of calls whose outcome was unknown when they were answered. */
const UNKNOWN_OUTCOME_CODES: ReadonlySet<string | null> = new Set([
  'upstream_timeout',
  'upstream_invalid',
]);

/**
 * Whether an error is an answer to keep for a replay. An internal error or a database
 * outage is not: the key is released and the call may be retried.
 */
export const keepsAnswer = (code: string): boolean =>
  code !== 'internal_error' && code !== 'database_unavailable';

export function fingerprint(operation: string, body: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(body) ?? '';
  } catch {
    // A body nested too deeply to serialise (RangeError): the caller's fault, not a 500.
    throw new ValidationError('malformed_body', '請求格式錯誤');
  }
  return createHash('sha256').update(operation).update('\0').update(text).digest('base64url');
}

export function checkKey(key: string): void {
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new IdempotencyError(400, 'invalid_idempotency_key', 'Idempotency-Key 格式錯誤');
  }
}

/**
 * Stripe's idempotency semantics over the database: scoped to the company; the
 * same key and body replay the first answer without another upstream call; a
 * different body is 422; a call still running is 409.
 */
export class IdempotencyGuard {
  constructor(private readonly store: Pick<Store, 'idempotency' | 'ledger'>) {}

  async begin(
    companyId: string,
    key: string,
    print: string,
    requestId: string,
    now = Date.now(),
  ): Promise<IdempotencyDecision> {
    checkKey(key);
    const held = await this.store.idempotency.claim(
      {
        companyId,
        key,
        fingerprint: print,
        requestId,
        createdAt: now,
        expiresAt: now + IDEMPOTENCY_TTL_MS,
      },
      now,
    );
    if (!held) return { kind: 'proceed' };
    if (held.fingerprint !== print) {
      throw new IdempotencyError(
        422,
        'idempotency_key_reused',
        'Idempotency-Key 已用於內容不同的請求',
      );
    }
    const call = await this.store.ledger.get(companyId, held.requestId);
    if (held.state === 'done') {
      if (call !== undefined && UNKNOWN_OUTCOME_CODES.has(call.errorCode)) {
        return { kind: 'current_state', requestId: held.requestId };
      }
      return {
        kind: 'replay',
        status: held.statusCode ?? 500,
        body: held.responseBody ?? '',
        requestId: held.requestId,
      };
    }
    // The key is still in progress. A settled ledger row means either its process
    // is about to record the answer (409 until it does) or the process died: the
    // row was recovered from a dead process, or nothing recorded the answer for long.
    const orphaned =
      call !== undefined &&
      call.state !== 'pending' &&
      (call.errorCode === 'interrupted' || now - call.updatedAt > ABANDONED_AFTER_MS);
    if (orphaned) return { kind: 'current_state', requestId: held.requestId };
    if (call === undefined && now - held.createdAt > ABANDONED_AFTER_MS) {
      // Its process died before anything was sent: the key can serve this call.
      if (await this.store.idempotency.takeOver(companyId, key, held.requestId, requestId)) {
        return { kind: 'proceed' };
      }
    }
    throw new IdempotencyError(
      409,
      'idempotency_in_progress',
      '相同 Idempotency-Key 的請求仍在處理中',
    );
  }

  finish(companyId: string, key: string, status: number, body: string): Promise<void> {
    return this.store.idempotency.complete(companyId, key, status, body);
  }

  /** The call failed in a way that is not worth replaying (an internal error). */
  release(companyId: string, key: string, requestId: string): Promise<void> {
    return this.store.idempotency.release(companyId, key, requestId);
  }
}
