import { performance } from 'node:perf_hooks';
import { parseJsonObject } from '../../core/json.js';
import { Agent, type Dispatcher } from 'undici';
import {
  type AesMaterial,
  HEADER_SIGNATURE,
  WIRE_HEADER_ENC_KEY_ID,
  WIRE_HEADER_SIGNATURE,
  signBase64,
  verifyBase64,
} from './envelope.js';
import type { KeyObject } from 'node:crypto';
import { AUTH_LAYER_CODES, normaliseRtnCode } from './return-codes.js';
import type { EncDataObject } from './wire.js';

/** One merchant key set for one environment, parsed once. */
export interface IcashKeySet {
  encKeyId: string;
  aes: AesMaterial;
  clientPrivateKey: KeyObject;
  serverPublicKey: KeyObject;
}

/**
 * What happened to one upstream call, in the terms a payment engineer acts on:
 * - `answered`: icash answered and the answer is trustworthy;
 * - `not_sent`: the request certainly never reached icash (nothing can have moved);
 * - `unknown`: it may have reached icash, the outcome was not learned;
 * - `untrusted`: an answer came but cannot be trusted (signature, decryption, JSON).
 */
export type IcashOutcome =
  | {
      kind: 'answered';
      rtnCode: number;
      rtnMsg: string;
      encData: EncDataObject | null;
      /** false only for icash's authentication-layer errors, which come unsigned. */
      signed: boolean;
      latencyMs: number;
    }
  | { kind: 'not_sent'; reason: string; latencyMs: number }
  | { kind: 'unknown'; reason: string; latencyMs: number; httpStatus?: number }
  | { kind: 'untrusted'; reason: string; latencyMs: number; httpStatus?: number };

export interface TransportOptions {
  timeoutMs: number;
  /** Keep-alive connections per upstream origin. */
  connections?: number;
}

/** An icash answer is a few hundred bytes; anything past this is not one. */
const MAX_ANSWER_BYTES = 1024 * 1024;

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

/**
 * The one HTTP client for icash: pooled keep-alive connections, a hard time-out,
 * the envelope on the way out and its checks on the way back.
 */
export class IcashTransport {
  readonly #agent: Dispatcher;
  readonly #timeoutMs: number;
  readonly #targets = new Map<string, { origin: string; path: string }>();

