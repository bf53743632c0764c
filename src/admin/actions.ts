import { ConflictError, GatewayError } from '../core/errors.js';
import { type IdempotencyGuard, fingerprint, keepsAnswer } from '../idempotency/guard.js';
import type { IntegrateService } from '../integrate/service.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { TransactionRecord } from '../store/index.js';

/** The money-moving operator actions on a recorded payment. */
export type PaymentActionName = 'refund' | 'cancel';

export interface ActionRequest {
  action: PaymentActionName;
  /** The payment's ledger row. */
  payment: TransactionRecord;
  /** A refund's amount in whole units of the payment's currency. */
  amount?: number;
  /** The console user acting: the new call's ledger row names them as its client. */
  userId: string;
  /** The admin request's id: the new call's request id. */
  requestId: string;
  idempotencyKey?: string;
}

export interface ActionResult {
  /** The request id of the call that carries the action (a replay: the first one's). */
  requestId: string;
  replayed: boolean;
}

/** A fresh order number from a request id (UUIDv7: time-ordered, unique): 32 hex digits. */
const tradeNoOf = (requestId: string): string => requestId.replace(/-/g, '').toUpperCase();

/**
 * Refunds and cancels started by an operator: the payment's wallet builds the
 * Integrate request from the ledger (`fromPayment`), and the call goes through
 * the Integrate pipeline itself (validation, credentials, ledger row, outbox,
 * reconciler) under the same Idempotency-Key semantics as the Integrate API.
 */
export class OperatorActions {
  constructor(
    private readonly deps: {
      registry: ProviderRegistry;
      service: IntegrateService;
      idempotency: IdempotencyGuard;
    },
  ) {}

  /** The Integrate body of the action; throws a 409 when the payment cannot take it. */
  body(request: ActionRequest): Record<string, unknown> {
    const { action, payment } = request;
    const refused = action === 'refund' ? 'not_refundable' : 'not_cancellable';
    if (payment.operation !== 'pay' || payment.state !== 'succeeded') {
      throw new ConflictError(
        refused,
        `transaction ${payment.requestId} is a ${payment.operation} that is ${payment.state}: ` +
          `only a succeeded payment can take a ${action}`,
      );
    }
    const provider = payment.type === null ? undefined : this.deps.registry.get(payment.type);
    const operation = provider?.operations[action];
    if (!provider || !operation?.fromPayment || payment.merchantTradeNo === null) {
      throw new ConflictError(
        'action_not_supported',
        `a ${action} of a ${payment.type ?? 'payment'} cannot be started from the console`,
      );
    }
    const fields = operation.fromPayment(
      {
        tradeNo: payment.merchantTradeNo,
        upstreamId: payment.upstreamId,
        amount: payment.amount,
        currency: payment.currency,
      },
      {
        ...(request.amount === undefined ? {} : { amount: request.amount }),
        newTradeNo: tradeNoOf(request.requestId),
        now: new Date(),
      },
    );
    const body: Record<string, unknown> = { type: provider.type, is_test: payment.env === 'test' };
    if (payment.scenario === 'store' && payment.storeId !== null) {
      body.store_id = payment.storeId;
      body.request = fields;
      return body;
    }
    // The vendor scenario: the credentials again, if the gateway stored them.
    const credentials = provider.credentials.fromLedger(payment);
    if (!credentials || provider.credentials.requestFields.some((f) => !(f in credentials))) {
      throw new ConflictError(
        'credentials_not_stored',
        `the credentials of payment ${payment.requestId} came with its request and were not ` +
          `stored: its ${action} must be sent through the Integrate API`,
      );
    }
    body.request = { ...fields, ...credentials };
    return body;
  }

  async run(request: ActionRequest): Promise<ActionResult> {
    const body = this.body(request);
    const { payment, requestId, idempotencyKey } = request;
    const caller = { companyId: payment.companyId, clientId: `user:${request.userId}` };
    const run = () => this.deps.service.run(request.action, caller, requestId, body);
    if (idempotencyKey === undefined) {
      await run();
      return { requestId, replayed: false };
    }
    // Its own key space: an operator's key never replays a POS's call.
    const key = `admin:${idempotencyKey}`;
    const print = fingerprint(`admin.${request.action}`, {
      payment: payment.requestId,
      amount: request.amount ?? null,
    });
    const decision = await this.deps.idempotency.begin(caller.companyId, key, print, requestId);
    if (decision.kind !== 'proceed') return { requestId: decision.requestId, replayed: true };
    let status = 200;
    let failure: unknown;
    try {
      await run();
    } catch (error) {
      if (!(error instanceof GatewayError) || !keepsAnswer(error.code)) {
        await this.deps.idempotency.release(caller.companyId, key, requestId);
        throw error;
      }
      status = error.status;
      failure = error;
    }
    // A replay answers the call's state then, whatever this one's was.
    await this.deps.idempotency.finish(
      caller.companyId,
      key,
      status,
      JSON.stringify({ requestId }),
    );
    if (failure !== undefined) throw failure;
    return { requestId, replayed: false };
  }
}
