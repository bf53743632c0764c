import type { IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Agent, type Dispatcher } from 'undici';

/**
 * The one pooled HTTP client every provider calls its upstream with. It knows
 * no wallet: it sends bytes, collects the answer as bytes (a provider verifies
 * signatures over exactly those) and says what happened in the terms a payment
 * engineer acts on:
 * - `answered`: an HTTP answer came in full (any status; the provider judges it);
 * - `not_sent`: the request certainly never reached the upstream;
 * - `unknown`: it may have reached the upstream, the outcome was not learned;
 * - `untrusted`: an answer came but is not one (too large).
 */
export type UpstreamOutcome =
  | {
      kind: 'answered';
      status: number;
      /** Lower-case names, as undici gives them. */
      headers: IncomingHttpHeaders;
      body: Buffer;
      latencyMs: number;
    }
  | { kind: 'not_sent'; reason: string; latencyMs: number }
  | { kind: 'unknown'; reason: string; latencyMs: number }
  | { kind: 'untrusted'; reason: string; latencyMs: number };

export interface UpstreamCall {
  /** `https://host[:port]`, no path. */
  origin: string;
  /** Path and query exactly as they go on the wire. */
  path: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string | Buffer;
  /** The deadline for the whole exchange; the client's default when omitted. */
  timeoutMs?: number;
}

export interface UpstreamClientOptions {
  /** Default per-call deadline. */
  timeoutMs: number;
  /** Keep-alive connections per upstream origin. Default 64. */
  connections?: number;
  /** Answers longer than this are `untrusted`. Default 1 MiB. */
  maxAnswerBytes?: number;
}

const DEFAULT_MAX_ANSWER_BYTES = 1024 * 1024;

/** Errors raised before a single byte of the request can have been sent. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_INVALID_ARG',
  'ERR_INVALID_URL',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function errorCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return error instanceof Error ? error.name : 'unknown error';
}

export class UpstreamClient {
  readonly #agent: Dispatcher;
  readonly #timeoutMs: number;
  readonly #maxAnswerBytes: number;

  constructor(options: UpstreamClientOptions) {
    this.#timeoutMs = options.timeoutMs;
    this.#maxAnswerBytes = options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
    this.#agent = new Agent({
      connections: options.connections ?? 64,
      keepAliveTimeout: 30_000,
      connect: { timeout: Math.min(options.timeoutMs, 10_000) },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  /**
   * One exchange. Runs on undici's dispatch API: the answer is collected as
   * bytes without the stream and AbortSignal machinery of `request()`, which
   * cost more than the exchange.
   */
  send(call: UpstreamCall): Promise<UpstreamOutcome> {
    const started = performance.now();
    const elapsed = (): number => Math.round((performance.now() - started) * 1000) / 1000;
    const timeoutMs = call.timeoutMs ?? this.#timeoutMs;
    const maxBytes = this.#maxAnswerBytes;

    return new Promise<UpstreamOutcome>((resolve) => {
      let status = 0;
      let headers: IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      let size = 0;
      let controller: Dispatcher.DispatchController | undefined;
      let timedOut = false;
      let tooLarge = false;
      let settled = false;
      const settle = (outcome: UpstreamOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      // One deadline for the whole exchange. Before the request is on a socket it
      // cannot be aborted; it is then stopped as it starts, before a byte is written.
      const timer = setTimeout(() => {
        timedOut = true;
        controller?.abort(new Error('deadline'));
      }, timeoutMs);
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart(c) {
          controller = c;
          if (timedOut) c.abort(new Error('deadline'));
        },
        onResponseStart(_c, statusCode, responseHeaders) {
          status = statusCode;
          headers = responseHeaders;
        },
        onResponseData(c, chunk) {
          size += chunk.length;
          if (size > maxBytes) {
            tooLarge = true;
            c.abort(new Error('answer too large'));
            return;
          }
          chunks.push(chunk);
        },
        onResponseEnd() {
          settle({
            kind: 'answered',
            status,
            headers,
            body: Buffer.concat(chunks, size),
            latencyMs: elapsed(),
          });
        },
        onResponseError(_c, error) {
          if (tooLarge) {
            settle({ kind: 'untrusted', reason: 'answer too large', latencyMs: elapsed() });
            return;
          }
          const code = timedOut ? 'TimeoutError' : errorCode(error);
          settle(
            NOT_SENT_CODES.has(code)
              ? { kind: 'not_sent', reason: code, latencyMs: elapsed() }
              : { kind: 'unknown', reason: code, latencyMs: elapsed() },
          );
        },
      };
      try {
        this.#agent.dispatch(
          {
            origin: call.origin,
            path: call.path,
            method: call.method,
            headers: call.headers,
            body: call.body,
            headersTimeout: timeoutMs,
            bodyTimeout: timeoutMs,
          },
          handler,
        );
      } catch (error) {
        // An invalid URL, refused before anything was queued (undici reports a
        // closed agent through onResponseError: unknown, the safe side).
        settle({ kind: 'not_sent', reason: errorCode(error), latencyMs: elapsed() });
      }
    });
  }

  /**
   * Called at shutdown once in-flight calls have finished or the grace period is
   * over: a request still upstream then is abandoned rather than holding the
   * process open until the upstream answers.
   */
  async close(): Promise<void> {
    await this.#agent.destroy();
  }
}

/**
 * What an HTTP status other than 200 says about a call: a 5xx (a proxy's or the
 * upstream's) may come after the operation was applied, so the outcome is
 * unknown; any other status is not an answer of the upstream's protocol.
 * undefined for 200.
 */
export function statusVerdict(
  status: number,
  latencyMs: number,
):
  | { kind: 'unknown' | 'untrusted'; reason: string; latencyMs: number; httpStatus: number }
  | undefined {
  if (status === 200) return undefined;
  const kind = status >= 500 ? 'unknown' : 'untrusted';
  return { kind, reason: `HTTP ${status}`, latencyMs, httpStatus: status };
}
