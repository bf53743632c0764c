import type { PaymentProvider } from './types.js';

/** The payment types the gateway knows, by their API name. One line per provider. */
export class ProviderRegistry {
  readonly #providers = new Map<string, PaymentProvider>();

  constructor(providers: readonly PaymentProvider[]) {
    for (const provider of providers) this.#providers.set(provider.type, provider);
  }

  get(type: string): PaymentProvider | undefined {
    return this.#providers.get(type);
  }

  types(): string[] {
    return [...this.#providers.keys()];
  }

  async close(): Promise<void> {
    await Promise.all([...this.#providers.values()].map((p) => p.close?.()));
  }
}
