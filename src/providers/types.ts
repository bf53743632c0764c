import type { CheckedRequest, FieldSpec } from '../integrate/fields.js';
import type { ValidationError } from '../core/errors.js';
import type { Environment, StoredKeySet, StorePayConfig } from '../store/index.js';

/** The Integrate operations, named as the API names them. */
export type Operation = 'cancel' | 'pay' | 'search' | 'refund';

/** The answer a client receives for an icash-style provider, success or business failure. */
export interface ProviderAnswer {
  RtnCode: number;
  RtnMsg: string;
  EncData: Record<string, unknown> | null;
}

/** What happened upstream, as the pipeline needs to know it. */
export type ProviderOutcome =
  | {
      kind: 'answered';
      success: boolean;
      answer: ProviderAnswer;
      latencyMs: number;
      /** The upstream's own id of the trade this call made (a pay's, a refund's), if it gave one. */
      upstreamId?: string | null;
    }
  | { kind: 'not_sent' | 'unknown' | 'untrusted'; reason: string; latencyMs: number };

/** The credentials and keys one call runs with (get_pay_config's answer). */
export interface PayConfig {
  scenario: 'vendor' | 'store';
  env: Environment;
  /** The provider's credential fields, e.g. PlatformID, MerchantID, StoreID. */
  credentials: Readonly<Record<string, string>>;
  keySet: StoredKeySet;
}

/** What the ledger records of a call, in neutral terms, before it is sent. */
export interface LedgerFacts {
  /** The call's own order number (the one the reconciler asks about). */
  tradeNo: string | null;
  /** For a refund: the order number of the payment it refunds. */
  originalTradeNo?: string | null;
  /** The amount the call moves, in whole units of `currency` (pay, refund). */
  amount?: number | null;
  currency?: string | null;
}

/** A payment as the ledger knows it (a succeeded pay of the same account). */
export interface RecordedPayment {
  upstreamId: string | null;
  amount: number | null;
  currency: string | null;
}

/** What the pipeline offers a provider's call besides its request and credentials. */
export interface CallContext {
  /** The ledger's succeeded pay with this order number, for the same company, type, environment and account. */
  findPayment(tradeNo: string): Promise<RecordedPayment | undefined>;
}

export interface ProviderOperation {
  /** The upstream operation's own name, for the ledger and logs. */
  upstream: string;
  /** A read (search): an unknown outcome moved no money and needs no reconciliation. */
  readOnly?: boolean;
  /** The fields of `request`, credentials included. */
  fields: readonly FieldSpec[];
  /** Rules across fields (e.g. amounts that must add up), after every field passed. */
  crossCheck?(request: CheckedRequest): ValidationError | null;
  /** The ledger's neutral facts about this call. */
  ledgerFacts(request: CheckedRequest): LedgerFacts;
  call(request: CheckedRequest, config: PayConfig, context: CallContext): Promise<ProviderOutcome>;
}

/** One payment type (`type` in the API). A new provider implements this and adds one registry line. */
export interface PaymentProvider {
  type: string;
  /** Credential fields that must come together (vendor scenario), in the order they are reported. */
  credentialFields: readonly string[];
  /** Optional credential fields a store configuration may also supply. */
  optionalCredentialFields: readonly string[];
  /** The credential that names the key set (per company and environment). */
  keySetField: string;
  operations: Partial<Record<Operation, ProviderOperation>>;
  /**
   * Asks upstream how a call whose outcome was unknown ended (the reconciler).
   * Absent: the provider cannot tell, and such calls stay unknown.
   */
  checkOutcome?(operation: Operation, call: UnknownCall, config: PayConfig): Promise<OutcomeCheck>;
  /** The credentials of the store scenario, from a store's stored configuration. */
  credentialsFromStore(config: StorePayConfig): Record<string, string>;
  close?(): Promise<void>;
}

/** A call whose outcome is unknown, as the reconciler knows it. */
export interface UnknownCall {
  merchantTradeNo: string;
  /** For a refund: the payment it refunds. */
  originalTradeNo: string | null;
  /** The amount the call asked to move, in whole units. */
  amount: number | null;
  /** Time since the call was made. */
  ageMs: number;
  /** Before this age, "order not found" may still mean "not arrived yet". */
  safeWaitMs: number;
}

/** One reconciliation attempt's finding. */
export interface OutcomeCheck {
  /** What the upstream query gave: answered, unknown, untrusted, not_sent. */
  outcome: string;
  rtnCode: number | null;
  tradeStatus: string | null;
  /** The call's state as far as this attempt can tell. */
  result: 'succeeded' | 'failed' | 'unknown';
  /** The upstream's id of the trade the call made, when the check learned it. */
  upstreamId?: string | null;
}
