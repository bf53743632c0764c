import type { Config } from '../config/config.js';
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
  credentials: WalletCredentials;
  create(runtime: WalletRuntime): PaymentProvider;
}
