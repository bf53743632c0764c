import { FaultBook, FaultInputError, type FaultFields, parseFaultFields } from '../faults.js';
import { LINE_OPERATIONS, type LineOperation } from './operations.js';

/**
 * LINE Pay fault kinds, set by `POST /sandbox/faults {"channelId", "fault", ...}`:
 * - `delay`: the answer comes `delayMs` late (the call is applied unless `process: false`);
 * - `drop`: the connection is closed without an answer (applied unless `process: false`);
 * - `http5xx`: a proxy's HTML error page, status `httpStatus` (default 502);
 * - `auth_ready`: a pay waits for the customer: AUTH_READY for `delayMs` (check says
 *   so), then `then` (`COMPLETE`, the default, or `CANCEL`); its answer waits as long;
 * - `not_found`: the call answers 1150 without looking (use `operation: "check"` and
 *   `count: N` for "not found" on the first N checks after a committed pay).
 */
export const LINE_FAULT_KINDS = ['delay', 'drop', 'http5xx', 'auth_ready', 'not_found'] as const;
export type LineFaultKind = (typeof LINE_FAULT_KINDS)[number];

export interface LineFault extends FaultFields<LineFaultKind, LineOperation> {
  channelId: string;
  httpStatus: number;
  then: 'COMPLETE' | 'CANCEL';
}

export const LINE_FAULT_OWNER_FIELD = 'channelId';

export function checkChannelId(value: unknown): string {
  if (typeof value !== 'string' || !/^\d{10}$/.test(value)) {
    throw new FaultInputError('channelId must be a 10-digit string');
  }
  return value;
}

export function parseLineFault(input: Record<string, unknown>): LineFault {
  const channelId = checkChannelId(input.channelId);
  const fields = parseFaultFields(input, LINE_FAULT_KINDS, LINE_OPERATIONS);
  const { httpStatus = 502, then = 'COMPLETE' } = input;
  if (
    typeof httpStatus !== 'number' ||
    !Number.isInteger(httpStatus) ||
    httpStatus < 500 ||
    httpStatus > 599
  ) {
    throw new FaultInputError('httpStatus must be an integer from 500 to 599');
  }
  if (then !== 'COMPLETE' && then !== 'CANCEL')
    throw new FaultInputError('then must be COMPLETE or CANCEL');
  return { channelId, ...fields, httpStatus, then };
}

export const newLineFaultBook = (): FaultBook<LineFault> =>
  new FaultBook<LineFault>({
    ownerField: LINE_FAULT_OWNER_FIELD,
    ownerOf: (f) => f.channelId,
    parse: parseLineFault,
    checkOwner: checkChannelId,
  });
