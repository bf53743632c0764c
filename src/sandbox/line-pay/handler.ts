import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type LosslessObject,
  type LosslessValue,
  parseLosslessObject,
  stringifyLossless,
} from '../../core/lossless-json.js';
import { ReturnCode } from '../../providers/line-pay/return-codes.js';
import type { LineApiVersion } from '../../providers/line-pay/signing.js';
import type { FaultBook } from '../faults.js';
import { sendJson } from '../wallet.js';
import { authenticate } from './auth.js';
import type { LineFault } from './faults.js';
import {
  answer,
  HANDLERS,
  type LineAnswer,
  type LineOperation,
  type OperationContext,
  payAnswer,
} from './operations.js';
import type { LinePayState } from './state.js';

/** One call on a LINE Pay path: route, authenticate, log, apply (unless a fault says not to), answer. */

export interface LineCall {
  at: string;
  method: string;
  path: string;
  channelId: string | null;
  operation: LineOperation | null;
  /** The code decided on; null when no LINE answer was made. */
  returnCode: string | null;
  fault: LineFault['fault'] | null;
}

export interface LineDeps {
  state: LinePayState;
  faults: FaultBook<LineFault>;
  record(call: LineCall): void;
  sleep(ms: number): Promise<void>;
}

interface Route {
  version: LineApiVersion;
  operation: LineOperation;
  method: 'GET' | 'POST';
  orderId: string;
}

const PREFIX = /^\/(v2|v4)\/payments(\/.*)?$/;

/** The operation behind a LINE path; 'other' for an unknown path under `/vN/payments`. */
export function lineRoute(rawPath: string): Route | 'other' | undefined {
  const prefix = PREFIX.exec(rawPath);
  if (!prefix) return undefined;
  const version = prefix[1] as LineApiVersion;
  const rest = prefix[2] ?? '';
  if (rest === '' || rest === '/')
    return { version, operation: 'details', method: 'GET', orderId: '' };
  if (rest === '/oneTimeKeys/pay')
    return { version, operation: 'pay', method: 'POST', orderId: '' };
  const order = /^\/orders\/([^/]+)\/(check|refund|void|capture)$/.exec(rest);
  if (!order) return 'other';
  let orderId: string;
  try {
    orderId = decodeURIComponent(order[1]!);
  } catch {
    return 'other';
  }
  const operation = order[2] as 'check' | 'refund' | 'void' | 'capture';
  return { version, operation, method: operation === 'check' ? 'GET' : 'POST', orderId };
}

function send(res: ServerResponse, result: LineAnswer): void {
  if (res.headersSent || res.destroyed) return;
  const body: LosslessObject = {
    returnCode: result.returnCode,
    returnMessage: result.returnMessage,
  };
  if (result.info !== undefined) body.info = result.info;
  const bytes = Buffer.from(stringifyLossless(body as LosslessValue), 'utf8');
  res.writeHead(200, {
    'content-type': 'application/json;charset=UTF-8',
    'content-length': bytes.length,
  });
  res.end(bytes);
}

const STATUS_TEXT: Record<number, string> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

function sendHtml(res: ServerResponse, status: number): void {
  if (res.headersSent || res.destroyed) return;
  const reason = STATUS_TEXT[status] ?? 'Error';
  const page = `<html><head><title>${status} ${reason}</title></head><body><center><h1>${status} ${reason}</h1></center><hr><center>nginx</center></body></html>`;
  res.writeHead(status, { 'content-type': 'text/html' }).end(page);
}

export async function handleLineCall(
  deps: LineDeps,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  body: Buffer,
): Promise<boolean> {
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const rawPath = q === -1 ? raw : raw.slice(0, q);
  const rawQuery = q === -1 ? '' : raw.slice(q + 1);
  const route = lineRoute(rawPath);
  if (route === undefined) return false;
  const at = new Date().toISOString();
  const log = (call: Partial<LineCall>): void =>
    deps.record({
      at,
      method,
      path: rawPath,
      channelId: null,
      operation: null,
      returnCode: null,
      fault: null,
      ...call,
    });
  if (route === 'other') {
    log({});
    sendJson(res, 404, { message: `no LINE Pay operation ${method} ${rawPath}` });
    return true;
  }
  if (method !== route.method) {
    log({ operation: route.operation });
    sendJson(
      res,
      405,
      { message: `${route.operation} takes ${route.method}` },
      { allow: route.method },
    );
    return true;
  }

  const auth = authenticate(deps.state, {
    method,
    version: route.version,
    rawPath,
    rawQuery,
    headers: req.headers,
    body,
  });
  if (!auth.ok) {
    log({ operation: route.operation, returnCode: auth.returnCode });
    send(res, answer(auth.returnCode, undefined, auth.returnMessage));
    return true;
  }
  const channelId = auth.channel.channel_id;
  const fault = deps.faults.take(channelId, route.operation);
  const text = body.toString('utf8');
  const parsed = text.trim() === '' ? null : parseLosslessObject(text);
  const now = Date.now();
  const ctx: OperationContext = {
    state: deps.state,
    channel: auth.channel,
    version: route.version,
    now,
    body: parsed,
    orderId: route.orderId,
    query: new URLSearchParams(rawQuery),
  };
  if (fault?.fault === 'auth_ready' && route.operation === 'pay') {
    ctx.authReady = { forMs: fault.delayMs, then: fault.then };
  }

  let result: LineAnswer;
  let processed = !fault || fault.process || fault.fault === 'auth_ready';
  if (fault?.fault === 'not_found') {
    processed = false;
    result = answer(ReturnCode.NotFound);
  } else if (text.trim() !== '' && parsed === null) {
    result = answer(ReturnCode.JsonFormatError);
  } else if (processed) {
    try {
      result = deps.state.atomically(() => HANDLERS[route.operation](ctx));
    } catch {
      result = answer(ReturnCode.InternalError);
    }
  } else {
    result = answer(ReturnCode.InternalError);
  }
  log({
    channelId,
    operation: route.operation,
    returnCode: processed || fault?.fault === 'not_found' ? result.returnCode : null,
    fault: fault?.fault ?? null,
  });

  switch (fault?.fault) {
    case undefined:
    case 'not_found':
      send(res, result);
      return true;
    case 'delay':
      await deps.sleep(fault.delayMs);
      send(res, result);
      return true;
    case 'drop':
      req.socket.destroy();
      return true;
    case 'http5xx':
      sendHtml(res, fault.httpStatus);
      return true;
    case 'auth_ready': {
      const orderId = parsed?.orderId;
      if (
        route.operation !== 'pay' ||
        typeof orderId !== 'string' ||
        result.returnCode !== ReturnCode.PaymentInProcess
      ) {
        send(res, result);
        return true;
      }
      await deps.sleep(fault.delayMs);
      send(
        res,
        deps.state.atomically(() => payAnswer(ctx, orderId, Date.now())),
      );
      return true;
    }
  }
}
