import { SandboxServer } from './server.js';
import type { WalletSimulator } from './wallet.js';
import { type SandboxWallets, buildWallets } from './wallets.js';

/**
 * The sandbox: one HTTP server running every wallet's stateful simulator
 * (`src/sandbox/<wallet>/`), with test controls under `/sandbox/...`.
 * See docs/sandbox.md.
 */

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

/** A simulator's name in the sandbox (`src/sandbox/wallets.ts`). */
export type SandboxWalletName = Exclude<keyof SandboxWallets, 'all'>;

export interface SandboxHandle {
  /** `http://HOST:PORT` */
  url: string;
  /** Each simulator's upstream base URL: `url` and the simulator's `basePath`. */
  baseUrls: Readonly<Record<SandboxWalletName, string>>;
  /** The simulators themselves (their state and call logs), for tests. */
  wallets: SandboxWallets;
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<SandboxHandle> {
  const host = options.host ?? '127.0.0.1';
  const server = new SandboxServer(options.dbPath ?? ':memory:', buildWallets);
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
    baseUrls: Object.fromEntries(
      Object.entries(server.built)
        .filter(([name]) => name !== 'all')
        .map(([name, wallet]) => [name, url + (wallet as WalletSimulator).basePath]),
    ) as Record<SandboxWalletName, string>,
    wallets: server.built,
    close: () => (closing ??= server.close()),
  };
}
