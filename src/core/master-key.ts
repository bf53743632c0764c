import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Secret } from './secret.js';

/**
 * Seals values at rest with AES-256-GCM under a master key. Each sealed value
 * names the key version that sealed it (`v<version>.<iv>.<ciphertext>.<tag>`),
 * so keys can be rotated without guessing. The additional data binds a value
 * to its row and column: a sealed value copied elsewhere does not open.
 */
export class MasterKeyError extends Error {
  override readonly name = 'MasterKeyError';
}

export function parseMasterKey(text: string): Buffer {
  const trimmed = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (bytes.length !== 32) {
    throw new MasterKeyError('OMNIGATE_MASTER_KEY must be 32 bytes, as base64 or 64 hex digits');
  }
  return bytes;
}

/**
 * The master keys from configuration: one bare key (version 1), or a list
 * `v2:<key>,v1:<key>` whose first entry seals and whose others only open
 * (during a rotation).
 */
export function parseMasterKeys(text: string): SecretBox {
  const entries = text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  if (entries.length === 1 && !/^v\d+:/.test(entries[0]!)) {
    return SecretBox.single(parseMasterKey(entries[0]!));
  }
  const keys = new Map<number, Buffer>();
  for (const entry of entries) {
    const m = /^v(\d{1,6}):(.+)$/.exec(entry);
    if (!m)
      throw new MasterKeyError('OMNIGATE_MASTER_KEY must be a key or a list v2:<key>,v1:<key>');
    const version = Number(m[1]);
    if (version < 1 || keys.has(version))
      throw new MasterKeyError(`master key v${version} is repeated or invalid`);
    keys.set(version, parseMasterKey(m[2]!));
  }
  return new SecretBox(keys, Number(/^v(\d+)/.exec(entries[0]!)![1]));
}

export function generateMasterKey(): string {
  return randomBytes(32).toString('base64');
}

export class SecretBox {
  readonly #keys: Map<number, Secret<Buffer>>;
  readonly currentVersion: number;

  constructor(keys: ReadonlyMap<number, Buffer>, currentVersion: number) {
    if (!keys.has(currentVersion)) throw new MasterKeyError(`no master key v${currentVersion}`);
    this.#keys = new Map([...keys].map(([v, k]) => [v, new Secret(k)]));
    this.currentVersion = currentVersion;
  }

  /** The version that sealed a value, without opening it. */
  static versionOf(sealed: string): number | null {
    const m = /^v(\d+)\./.exec(sealed);
    return m ? Number(m[1]) : null;
  }

  static single(key: Buffer): SecretBox {
    return new SecretBox(new Map([[1, key]]), 1);
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key(this.currentVersion), iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      `v${this.currentVersion}`,
      iv.toString('base64url'),
      ct.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
    ].join('.');
  }

  open(sealed: string, context: string): Secret<string> {
    const parts = sealed.split('.');
    const version = Number(parts[0]?.slice(1));
    if (parts.length !== 4 || !parts[0]?.startsWith('v') || !Number.isInteger(version)) {
      throw new MasterKeyError('sealed value is malformed');
    }
    const decipher = createDecipheriv(
      'aes-256-gcm',
      this.#key(version),
      Buffer.from(parts[1]!, 'base64url'),
    );
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(parts[3]!, 'base64url'));
    try {
      const plain = Buffer.concat([
        decipher.update(Buffer.from(parts[2]!, 'base64url')),
        decipher.final(),
      ]);
      return new Secret(plain.toString('utf8'));
    } catch {
      throw new MasterKeyError(`sealed value does not open with master key v${version}`);
    }
  }

  #key(version: number): Buffer {
    const key = this.#keys.get(version);
    if (!key) throw new MasterKeyError(`master key v${version} is not configured`);
    return key.reveal();
  }
}
