import {
  createCipheriv,
  createDecipheriv,
  createSign,
  createVerify,
  type KeyObject,
} from 'node:crypto';
import { Secret } from '../../core/secret.js';

/**
 * The icash envelope: AES-256-CBC (PKCS#7) over the UTF-8 JSON payload, base64;
 * RSA PKCS#1 v1.5 SHA-256 signatures, base64. Shared by the gateway's provider
 * and the sandbox; nothing else icash-specific lives here.
 */

export const AES_KEY_LENGTH = 32;
export const AES_IV_LENGTH = 16;
const AES_TEXT = /^[\x21-\x7e]+$/;

export class AesKeyError extends Error {
  override readonly name = 'AesKeyError';
}

/** AES key and IV as icash issues them: ASCII strings of 32 and 16 characters. */
export class AesMaterial {
  readonly #key: Secret<Buffer>;
  readonly #iv: Secret<Buffer>;

  constructor(key: string, iv: string) {
    if (key.length !== AES_KEY_LENGTH || !AES_TEXT.test(key)) {
      throw new AesKeyError(`AES key must be ${AES_KEY_LENGTH} printable ASCII characters`);
    }
    if (iv.length !== AES_IV_LENGTH || !AES_TEXT.test(iv)) {
      throw new AesKeyError(`AES IV must be ${AES_IV_LENGTH} printable ASCII characters`);
    }
    this.#key = new Secret(Buffer.from(key, 'ascii'));
    this.#iv = new Secret(Buffer.from(iv, 'ascii'));
  }

  encrypt(plaintext: string): string {
    const cipher = createCipheriv('aes-256-cbc', this.#key.reveal(), this.#iv.reveal());
    return Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
  }

  /** Throws when the text is not base64 of whole blocks or the padding is wrong. */
  decrypt(encData: string): string {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encData)) throw new Error('EncData is not base64');
    const bytes = Buffer.from(encData, 'base64');
    if (bytes.length === 0 || bytes.length % 16 !== 0) throw new Error('EncData length');
    const decipher = createDecipheriv('aes-256-cbc', this.#key.reveal(), this.#iv.reveal());
    const plain = Buffer.concat([decipher.update(bytes), decipher.final()]);
    return new TextDecoder('utf-8', { fatal: true }).decode(plain);
  }

  toString(): string {
    return '[AesMaterial]';
  }

  toJSON(): string {
    return '[AesMaterial]';
  }
}

/** Signs the UTF-8 bytes of `data` (a string or raw bytes); base64 signature. */
export function signBase64(data: string | Buffer, privateKey: KeyObject): string {
  return createSign('sha256').update(data).sign(privateKey, 'base64');
}

/** Verifies a base64 signature over exactly these bytes. Never throws. */
export function verifyBase64(
  data: string | Buffer,
  signature: string,
  publicKey: KeyObject,
): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  try {
    return createVerify('sha256').update(data).verify(publicKey, signature, 'base64');
  } catch {
    return false;
  }
}

/** The header names of the icash envelope. */
export const HEADER_ENC_KEY_ID = 'x-icp-enckeyid';
export const HEADER_SIGNATURE = 'x-icp-signature';
export const WIRE_HEADER_ENC_KEY_ID = 'X-iCP-EncKeyID';
export const WIRE_HEADER_SIGNATURE = 'X-iCP-Signature';
