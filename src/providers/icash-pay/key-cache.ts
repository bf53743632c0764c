import type { StoredCredential } from '../../store/index.js';
import { KEY_SET_FIELDS } from './credentials.js';
import { AesMaterial } from './envelope.js';
import { loadPrivateKey, loadPublicKey } from './keys.js';
import type { IcashKeySet } from './transport.js';

/**
 * Parsed key sets, so RSA keys are parsed once and not per call. An entry is
 * keyed by company, PlatformID and environment, and is replaced when the stored
 * key set's revision changes.
 */
export class KeySetCache {
  readonly #entries = new Map<string, { revision: number; keys: IcashKeySet }>();

  resolve(stored: StoredCredential): IcashKeySet {
    const id = `${stored.companyId}\u0000${stored.credentialId}\u0000${stored.env}`;
    const hit = this.#entries.get(id);
    if (hit && hit.revision === stored.revision) return hit.keys;
    const secret = stored.open();
    const field = (name: string): string => {
      const value = secret[name]?.reveal() ?? stored.public[name];
      if (value === undefined) throw new Error(`icash key set without ${name}`);
      return value;
    };
    const keys: IcashKeySet = {
      encKeyId: field(KEY_SET_FIELDS.encKeyId),
      aes: new AesMaterial(field(KEY_SET_FIELDS.aesKey), field(KEY_SET_FIELDS.aesIv)),
      clientPrivateKey: loadPrivateKey(
        field(KEY_SET_FIELDS.clientPrivateKey),
        'client private key',
      ),
      serverPublicKey: loadPublicKey(field(KEY_SET_FIELDS.serverPublicKey), 'server public key'),
    };
    this.#entries.set(id, { revision: stored.revision, keys });
    return keys;
  }
}
