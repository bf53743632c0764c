import type { IncomingHttpHeaders } from 'node:http';
import { parseJsonObject } from '../../core/json.js';
import {
  HEADER_ENC_KEY_ID,
  HEADER_SIGNATURE,
  signBase64,
  verifyBase64,
} from '../../providers/icash-pay/envelope.js';
import { formatTaiwanTime } from '../../core/taiwan-time.js';
import type { Keyring, SandboxKeySet } from './keyring.js';
import { type AuthFailureCode, Rtn, type RtnCode, rtnMessage } from './messages.js';

/** icash's authentication layer on the way in, and the signed envelope on the way out. */

export type OpenedRequest =
  | {
      ok: true;
      encKeyId: string;
      keySet: SandboxKeySet;
      payload: Record<string, unknown>;
    }
  | {
      ok: false;
      code: AuthFailureCode;
      encKeyId: string;
      keySet: SandboxKeySet | undefined;
      signatureValid: boolean;
    };

function header(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/** The EncData form field. Base64 never holds a space, so a `+` sent unencoded is restored. */
function encDataOf(body: Buffer): string {
  const value = new URLSearchParams(body.toString('utf8')).get('EncData');
  return value === null ? '' : value.replace(/ /g, '+');
}

/** Checks in icash's order: key id (1016), signature header (1017), signature (1011), EncData (1018), JSON (1019). */
export function openRequest(
  headers: IncomingHttpHeaders,
  body: Buffer,
  keyring: Keyring,
): OpenedRequest {
  const encKeyId = header(headers, HEADER_ENC_KEY_ID).trim();
  const fail = (
    code: AuthFailureCode,
    keySet?: SandboxKeySet,
    signatureValid = false,
  ): OpenedRequest => ({
    ok: false,
    code,
    encKeyId,
    keySet,
    signatureValid,
  });
  const keySet = /^\d{1,18}$/.test(encKeyId) ? keyring.find(encKeyId) : undefined;
  if (!keySet) return fail(Rtn.EncKeyIdInvalid);
  const signature = header(headers, HEADER_SIGNATURE).trim();
  if (signature === '') return fail(Rtn.SignatureHeaderInvalid, keySet);
  const encData = encDataOf(body);
  if (!verifyBase64(encData, signature, keySet.clientPublicKey))
    return fail(Rtn.SignatureInvalid, keySet);
  let plain: string;
  try {
    plain = keySet.aes.decrypt(encData);
  } catch {
    return fail(Rtn.DecryptFailed, keySet, true);
  }
  const payload = parseJsonObject(plain);
  if (!payload) return fail(Rtn.DeserializeFailed, keySet, true);
  return { ok: true, encKeyId, keySet, payload };
}

/** The unsigned answer of the authentication layer: no EncData. */
export function authFailureBody(code: AuthFailureCode): string {
  return JSON.stringify({ RtnCode: code, RtnMsg: rtnMessage(code) });
}

export interface SealedAnswer {
  body: Buffer;
  signature: string;
}

/** Signs raw bytes with the key set's server private key. */
export function signBody(body: Buffer, keySet: SandboxKeySet): SealedAnswer {
  return { body, signature: signBase64(body, keySet.serverPrivateKey) };
}

/** `{"EncData","RtnCode","RtnMsg"}` in that order; EncData always carries Timestamp. */
export function sealAnswer(
  keySet: SandboxKeySet,
  code: RtnCode,
  data: Record<string, unknown>,
  now: number,
): SealedAnswer {
  const inner = JSON.stringify({ ...data, Timestamp: formatTaiwanTime(new Date(now)) });
  const body = Buffer.from(
    JSON.stringify({ EncData: keySet.aes.encrypt(inner), RtnCode: code, RtnMsg: rtnMessage(code) }),
    'utf8',
  );
  return signBody(body, keySet);
}
