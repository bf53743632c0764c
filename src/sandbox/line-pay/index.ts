import type Database from 'better-sqlite3';
import { type UpstreamRequest, type WalletSimulator } from '../wallet.js';
import { handleLineControl } from './controls.js';
import { newLineFaultBook } from './faults.js';
import { handleLineCall, type LineCall } from './handler.js';
import { LinePayState } from './state.js';

export type { LineCall } from './handler.js';
export type { LineFault, LineFaultKind } from './faults.js';

const MAX_CALLS = 10_000;

/**
 * The LINE Pay simulator: LINE's Offline API at the sandbox's root
 * (`/v2/payments/...`, `/v4/payments/...`), its controls under
 * `/sandbox/line-pay/...`. See docs/line-pay.md.
 */
export class LinePaySimulator implements WalletSimulator {
  /** LINE's paths (`/v2/...`, `/v4/...`) start at the root. */
  readonly basePath = '';
  readonly state: LinePayState;
  readonly faults = newLineFaultBook();
  #calls: LineCall[] = [];

  constructor(
    db: Database.Database,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    this.state = new LinePayState(db);
  }

  serve({ req, res, method, body }: UpstreamRequest): Promise<boolean> {
    const deps = {
      state: this.state,
      faults: this.faults,
      record: (call: LineCall) => this.#record(call),
      sleep: this.sleep,
    };
    return handleLineCall(deps, req, res, method, body);
  }

  control(method: string, path: string, query: URLSearchParams, body: Buffer) {
    const deps = { state: this.state, calls: (channelId?: string) => this.calls(channelId) };
    return Promise.resolve(handleLineControl(deps, method, path, query, body));
  }

  /** Calls received on LINE paths, oldest first (the last 10,000). */
  calls(channelId?: string): LineCall[] {
    const calls =
      channelId === undefined ? this.#calls : this.#calls.filter((c) => c.channelId === channelId);
    return calls.map((call) => ({ ...call }));
  }

  #record(call: LineCall): void {
    this.#calls.push(call);
    if (this.#calls.length > MAX_CALLS) this.#calls.splice(0, this.#calls.length - MAX_CALLS);
  }
}