  constructor(options: TransportOptions) {
    this.#timeoutMs = options.timeoutMs;
    this.#agent = new Agent({
      connections: options.connections ?? 64,
      keepAliveTimeout: 30_000,
      connect: { timeout: Math.min(options.timeoutMs, 10_000) },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  /**
   * One signed call. Runs on undici's dispatch API: the answer is collected as
   * bytes (it is verified over exactly those bytes) without the stream and
   * AbortSignal machinery of `request()`, which cost more than the exchange.
   */
  call(baseUrl: string, path: string, keys: IcashKeySet, payload: object): Promise<IcashOutcome> {
    const encData = keys.aes.encrypt(JSON.stringify(payload));
    const signature = signBase64(encData, keys.clientPrivateKey);
    const started = performance.now();
    const elapsed = (): number => Math.round((performance.now() - started) * 1000) / 1000;
    const timeoutMs = this.#timeoutMs;

    return new Promise<IcashOutcome>((resolve) => {
      let status = 0;
      let responseSignature: string | undefined;
      const chunks: Buffer[] = [];
      let size = 0;
      let controller: Dispatcher.DispatchController | undefined;
      let timedOut = false;
      let tooLarge = false;
      let settled = false;
      const settle = (outcome: IcashOutcome): void => {
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
        onResponseStart(_c, statusCode, headers) {
          status = statusCode;
          const header = headers[HEADER_SIGNATURE];
          responseSignature = Array.isArray(header) ? header[0] : header;
        },
        onResponseData(c, chunk) {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) {
            tooLarge = true;
            c.abort(new Error('answer too large'));
            return;
          }
          chunks.push(chunk);
        },
        onResponseEnd() {
          settle(
            interpretAnswer(
              status,
              Buffer.concat(chunks, size),
              responseSignature,
              keys,
              elapsed(),
            ),
          );
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
        const target = this.#target(baseUrl + path);
        this.#agent.dispatch(
          {
            origin: target.origin,
            path: target.path,
            method: 'POST',
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              [WIRE_HEADER_ENC_KEY_ID]: keys.encKeyId,
              [WIRE_HEADER_SIGNATURE]: signature,
            },
            body: `EncData=${encodeURIComponent(encData)}`,
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

  /** An operation's URL as origin and path, parsed once per URL. */
  #target(url: string): { origin: string; path: string } {
    let target = this.#targets.get(url);
    if (target === undefined) {
      const parsed = new URL(url);
      target = { origin: parsed.origin, path: parsed.pathname + parsed.search };
      this.#targets.set(url, target);
    }
    return target;
  }

  /**
   * Called at shutdown once in-flight calls have finished or the grace period is
   * over: a request still upstream then is abandoned (its row is left `unknown`)
   * rather than holding the process open until icash answers.
   */
  async close(): Promise<void> {
    await this.#agent.destroy();
  }
}

/** Checks an HTTP answer from icash: signature over the raw bytes first, then JSON, then EncData. */
export function interpretAnswer(
  status: number,
  raw: Buffer,
  signature: string | undefined,
  keys: IcashKeySet,
  latencyMs: number,
): IcashOutcome {
  if (status >= 500)
    return { kind: 'unknown', reason: `HTTP ${status}`, latencyMs, httpStatus: status };
  if (status !== 200) {
    return { kind: 'untrusted', reason: `HTTP ${status}`, latencyMs, httpStatus: status };
  }
  const text = raw.toString('utf8');
  const body = parseJsonObject(text);
  if (signature === undefined || signature === '') {
    // Only icash's authentication layer answers unsigned, and then without EncData.
    const code = body ? normaliseRtnCode(body.RtnCode) : null;
    if (body && code !== null && AUTH_LAYER_CODES.has(code) && body.EncData === undefined) {
      return {
        kind: 'answered',
        rtnCode: code,
        rtnMsg: typeof body.RtnMsg === 'string' ? body.RtnMsg : '',
        encData: null,
        signed: false,
        latencyMs,
      };
    }
    return { kind: 'untrusted', reason: 'answer is not signed', latencyMs };
  }
  if (!verifyBase64(raw, signature, keys.serverPublicKey)) {
    return { kind: 'untrusted', reason: 'answer signature does not verify', latencyMs };
  }
  if (!body) return { kind: 'untrusted', reason: 'answer is not a JSON object', latencyMs };
  const rtnCode = normaliseRtnCode(body.RtnCode ?? body.StatusCode);
  if (rtnCode === null) return { kind: 'untrusted', reason: 'answer has no RtnCode', latencyMs };
  const rtnMsg = body.RtnMsg ?? body.StatusMessage;
  let encData: EncDataObject | null = null;
  if (typeof body.EncData === 'string' && body.EncData !== '') {
    let plain: string;
    try {
      plain = keys.aes.decrypt(body.EncData);
    } catch {
      return { kind: 'untrusted', reason: 'answer EncData does not decrypt', latencyMs };
    }
    encData = parseJsonObject(plain);
    if (!encData) return { kind: 'untrusted', reason: 'answer EncData is not JSON', latencyMs };
  } else if (body.EncData !== undefined && body.EncData !== null && body.EncData !== '') {
    return { kind: 'untrusted', reason: 'answer EncData is not a string', latencyMs };
  }
  return {
    kind: 'answered',
    rtnCode,
    rtnMsg: typeof rtnMsg === 'string' ? rtnMsg : '',
    encData,
    signed: true,
    latencyMs,
  };
}
