import type { Config } from '../config/config.js';
import type { ProvisioningService } from '../provisioning/service.js';
import type { PaymentProvider, WalletCredentials } from './types.js';

/** What a wallet is created with: the configuration and where the embedded sandbox runs. */
export interface WalletRuntime {
  config: Config;
  /** The embedded sandbox's root URL (`http://host:port`), when it runs. */
  sandboxUrl: string | undefined;
}

/**
 * A wallet as the gateway knows it before anything runs: its payment type, its
 * credentials (what provisioning stores), and how to create its provider (which
 * reads the wallet's own settings, such as base URLs, from `config.env`).
 */
export interface Wallet {
  type: string;
  /** Its name for people (the console's forms; the provider's messages use the same). */
  displayName: string;
  credentials: WalletCredentials;
  create(runtime: WalletRuntime): PaymentProvider;
  /** The wallet's part of `npm start`'s demo, against the embedded sandbox. */
  demo?(context: DemoContext): Promise<DemoSection>;
}

/** What a wallet's demo section is given: the demo company, its store, and curl builders. */
export interface DemoContext {
  provisioning: ProvisioningService;
  companyId: string;
  storeId: string;
  sandboxUrl: string;
  gatewayUrl: string;
  /** Unique per demo: order numbers start with it. */
  stamp: string;
  /** Now, Taiwan time, `yyyy/MM/dd HH:mm:ss`. */
  date: string;
  /** A control call to the sandbox (`/sandbox/...`), answered as JSON. */
  sandboxPost<T>(path: string, body: object): Promise<T>;
  /** The curl command of an Integrate POST (store scenario, test environment) with the demo token. */
  post(operation: string, type: string, request: object): string;
  /** The curl command of a search (store scenario, test environment) with the demo token. */
  search(type: string, request: object): string;
  shellQuote(text: string): string;
}

/** A wallet's demo: one line on what was provisioned, then commented steps. */
export interface DemoSection {
  intro: string;
  steps: { comment: string; command: string }[];
}
