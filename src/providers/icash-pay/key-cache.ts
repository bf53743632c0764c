import type { StoredKeySet } from '../../store/index.js';
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

  resolve(stored: StoredKeySet): IcashKeySet {
    const id = `${stored.companyId}\u0000${stored.platformId}\u0000${stored.env}`;
    const hit = this.#entries.get(id);
    if (hit && hit.revision === stored.revision) return hit.keys;
    const opened = stored.open();
    const keys: IcashKeySet = {
      encKeyId: opened.encKeyId,
      aes: new AesMaterial(opened.aesKey.reveal(), opened.aesIv.reveal()),
      clientPrivateKey: loadPrivateKey(opened.clientPrivateKey.reveal(), 'client private key'),
      serverPublicKey: loadPublicKey(opened.serverPublicKey, 'server public key'),
    };
    this.#entries.set(id, { revision: stored.revision, keys });
    return keys;
  }
}
