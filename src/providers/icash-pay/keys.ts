import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

/**
 * Key material as icash hands it out: PEM (PKCS#1, PKCS#8 or SPKI, often with a
 * wrong label) or the bare base64 of the DER. The label is never trusted; the
 * DER itself decides. Keys are parsed once into KeyObjects and reused.
 */
export class KeyFormatError extends Error {
  override readonly name = 'KeyFormatError';
}

const PEM_ARMOUR = /-----BEGIN [A-Z0-9 ]+-----([\s\S]*?)-----END [A-Z0-9 ]+-----/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function derOf(text: string, what: string): Buffer {
  const armoured = PEM_ARMOUR.exec(text);
  const body = (armoured ? armoured[1]! : text).replace(/\s+/g, '');
  if (body.length === 0 || !BASE64.test(body)) {
    throw new KeyFormatError(`${what}: neither PEM nor base64`);
  }
  return Buffer.from(body, 'base64');
}

function firstThatParses(attempts: (() => KeyObject)[], what: string): KeyObject {
  for (const attempt of attempts) {
    try {
      return attempt();
    } catch {
      // try the next encoding
    }
  }
  throw new KeyFormatError(`${what}: not an RSA key in a known encoding`);
}

function requireRsa(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== 'rsa') throw new KeyFormatError(`${what}: not an RSA key`);
  return key;
}

/** A private key: PKCS#1 `RSAPrivateKey` or PKCS#8, PEM or bare base64. */
export function loadPrivateKey(text: string, what = 'private key'): KeyObject {
  const der = derOf(text, what);
  const key = firstThatParses(
    [
      () => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }),
      () => createPrivateKey({ key: der, format: 'der', type: 'pkcs1' }),
    ],
    what,
  );
  return requireRsa(key, what);
}

/** A public key: SPKI or PKCS#1 `RSAPublicKey`, PEM or bare base64. */
export function loadPublicKey(text: string, what = 'public key'): KeyObject {
  const der = derOf(text, what);
  const key = firstThatParses(
    [
      () => createPublicKey({ key: der, format: 'der', type: 'spki' }),
      () => createPublicKey({ key: der, format: 'der', type: 'pkcs1' }),
    ],
    what,
  );
  return requireRsa(key, what);
}

export function privateKeyToPem(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'pkcs8' }).toString();
}

export function publicKeyToPem(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'spki' }).toString();
}
