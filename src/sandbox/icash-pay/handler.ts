import type { IncomingMessage, ServerResponse } from 'node:http';
import { WIRE_HEADER_SIGNATURE } from '../../providers/icash-pay/envelope.js';
import type { CallLog } from './call-log.js';
import { deduct, deductCancel, onlineCancel } from './deduct.js';
import type { FaultBook } from '../faults.js';
import type { Fault } from './faults.js';
import {
  authFailureBody,
  openRequest,
  type SealedAnswer,
  sealAnswer,
  signBody,
} from './envelope.js';
import type { Keyring, SandboxKeySet } from './keyring.js';
import { Rtn } from './messages.js';
import type { OperationContext, OperationName, OperationResult } from './operation.js';
import { Payload } from './payload.js';
import { queryTrade, refund } from './refund.js';
import type { SandboxState } from './state.js';

/** One call on an icash path: authenticate, log, apply (unless a fault says not to), answer. */

export interface IcashDeps {
  state: SandboxState;
  keyring: Keyring;
  faults: FaultBook<Fault>;
  log: CallLog;
  /** Waits, but returns early when the sandbox closes. */
  sleep(ms: number): Promise<void>;
}

const OPERATIONS: Record<string, OperationName> = {
  '/pos/deducticpof': 'DeductICPOF',
  '/pos/deductcancelicpof': 'DeductCancelICPOF',
  '/cashier/querytradeicpo': 'QueryTradeICPO',
  '/cashier/refundicpo': 'RefundICPO',
  '/cashier/cancelicpo': 'CancelICPO',
};

const HANDLERS: Record<OperationName, (ctx: OperationContext) => OperationResult> = {
  DeductICPOF: deduct,
  DeductCancelICPOF: deductCancel,
  QueryTradeICPO: queryTrade,
  RefundICPO: refund,
  CancelICPO: onlineCancel,
};

/** The operation behind a path under `/api/V2/Payment` or `/api/Payment`, any case. */
export function icashOperation(pathname: string): OperationName | undefined {
  const match = /^\/api(?:\/v2)?\/payment(\/[a-z]+\/[a-z]+)\/?$/.exec(pathname.toLowerCase());
  return match ? OPERATIONS[match[1]!] : undefined;
}

function identityFields(payload: Payload): Record<string, unknown> {
  return { PlatformID: payload.echo('PlatformID'), MerchantID: payload.echo('MerchantID') };
}

function apply(operation: OperationName, ctx: OperationContext): OperationResult {
  try {
    return HANDLERS[operation](ctx);
  } catch {
    return { code: Rtn.Unexpected, data: identityFields(ctx.payload) };
  }
}

function sendJson(res: ServerResponse, body: Buffer | string, signature?: string): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const headers: Record<string, string | number> = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': bytes.length,
  };
  if (signature !== undefined) headers[WIRE_HEADER_SIGNATURE] = signature;
  res.writeHead(200, headers).end(bytes);
}

/** A valid base64 signature that does not verify. */
function corrupt(signature: string): string {
  const bytes = Buffer.from(signature, 'base64');
  bytes[0] = (bytes[0] ?? 0) ^ 0xff;
  return bytes.toString('base64');
}

async function answerWithFault(
  deps: IcashDeps,
  req: IncomingMessage,
  res: ServerResponse,
  fault: Fault,
  keySet: SandboxKeySet,
  answer: SealedAnswer,
): Promise<void> {
  switch (fault.fault) {
    case 'delay':
      await deps.sleep(fault.delayMs);
      if (!res.destroyed && !res.writableEnded) sendJson(res, answer.body, answer.signature);
      return;
    case 'http500':
      res
        .writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
        .end('Internal Server Error');
      return;
    case 'drop':
      req.socket.destroy();
      return;
    case 'bad_signature':
      sendJson(res, answer.body, corrupt(answer.signature));
      return;
    case 'non_json': {
      const html = signBody(
        Buffer.from('<html><body><h1>502 Bad Gateway</h1></body></html>'),
        keySet,
      );
      res.writeHead(200, { 'content-type': 'text/html', [WIRE_HEADER_SIGNATURE]: html.signature });
      res.end(html.body);
      return;
    }
  }
}

export async function handleIcashCall(
  deps: IcashDeps,
  req: IncomingMessage,
  res: ServerResponse,
  operation: OperationName,
  path: string,
  body: Buffer,
): Promise<void> {
  const at = new Date().toISOString();
  const opened = openRequest(req.headers, body, deps.keyring);
  if (!opened.ok) {
    deps.log.record({
      path,
      encKeyId: opened.encKeyId,
      signatureValid: opened.signatureValid,
      payload: null,
      rtnCode: opened.code,
      at,
      merchantId: opened.keySet?.merchantId ?? null,
      fault: null,
    });
    sendJson(res, authFailureBody(opened.code));
    return;
  }

  const payload = new Payload(opened.payload);
  const merchantId = payload.text('MerchantID') || opened.keySet.merchantId;
  const fault = deps.faults.take(merchantId, operation);
  const processed = !fault || fault.process;
  const now = Date.now();
  const result: OperationResult = processed
    ? apply(operation, { payload, keySet: opened.keySet, state: deps.state, now })
    : { code: Rtn.SystemError, data: identityFields(payload) };
  deps.log.record({
    path,
    encKeyId: opened.encKeyId,
    signatureValid: true,
    payload: opened.payload,
    rtnCode: processed ? result.code : null,
    at,
    merchantId,
    fault: fault?.fault ?? null,
  });

  const answer = sealAnswer(opened.keySet, result.code, result.data, now);
  if (fault) await answerWithFault(deps, req, res, fault, opened.keySet, answer);
  else sendJson(res, answer.body, answer.signature);
}
