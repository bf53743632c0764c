import { newRequestId } from '../core/ids.js';
import type { Statement } from './statements.js';

/**
 * Event ids (`webhook-id`): `msg_` and a UUIDv7 without dashes (74 random bits):
 * time-ordered, so outbox inserts append to the primary-key index.
 */
export const newEventId = (now = Date.now()): string =>
  `msg_${newRequestId(now).replace(/-/g, '')}`;

/**
 * The transactional outbox's one write: after a transactions row changed state,
 * in the same database transaction, one webhook_events row, but only when the
 * row's new state is one events are sent for and its company has an endpoint
 * subscribed to it. Without such an endpoint it inserts nothing: one index
 * lookup on webhook_endpoints. Deliveries (one per endpoint) are made from it
 * later by the delivery worker.
 */
const EVENT_COLUMNS =
  'insert into webhook_events (id, company_id, request_id, type, reconciled, occurred_at) ';
const EVENT_VALUES = "select ?, t.company_id, t.request_id, 'transaction.' || t.state, ?, ? ";
const EVENT_CONDITION =
  "t.state in ('succeeded', 'declined', 'failed', 'unknown') " +
  'and exists (select 1 from webhook_endpoints e where e.company_id = t.company_id ' +
  "and e.deleted_at is null and (e.events = '*' or e.events like '%,transaction.' || t.state || ',%'))";
const EVENT_SQL = `${EVENT_COLUMNS}${EVENT_VALUES}from transactions t where t.request_id = ? and ${EVENT_CONDITION}`;

/** The outbox write for `requestId`'s new state; `reconciled`: the reconciler made the change. */
export function outboxEvent(requestId: string, reconciled: boolean, now: number): Statement {
  return { text: EVENT_SQL, params: [newEventId(now), reconciled ? 1 : 0, now, requestId] };
}

/**
 * PostgreSQL: an UPDATE of one transactions row (`update` with its params) and its
 * outbox write as ONE statement (a data-modifying CTE), so the completion costs one
 * round trip instead of BEGIN, UPDATE, INSERT and COMMIT. Atomic like any statement.
 */
export function updateWithEvent(
  update: Statement,
  requestId: string,
  reconciled: boolean,
  now: number,
): Statement {
  return {
    text:
      `with t as (${update.text} returning company_id, request_id, state) ` +
      `${EVENT_COLUMNS}${EVENT_VALUES}from t where t.request_id = ? and ${EVENT_CONDITION}`,
    params: [...update.params, newEventId(now), reconciled ? 1 : 0, now, requestId],
  };
}
