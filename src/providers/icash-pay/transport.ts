import { parseJsonObject } from '../../core/json.js';
import { statusVerdict, UpstreamClient } from '../../upstream/client.js';
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

/**
 * The one HTTP client for icash: the shared pooled upstream client with a hard
 * time-out, the envelope on the way out and its checks on the way back.
 */
export class IcashTransport {
  readonly #client: UpstreamClient;
  readonly #targets = new Map<string, { origin: string; path: string }>();

  constructor(options: TransportOptions) {
    this.#client = new UpstreamClient({
      timeoutMs: options.timeoutMs,
      connections: options.connections,
    });
  }

  /** One signed call; the answer is verified over exactly the bytes received. */
  async call(
    baseUrl: string,
    path: string,
    keys: IcashKeySet,
    payload: object,
  ): Promise<IcashOutcome> {
    const encData = keys.aes.encrypt(JSON.stringify(payload));
    const signature = signBase64(encData, keys.clientPrivateKey);
    let target: { origin: string; path: string };
    try {
      target = this.#target(baseUrl + path);
    } catch (error) {
      // An invalid URL, refused before anything was sent.
      const code = (error as NodeJS.ErrnoException).code;
      return { kind: 'not_sent', reason: code ?? 'ERR_INVALID_URL', latencyMs: 0 };
    }
    const outcome = await this.#client.send({
      origin: target.origin,
      path: target.path,
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        [WIRE_HEADER_ENC_KEY_ID]: keys.encKeyId,
        [WIRE_HEADER_SIGNATURE]: signature,
      },
      body: `EncData=${encodeURIComponent(encData)}`,
    });
    if (outcome.kind !== 'answered') return outcome;
    const header = outcome.headers[HEADER_SIGNATURE];
    const responseSignature = Array.isArray(header) ? header[0] : header;
    return interpretAnswer(
      outcome.status,
      outcome.body,
      responseSignature,
      keys,
      outcome.latencyMs,
    );
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
    await this.#client.close();
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
  const notOk = statusVerdict(status, latencyMs);
  if (notOk) return notOk;
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
