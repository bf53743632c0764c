import {
  DatabaseUnavailableError,
  GatewayError,
  UpstreamInvalidError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from '../core/errors.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type {
  CallContext,
  Operation,
  ProviderAnswer,
  ProviderOutcome,
} from '../providers/types.js';
import type { Store } from '../store/index.js';
import type { TransactionOpening, TransactionOutcome } from '../store/ledger.js';
import { checkParams } from './check-params.js';
import { getPayConfig } from './pay-config.js';

/** Who is calling: known from the bearer token. */
export interface Caller {
  companyId: string;
  clientId: string;
}

/** One upstream call as the pipeline saw it: neutral, no wallet's field names. */
export interface UpstreamCall {
  type: string;
  operation: Operation;
  outcome: ProviderOutcome['kind'];
  latencyMs: number;
}

/** Told of every upstream call the pipeline makes (metrics); must not throw. */
export interface UpstreamObserver {
  upstreamCall(call: UpstreamCall): void;
}

export interface IntegrateDeps {
  store: Pick<Store, 'credentials' | 'stores' | 'ledger'>;
  registry: ProviderRegistry;
  defaultIsTest: boolean;
  /** When the reconciler first checks a call whose outcome is unknown. */
  firstCheckDelayMs: number;
  observer?: UpstreamObserver | undefined;
}

/**
 * An identifier for the ledger: at most `max` characters, control characters
 * (which PostgreSQL text cannot hold, NUL above all) and lone surrogates replaced.
 */
const text = (value: unknown, max = 64): string | null =>
  typeof value === 'string' && value !== ''
    ? value
        .slice(0, max)
        .replace(/[\p{Cc}]/gu, '?')
        .toWellFormed()
    : null;

/** Best-effort identifiers of a call that failed validation, for its ledger row. */
function roughIdentifiers(
  registry: ProviderRegistry,
  operation: Operation,
  body: unknown,
): Partial<TransactionOpening> {
  if (body === null || typeof body !== 'object') return {};
  const b = body as Record<string, unknown>;
  const r = (b.request !== null && typeof b.request === 'object' ? b.request : {}) as Record<
    string,
    unknown
  >;
  const provider = typeof b.type === 'string' ? registry.get(b.type) : undefined;
  const tradeNoField = provider?.operations[operation]?.tradeNoField;
  return {
    type: text(b.type),
    storeId: text(b.store_id),
    merchantTradeNo: tradeNoField === undefined ? null : text(r[tradeNoField]),
  };
}

/** The row of a call refused before its configuration was found: who, what, and `rough`. */
const unopened = (
  base: Pick<TransactionOpening, 'requestId' | 'companyId' | 'clientId' | 'operation'>,
  rough: Partial<TransactionOpening> = {},
): TransactionOpening => ({
  ...base,
  type: null,
  env: null,
  scenario: null,
  storeId: null,
  credentialId: null,
  accountId: null,
  merchantTradeNo: null,
  ...rough,
});

/** What the ledger says of an upstream outcome, and what the client is told. */
function settle(
  wallet: string,
  outcome: ProviderOutcome,
  readOnly: boolean,
  nextCheckAt: number,
): { ledger: TransactionOutcome; error?: GatewayError } {
  const upstreamLatencyMs = outcome.latencyMs;
  switch (outcome.kind) {
    case 'answered':
      return {
        ledger: {
          state: outcome.success ? 'succeeded' : 'declined',
          rtnCode: outcome.answer.code,
          rtnMsg: outcome.answer.message,
          httpStatus: 200,
          upstreamLatencyMs,
          upstreamId: outcome.upstreamId ?? null,
        },
      };
    case 'not_sent': {
      const error = new UpstreamUnavailableError(wallet);
      return {
        ledger: {
          state: 'failed',
          errorCode: error.code,
          httpStatus: error.status,
          upstreamLatencyMs,
        },
        error,
      };
    }
    case 'unknown':
    case 'untrusted': {
      // An HTTP 5xx is as unknown as a time-out, but it is an answer: report it as invalid.
      const timedOut = outcome.kind === 'unknown' && !outcome.reason.startsWith('HTTP ');
      const error = timedOut ? new UpstreamTimeoutError(wallet) : new UpstreamInvalidError(wallet);
      const common = { errorCode: error.code, httpStatus: error.status, upstreamLatencyMs };
      // A read moved no money: there is nothing to reconcile.
      const ledger: TransactionOutcome = readOnly
        ? { state: 'failed', ...common }
        : { state: 'unknown', ...common, nextCheckAt };
      return { ledger, error };
    }
  }
}

/**
 * The Integrate pipeline, step for step as the seed's workflow: check_params_process,
 * get_pay_config, the provider's call (pay_cancel and siblings), the answer. The
 * ledger row is durable before anything is sent upstream.
 */
