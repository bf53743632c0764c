import {
  idDigits,
  isLosslessObject,
  type LosslessObject,
  type LosslessValue,
} from '../../core/lossless-json.js';
import type { LineOutcome } from './operations.js';
import { ReturnCode } from './return-codes.js';

/**
 * How the reconciler settles a LINE Pay call whose outcome is unknown. Pure
 * functions of the query's outcome and the call's age; docs/line-pay.md says why.
 */

/** A barcode (oneTimeKey) is valid 5 minutes: before that, "not found" may still change. */
export const MIN_SAFE_WAIT_MS = 5 * 60_000;

export interface PendingCall {
  /** Time since the call was made. */
  ageMs: number;
  /** Before this age (never less than MIN_SAFE_WAIT_MS), absence is not proof. */
  safeWaitMs: number;
}

export interface LineJudgement {
  result: 'succeeded' | 'failed' | 'unknown';
  /** What the query gave: answered, unknown, untrusted, not_sent. */
  outcome: LineOutcome['kind'];
  returnCode: string | null;
  /** check: `info.status`; details: the matched refund's transactionType. */
  status: string | null;
  /** pay: the payment's transactionId; refund: the refund's refundTransactionId. */
  transactionId: string | null;
}

const waited = (call: PendingCall): boolean =>
  call.ageMs >= Math.max(call.safeWaitMs, MIN_SAFE_WAIT_MS);

function unanswered(query: LineOutcome): LineJudgement {
  return {
    result: 'unknown',
    outcome: query.kind,
    returnCode: null,
    status: null,
    transactionId: null,
  };
}

function objectInfo(body: LosslessObject): LosslessObject | null {
  const info = body.info;
  return isLosslessObject(info) ? info : null;
}

/**
 * A pay, from `GET .../orders/{orderId}/check`: COMPLETE (and REFUND: paid,
 * then refunded) → succeeded; FAIL, CANCEL → failed; AUTH_READY → unknown;
 * 1150 → failed only once the safe wait is over; anything else → unknown.
 */
export function judgePayFromCheck(call: PendingCall, check: LineOutcome): LineJudgement {
  if (check.kind !== 'answered') return unanswered(check);
  const base = {
    outcome: check.kind,
    returnCode: check.returnCode,
    status: null,
    transactionId: null,
  } as const;
  if (check.returnCode === ReturnCode.NotFound) {
    return { ...base, result: waited(call) ? 'failed' : 'unknown' };
  }
  const info = check.returnCode === ReturnCode.Success ? objectInfo(check.body) : null;
  const status = info?.status;
  if (!info || typeof status !== 'string') return { ...base, result: 'unknown' };
  const found = { ...base, status, transactionId: idDigits(info.transactionId) };
  switch (status) {
    case 'COMPLETE':
    case 'REFUND':
      return { ...found, result: 'succeeded' };
    case 'FAIL':
    case 'CANCEL':
      return { ...found, result: 'failed' };
    default:
      return { ...found, result: 'unknown' };
  }
}

/** A refund (or a cancel, which is a refund of all that remained) whose outcome is unknown. */
export interface PendingRefund extends PendingCall {
  orderId: string;
  /**
   * The amount this refund was to return (positive); for a cancel, what remained.
   * null when nobody knew (a cancel of a payment made elsewhere): any unclaimed refund matches.
   */
  amount: number | null;
  /** The refund's own refundTransactionId, when it was learned. */
  refundTransactionId?: string;
  /**
   * refundTransactionIds already attributed to other refunds of this payment
   * (the ledger's); never claimed for this one.
   */
  claimedRefundIds: readonly string[];
}

interface RefundEntry {
  id: string;
  amount: number;
  type: string | null;
}

function refundEntries(entry: LosslessObject): RefundEntry[] | null {
  const list = entry.refundList;
  if (list === undefined) return [];
  if (!Array.isArray(list)) return null;
  const out: RefundEntry[] = [];
  for (const item of list as LosslessValue[]) {
    if (!isLosslessObject(item)) return null;
    const id = idDigits(item.refundTransactionId);
    const amount = item.refundAmount;
    if (id === null || typeof amount !== 'number') return null;
    const type = typeof item.transactionType === 'string' ? item.transactionType : null;
    out.push({ id, amount: Math.abs(amount), type });
  }
  return out;
}

/**
 * A refund, from the payment details' refundList:
 * - its refundTransactionId known: listed → succeeded; not listed → failed
 *   after the safe wait, else unknown;
 * - not known: the oldest listed refund of exactly the expected amount that no
 *   other refund of this payment has claimed → succeeded (its id is given so
 *   the caller can claim it); none → failed after the safe wait, else unknown.
 * 1150 (payment not found) is treated like an absent refund. Anything that is not
 * a trustworthy answer naming the order leaves the call unknown.
 */
export function judgeRefundFromDetails(call: PendingRefund, details: LineOutcome): LineJudgement {
  if (details.kind !== 'answered') return unanswered(details);
  const base = {
    outcome: details.kind,
    returnCode: details.returnCode,
    status: null,
    transactionId: null,
  } as const;
  const absent = (): LineJudgement => ({ ...base, result: waited(call) ? 'failed' : 'unknown' });
  if (details.returnCode === ReturnCode.NotFound) return absent();
  if (details.returnCode !== ReturnCode.Success) return { ...base, result: 'unknown' };
  const info = details.body.info;
  if (!Array.isArray(info)) return { ...base, result: 'unknown' };
  const payment = (info as LosslessValue[]).find(
    (e): e is LosslessObject => isLosslessObject(e) && e.orderId === call.orderId,
  );
  if (!payment) return { ...base, result: 'unknown' };
  const refunds = refundEntries(payment);
  if (refunds === null) return { ...base, result: 'unknown' };
  const claimed = new Set(call.claimedRefundIds);
  const match =
    call.refundTransactionId !== undefined
      ? refunds.find((r) => r.id === call.refundTransactionId)
      : refunds.find(
          (r) => (call.amount === null || r.amount === call.amount) && !claimed.has(r.id),
        );
  if (!match) return absent();
  return { ...base, result: 'succeeded', status: match.type, transactionId: match.id };
}
