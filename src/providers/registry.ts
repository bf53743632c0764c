import type { Operation, PaymentProvider } from './types.js';

/** The payment types the gateway knows, by their API name. One line per provider. */
export class ProviderRegistry {
  readonly #providers = new Map<string, PaymentProvider>();
  readonly #requiredByAll = new Map<Operation, readonly string[]>();

  constructor(providers: readonly PaymentProvider[]) {
    for (const provider of providers) this.#providers.set(provider.type, provider);
  }

  get(type: string): PaymentProvider | undefined {
    return this.#providers.get(type);
  }

  /**
   * The `request` fields every provider requires for `operation`, in the first
   * provider's order: required whatever `type` says, so they are checked before it.
   */
  requiredByAll(operation: Operation): readonly string[] {
    const known = this.#requiredByAll.get(operation);
    if (known) return known;
    let common: string[] | undefined;
    for (const provider of this.#providers.values()) {
      const spec = provider.operations[operation];
      if (!spec) continue;
      const required = spec.fields.filter((f) => f.required).map((f) => f.name);
      common = common ? common.filter((name) => required.includes(name)) : required;
    }
    this.#requiredByAll.set(operation, common ?? []);
    return common ?? [];
  }

  /** Every wallet's name for a call's order number (the transactions lookup accepts each). */
  tradeNoFields(): string[] {
    const names = new Set<string>();
    for (const provider of this.#providers.values())
      for (const op of Object.values(provider.operations)) names.add(op.tradeNoField);
    return [...names];
  }

  types(): string[] {
    return [...this.#providers.keys()];
  }

  async close(): Promise<void> {
    await Promise.all([...this.#providers.values()].map((p) => p.close?.()));
  }
}