export class IntegrateService {
  constructor(private readonly deps: IntegrateDeps) {}

  /**
   * A call that broke on our side after its row was opened. Before the wallet was
   * called nothing moved: `failed`. Once it was called (the outcome could not be
   * turned into an answer or recorded) the wallet may have acted: the row goes to the
   * reconciler, never to `failed`. If even this write fails the row stays
   * `pending`, which the stale-pending sweep turns `unknown`.
   */
  async #recordInternalError(
    requestId: string,
    mayHaveMoved: boolean,
    readOnly: boolean,
  ): Promise<void> {
    const outcome: TransactionOutcome = mayHaveMoved
      ? {
          state: 'unknown',
          errorCode: 'internal_error',
          httpStatus: 500,
          nextCheckAt: Date.now() + this.deps.firstCheckDelayMs,
        }
      : { state: 'failed', errorCode: 'internal_error', httpStatus: 500, announce: !readOnly };
    try {
      await this.deps.store.ledger.complete(requestId, outcome);
    } catch {
      // The original error is the one to report; the row is safe as `pending`.
    }
  }

  /** A call refused before it reached the pipeline (unreadable body, bad query): one ledger row. */
  async recordRejected(
    operation: Operation,
    caller: Caller,
    requestId: string,
    error: { code: string; status: number },
  ): Promise<void> {
    await this.deps.store.ledger.record(
      unopened({ requestId, companyId: caller.companyId, clientId: caller.clientId, operation }),
      { state: 'rejected', errorCode: error.code, httpStatus: error.status },
    );
  }

  async run(
    operation: Operation,
    caller: Caller,
    requestId: string,
    body: unknown,
  ): Promise<ProviderAnswer> {
    const { store, registry, defaultIsTest } = this.deps;
    const base = { requestId, companyId: caller.companyId, clientId: caller.clientId, operation };
    let opening: TransactionOpening | undefined;
    /** From here on the wallet may have acted on the call. */
    let upstreamCalled = false;
    /** The row holds the call's outcome. */
    let completed = false;
    let readOnly = false;
    try {
      const params = checkParams(registry, operation, body);
      const env = (params.isTest ?? defaultIsTest) ? 'test' : 'prod';
      const config = await getPayConfig(
        store,
        params.provider,
        caller.companyId,
        params.request,
        params.storeId,
        env,
      );
      const type = params.provider.type;
      const accountId = params.provider.credentials.accountId(config.credentials);
      const payment = { companyId: caller.companyId, type, env, accountId };
      const context: CallContext = {
        findPayment: (tradeNo) => store.ledger.findPayment({ ...payment, tradeNo }),
        refundedOf: (tradeNo) => store.ledger.refundedOf({ ...payment, tradeNo }),
      };
      const facts = await params.operation.ledgerFacts(params.request, context);
      opening = {
        ...base,
        type,
        env,
        scenario: config.scenario,
        storeId: params.storeId ?? null,
        credentialId: config.stored?.credentialId ?? null,
        accountId,
        merchantTradeNo: text(facts.tradeNo),
        amount: facts.amount ?? null,
        currency: facts.currency ?? null,
        originalTradeNo: text(facts.originalTradeNo),
      };
      readOnly = params.operation.readOnly === true;
      await store.ledger.open(opening);
      upstreamCalled = true;
      const outcome = await params.operation.call(params.request, config, context);
      this.deps.observer?.upstreamCall({
        type,
        operation,
        outcome: outcome.kind,
        latencyMs: outcome.latencyMs,
      });
      const { ledger, error } = settle(
        params.provider.displayName,
        outcome,
        readOnly,
        Date.now() + this.deps.firstCheckDelayMs,
      );
      try {
        // A search changes nothing: its row sends no webhook event.
        await store.ledger.complete(requestId, readOnly ? { ...ledger, announce: false } : ledger);
        completed = true;
      } catch (failure) {
        // The database went away after the wallet was called: the row stays `pending` for
        // the stale sweep and the reconciler, and the caller gets what the wallet said.
        if (!(failure instanceof DatabaseUnavailableError)) throw failure;
        completed = true;
      }
      if (error) throw error;
      if (outcome.kind !== 'answered') throw new UpstreamInvalidError(params.provider.displayName);
      return outcome.answer;
    } catch (error) {
      if (opening === undefined) {
        const rejected = error instanceof GatewayError;
        await store.ledger.record(
          unopened(base, roughIdentifiers(registry, operation, body)),
          rejected
            ? { state: 'rejected', errorCode: error.code, httpStatus: error.status }
            : {
                state: 'failed',
                errorCode: 'internal_error',
                httpStatus: 500,
                announce: operation !== 'search',
              },
        );
      } else if (!completed && !(error instanceof GatewayError)) {
        await this.#recordInternalError(requestId, upstreamCalled && !readOnly, readOnly);
      }
      throw error;
    }
  }
}
