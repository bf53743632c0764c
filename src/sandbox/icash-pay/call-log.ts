import type { FaultKind } from './faults.js';

/** One request received on an icash path, as the sandbox saw it. */
export interface SandboxCall {
  path: string;
  encKeyId: string;
  signatureValid: boolean;
  /** The decrypted payload, or null when it could not be decrypted or parsed. */
  payload: Record<string, unknown> | null;
  /** The RtnCode the sandbox decided on; null when no icash answer was made (method, size). */
  rtnCode: number | null;
  /** ISO 8601 time the request was received. */
  at: string;
  /** The payload's MerchantID, else the key set's merchant, else null. */
  merchantId: string | null;
  /** The fault injected into this call's answer, if any. */
  fault: FaultKind | null;
}

const MAX_CALLS = 10_000;

/** The in-memory call log, oldest first; it keeps the last 10,000 calls. */
export class CallLog {
  #calls: SandboxCall[] = [];

  record(call: SandboxCall): void {
    this.#calls.push(call);
    if (this.#calls.length > MAX_CALLS) this.#calls.splice(0, this.#calls.length - MAX_CALLS);
  }

  list(merchantId?: string): SandboxCall[] {
    const calls =
      merchantId === undefined
        ? this.#calls
        : this.#calls.filter((c) => c.merchantId === merchantId);
    return calls.map((call) => ({ ...call }));
  }
}
