import type { CheckedRequest, FieldSpec } from '../integrate/fields.js';
import type { ValidationError } from '../core/errors.js';
import type { CredentialInput, Environment, StoredCredential } from '../store/index.js';

/** The Integrate operations, named as the API names them. */
export type Operation = 'cancel' | 'pay' | 'search' | 'refund';

/** The wallet's answer a client receives, success or business failure alike (HTTP 200). */
export interface ProviderAnswer {
  /** The exact JSON text sent to the client (a wallet may need digits JSON.stringify cannot keep). */
  json: string;
  /** The wallet's result code and message, for the ledger (null when it sent none). */
  code: number | null;
  message: string | null;
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
  /** The wallet's credential fields for this call, e.g. PlatformID, MerchantID, StoreID. */
  credentials: Readonly<Record<string, string>>;
  /** The stored credential the call runs with, when the wallet needs one. */
  stored: StoredCredential | undefined;
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
  /** What the ledger knows was refunded of that payment, and how many refunds are unsettled. */
  refundedOf(tradeNo: string): Promise<{ refunded: number; unsettled: number }>;
}

export interface ProviderOperation {
  /** The upstream operation's own name, for the ledger and logs. */
  upstream: string;
  /** One line for the API reference: what the operation does at this wallet. */
  summary: string;
  /** A read (search): an unknown outcome moved no money and needs no reconciliation. */
  readOnly?: boolean;
  /** The fields of `request`, credentials included. */
  fields: readonly FieldSpec[];
  /** The request field holding the call's own order number, as the wallet names it. */
  tradeNoField: string;
  /** Rules across fields (e.g. amounts that must add up), after every field passed. */
  crossCheck?(request: CheckedRequest): ValidationError | null;
  /** The ledger's neutral facts about this call (the context: e.g. what a full refund will move). */
  ledgerFacts(request: CheckedRequest, context: CallContext): LedgerFacts | Promise<LedgerFacts>;
  call(request: CheckedRequest, config: PayConfig, context: CallContext): Promise<ProviderOutcome>;
  /**
   * An operator's action on a recorded payment (the admin API's refund and cancel): this
   * operation's `request` fields, credentials excluded, built from the ledger's facts of
   * the payment. Absent: the operation cannot be started from the ledger.
   */
  fromPayment?(
    payment: RecordedPayment & { tradeNo: string },
    action: PaymentAction,
  ): Record<string, string | number>;
}

/** What the operator asked for. */
export interface PaymentAction {
  /** A refund's amount, in whole units of the payment's currency; absent: all of it (cancel). */
  amount?: number;
  /** A fresh order number (at most 32 letters and digits) for a wallet whose refund needs its own. */
  newTradeNo: string;
  now: Date;
}

/** One option of a provisioning command (`store set`, `credentials set`) that a wallet declares. */
export interface ProvisioningOption {
  /** The option's name without dashes: `platform-id` is `--platform-id <value>`. */
  name: string;
  description: string;
  required: boolean;
  /**
   * How the value arrives: `value` on the command line; `file` a path whose
   * content is the value (keys); `secret` a path, `-` for standard input, with a
   * `--<name>` form on the command line kept only where `legacyValue` says so.
   */
  input: 'value' | 'file' | 'secret';
  /** For `secret`: the command-line form kept for compatibility (warns on stderr). */
  legacyValue?: string;
  /** Allowed values, when they are few. */
  choices?: readonly string[];
}

/** What provisioning stores for a store's configuration of one type and environment. */
export interface StoreConfiguration {
  account: Record<string, string>;
  credentialId: string;
  /** A credential to store with it (a secret the wallet takes with `store set` itself). */
  credential?: CredentialInput;
}

/** How a wallet's credentials look, and how the core handles them without knowing them. */
export interface WalletCredentials {
  /** Field names that must never reach a log line (secrets, encrypted payloads), wherever they appear. */
  logRedacted: readonly string[];
  /** Request fields that come together in the vendor scenario, in the order reported missing. */
  requestFields: readonly string[];
  /** Optional request fields a store configuration may also supply. */
  optionalRequestFields: readonly string[];
  /**
   * The stored credential a call's credentials need, by its id; undefined when
   * the call carries everything itself.
   */
  storedCredentialId(credentials: Readonly<Record<string, string>>): string | undefined;
  /** The error when that stored credential is missing (or another company's). */
  notConfiguredMessage(credentialId: string): string;
  /** The merchant account a call's credentials name (for the ledger and refunds' originals). */
  accountId(credentials: Readonly<Record<string, string>>): string;
  /** The call's credentials in the store scenario, from the store's account fields. */
  fromStore(account: Readonly<Record<string, string>>): Record<string, string>;
  /**
   * The credentials the reconciler can rebuild from a ledger row; undefined: the
   * call cannot be checked (its secrets travelled in the request and were never stored).
   */
  fromLedger(row: {
    credentialId: string | null;
    accountId: string | null;
  }): Record<string, string> | undefined;
  /** A ledger row's identifiers and result as the wallet names them, for the transactions view. */
  describeRow(row: LedgerRowFacts): Record<string, string | number | null>;
  /** A reconciliation attempt's answer (its code and trade status) as the wallet names it. */
  describeAttempt(attempt: {
    rtnCode: number | null;
    tradeStatus: string | null;
  }): Record<string, string | number | null>;
  /** `store set` options of this type, and the configuration they make (throws on bad input). */
  storeOptions: readonly ProvisioningOption[];
  prepareStore(input: Readonly<Record<string, string>>): StoreConfiguration;
  /** `credentials set` options of this type (none: its credentials come with `store set`). */
  credentialOptions: readonly ProvisioningOption[];
  prepareCredential(input: Readonly<Record<string, string>>): {
    credentialId: string;
    credential: CredentialInput;
    /** What `credentials set` reports (never a secret), e.g. `{platform_id, enc_key_id}`. */
    summary: Record<string, string>;
  };
}

/** What a wallet may say about a ledger row in the transactions view. */
export interface LedgerRowFacts {
  credentialId: string | null;
  accountId: string | null;
  /** The call's own order number, and a refund's payment's. */
  merchantTradeNo: string | null;
  originalTradeNo: string | null;
  /** The wallet's id of the trade the call made. */
  upstreamId: string | null;
  rtnCode: number | null;
  rtnMsg: string | null;
}

/** A provisioning input the wallet refuses; the message says why. */
export class CredentialInputError extends Error {
  override readonly name = 'CredentialInputError';
}

/** One payment type (`type` in the API). A new provider implements this and adds one registry line. */
export interface PaymentProvider {
  type: string;
  /** The wallet's name for people, in messages (`<name> 未在時限內回應…`). */
  displayName: string;
  /** The longest a call to this wallet may take (its longest time-out), in ms. */
  longestCallMs: number;
  credentials: WalletCredentials;
  operations: Partial<Record<Operation, ProviderOperation>>;
  /**
   * Asks upstream how a call whose outcome was unknown ended (the reconciler).
   * Absent: the provider cannot tell, and such calls stay unknown.
   */
  checkOutcome?(operation: Operation, call: UnknownCall, config: PayConfig): Promise<OutcomeCheck>;
  close?(): Promise<void>;
}

/** A call whose outcome is unknown, as the reconciler knows it. */
export interface UnknownCall {
  merchantTradeNo: string;
  /** For a refund: the payment it refunds. */
  originalTradeNo: string | null;
  /** The amount the call asked to move, in whole units. */
  amount: number | null;
  /** Upstream ids other settled calls against the same original already account for (refunds). */
  claimedUpstreamIds: readonly string[];
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
