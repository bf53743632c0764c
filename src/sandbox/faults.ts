import { OPERATION_NAMES, type OperationName } from './operation.js';

/** Injected failures for a merchant's next icash calls (kept in memory, not in the database). */

export const FAULT_KINDS = ['delay', 'http500', 'drop', 'bad_signature', 'non_json'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
  MerchantID: string;
  fault: FaultKind;
  /** Calls still to be affected. */
  count: number;
  delayMs: number;
  operation: OperationName | null;
  /** true: the call is applied and only its answer is affected; false: nothing changes. */
  process: boolean;
}

export const DEFAULT_DELAY_MS = 5_000;
const MAX_DELAY_MS = 600_000;

export class FaultInputError extends Error {
  override readonly name = 'FaultInputError';
}

/** Checks a `POST /sandbox/faults` body. */
export function parseFault(input: Record<string, unknown>): Fault {
  const {
    MerchantID,
    fault,
    count = 1,
    delayMs = DEFAULT_DELAY_MS,
    operation,
    process = true,
  } = input;
  if (typeof MerchantID !== 'string' || !/^\d{8}$/.test(MerchantID)) {
    throw new FaultInputError('MerchantID must be an 8-digit string');
  }
  if (typeof fault !== 'string' || !(FAULT_KINDS as readonly string[]).includes(fault)) {
    throw new FaultInputError(`fault must be one of ${FAULT_KINDS.join(', ')}`);
  }
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1 || count > 10_000) {
    throw new FaultInputError('count must be an integer from 1 to 10000');
  }
  if (
    typeof delayMs !== 'number' ||
    !Number.isSafeInteger(delayMs) ||
    delayMs < 0 ||
    delayMs > MAX_DELAY_MS
  ) {
    throw new FaultInputError(`delayMs must be an integer from 0 to ${MAX_DELAY_MS}`);
  }
  if (
    operation !== undefined &&
    operation !== null &&
    (typeof operation !== 'string' || !(OPERATION_NAMES as readonly string[]).includes(operation))
  ) {
    throw new FaultInputError(`operation must be one of ${OPERATION_NAMES.join(', ')}`);
  }
  if (typeof process !== 'boolean') throw new FaultInputError('process must be a boolean');
  return {
    MerchantID,
    fault: fault as FaultKind,
    count,
    delayMs,
    operation: (operation ?? null) as OperationName | null,
    process,
  };
}

export class FaultBook {
  #faults: Fault[] = [];

  add(fault: Fault): void {
    this.#faults.push(fault);
  }

  list(): Fault[] {
    return this.#faults.map((fault) => ({ ...fault }));
  }

  /** Clears every fault, or only one merchant's. Returns how many were removed. */
  clear(merchantId?: string): number {
    const before = this.#faults.length;
    this.#faults =
      merchantId === undefined ? [] : this.#faults.filter((f) => f.MerchantID !== merchantId);
    return before - this.#faults.length;
  }

  /** Takes one use of the oldest fault matching this call, if any. */
  take(merchantId: string, operation: OperationName): Fault | undefined {
    const fault = this.#faults.find(
      (f) => f.MerchantID === merchantId && (f.operation === null || f.operation === operation),
    );
    if (!fault) return undefined;
    fault.count -= 1;
    if (fault.count === 0) this.#faults = this.#faults.filter((f) => f !== fault);
    return { ...fault };
  }
}
