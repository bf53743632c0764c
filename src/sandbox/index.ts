import { ICASH_BASE_PATH, type SandboxCall } from './icash-pay/index.js';
import { SandboxServer } from './server.js';
import { buildWallets } from './wallets.js';

/**
 * The sandbox: one HTTP server running every wallet's stateful simulator
 * (`src/sandbox/<wallet>/`), with test controls under `/sandbox/...`.
 * See docs/sandbox.md.
 */

export type {
  Fault,
  FaultKind,
  MerchantCredentials,
  OperationName,
  SandboxCall,
} from './icash-pay/index.js';

/** What `omnigate sandbox` / `npm run sandbox` use when not told otherwise. */
export const DEFAULT_SANDBOX_PORT = 4000;
export const DEFAULT_SANDBOX_DB_PATH = './data/sandbox.sqlite';

export interface SandboxOptions {
  /** 0 picks a free port. Default 0. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** SQLite file, or ':memory:' (the default) for a sandbox that forgets on close. */
  dbPath?: string;
}

export interface SandboxHandle {
  /** `http://HOST:PORT` */
  url: string;
  /** `url + '/api/V2/Payment'` */
  icashBaseUrl: string;
  /** Every request received on an icash path, oldest first. */
  calls(): SandboxCall[];
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<SandboxHandle> {
  const host = options.host ?? '127.0.0.1';
  const server = new SandboxServer(options.dbPath ?? ':memory:', buildWallets);
  const { icash } = server.built;
  let address;
  try {
    address = await server.listen(options.port ?? 0, host);
  } catch (error) {
    server.closeDatabase();
    throw error;
  }
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${hostPart}:${address.port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    icashBaseUrl: url + ICASH_BASE_PATH,
    calls: () => icash.log.list(),
    close: () => (closing ??= server.close()),
  };
}
