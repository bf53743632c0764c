/**
 * Injected failures for an account's next upstream calls, kept in memory (not in
 * the database). Each wallet simulator names its fault kinds, its operations and
 * the field that names the account (a merchant, a channel); the counting, the
 * common fields and their checks are shared.
 */

export interface FaultFields<Kind extends string, Operation extends string> {
  fault: Kind;
  /** Calls still to be affected. */
  count: number;
  delayMs: number;
  /** null: any operation of the account. */
  operation: Operation | null;
  /** true: the call is applied and only its answer is affected; false: nothing changes. */
  process: boolean;
}

export const DEFAULT_DELAY_MS = 5_000;
const MAX_DELAY_MS = 600_000;

export class FaultInputError extends Error {
  override readonly name = 'FaultInputError';
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[]): value is T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value);
}

/** Checks the common fields of a `POST /sandbox/faults` body, in this order. */
export function parseFaultFields<Kind extends string, Operation extends string>(
  input: Record<string, unknown>,
  kinds: readonly Kind[],
  operations: readonly Operation[],
): FaultFields<Kind, Operation> {
  const { fault, count = 1, delayMs = DEFAULT_DELAY_MS, operation, process = true } = input;
  if (!oneOf(fault, kinds)) throw new FaultInputError(`fault must be one of ${kinds.join(', ')}`);
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
  if (operation !== undefined && operation !== null && !oneOf(operation, operations)) {
    throw new FaultInputError(`operation must be one of ${operations.join(', ')}`);
  }
  if (typeof process !== 'boolean') throw new FaultInputError('process must be a boolean');
  return { fault, count, delayMs, operation: operation ?? null, process };
}

/** What a wallet says about its faults: the account field, how to read and check one. */
export interface FaultRules<F> {
  /** The body and query field naming an account (`MerchantID`, `channelId`). */
  ownerField: string;
  ownerOf(fault: F): string;
  /** Checks a `POST /sandbox/faults` body (throws FaultInputError). */
  parse(input: Record<string, unknown>): F;
  /** Checks an account named in `DELETE /sandbox/faults?field=` (throws). */
  checkOwner(value: string): string;
}

/** One wallet's pending faults, oldest first. */
export class FaultBook<F extends { count: number; operation: string | null }> {
  #faults: F[] = [];

  constructor(private readonly rules: FaultRules<F>) {}

  get ownerField(): string {
    return this.rules.ownerField;
  }

  /** Checks and stores a fault; returns what was stored. */
  add(input: Record<string, unknown>): F {
    const fault = this.rules.parse(input);
    this.#faults.push(fault);
    return { ...fault };
  }

  list(): F[] {
    return this.#faults.map((fault) => ({ ...fault }));
  }

  /** Clears every fault, or only one account's. Returns how many were removed. */
  clear(owner?: string): number {
    const before = this.#faults.length;
    if (owner !== undefined) {
      const checked = this.rules.checkOwner(owner);
      this.#faults = this.#faults.filter((f) => this.rules.ownerOf(f) !== checked);
    } else this.#faults = [];
    return before - this.#faults.length;
  }

  /** Takes one use of the oldest fault matching this call, if any. */
  take(owner: string, operation: string): F | undefined {
    const fault = this.#faults.find(
      (f) => this.rules.ownerOf(f) === owner && (f.operation === null || f.operation === operation),
    );
    if (!fault) return undefined;
    fault.count -= 1;
    if (fault.count === 0) this.#faults = this.#faults.filter((f) => f !== fault);
    return { ...fault };
  }
}
