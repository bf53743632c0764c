import type Database from 'better-sqlite3';
import { type UpstreamRequest, type WalletSimulator, sendJson } from '../wallet.js';
import { CallLog } from './call-log.js';
import { faultOwner, handleControl } from './controls.js';
import { newFaultBook } from './faults.js';
import { handleIcashCall, icashOperation } from './handler.js';
import { Keyring } from './keyring.js';
import { Rtn, rtnMessage } from './messages.js';
import { SandboxState } from './state.js';

export type { SandboxCall } from './call-log.js';
export type { Fault, FaultKind } from './faults.js';
export type { MerchantCredentials } from './keyring.js';
export type { OperationName } from './operation.js';

/** Where icash's operations live under the sandbox's root. */
export const ICASH_BASE_PATH = '/api/V2/Payment';

/**
 * The icash Pay simulator: icash's envelope on `/api/V2/Payment/...` (and
 * `/api/Payment/...`), its controls under `/sandbox/...`. See docs/sandbox.md.
 */
export class IcashSimulator implements WalletSimulator {
  readonly basePath = ICASH_BASE_PATH;
  readonly state: SandboxState;
  readonly log = new CallLog();
  readonly faults = newFaultBook(faultOwner);
  readonly #keyring: Keyring;

  constructor(
    db: Database.Database,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    this.state = new SandboxState(db);
    this.#keyring = new Keyring(this.state);
  }

  async serve({ req, res, method, url, body }: UpstreamRequest): Promise<boolean> {
    const operation = icashOperation(url.pathname);
    if (!operation) return false;
    if (method !== 'POST') {
      sendJson(res, 405, { message: 'icash operations take POST' }, { allow: 'POST' });
      return true;
    }
    const deps = {
      state: this.state,
      keyring: this.#keyring,
      faults: this.faults,
      log: this.log,
      sleep: this.sleep,
    };
    try {
      await handleIcashCall(deps, req, res, operation, url.pathname, body);
    } catch {
      sendJson(res, 200, { RtnCode: Rtn.Unexpected, RtnMsg: rtnMessage(Rtn.Unexpected) });
    }
    return true;
  }

  control(method: string, path: string, query: URLSearchParams, body: Buffer) {
    const deps = { state: this.state, keyring: this.#keyring, log: this.log };
    return handleControl(deps, method, path, query, body);
  }
}
