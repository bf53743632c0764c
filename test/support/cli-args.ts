/** The `omnigate` command lines the tests provision with, spelled once. */
import type { KeySetParams } from '../../src/provisioning/service.js';
import { sandboxMerchantKeySet } from '../../src/runtime/demo.js';
import type { MerchantCredentials } from '../../src/sandbox/index.js';

/** A key set as `keys set` takes it: `clientPrivateKey` and `serverPublicKey` are paths of key files. */
export type KeySetArgs = KeySetParams;

/** `keys set …` for one key set. */
export const keysSetArgs = (k: KeySetArgs): string[] => [
  'keys',
  'set',
  '--company',
  k.companyId,
  '--platform-id',
  k.platformId,
  '--env',
  k.env,
  '--enc-key-id',
  k.encKeyId,
  '--aes-key',
  k.aesKey,
  '--aes-iv',
  k.aesIv,
  '--client-private-key',
  k.clientPrivateKey,
  '--server-public-key',
  k.serverPublicKey,
];

export interface StoreSetArgs {
  companyId: string;
  storeId: string;
  type: string;
  env: 'test' | 'prod';
  platformId: string;
  merchantId: string;
}

/** `store set …` for one store's payment configuration. */
export const storeSetArgs = (s: StoreSetArgs): string[] => [
  'store',
  'set',
  '--company',
  s.companyId,
  '--store',
  s.storeId,
  '--type',
  s.type,
  '--env',
  s.env,
  '--platform-id',
  s.platformId,
  '--merchant-id',
  s.merchantId,
];

/** The key set of a sandbox merchant (its keys written to the two files), for `keysSetArgs`. */
export const merchantKeySet = (
  companyId: string,
  merchant: MerchantCredentials,
  files: { clientPrivateKey: string; serverPublicKey: string },
): KeySetArgs => ({ ...sandboxMerchantKeySet(companyId, merchant), ...files });
