/** The `omnigate` command lines the tests provision with, spelled once. */

export interface KeySetArgs {
  companyId: string;
  platformId: string;
  env: 'test' | 'prod';
  encKeyId: string;
  aesKey: string;
  aesIv: string;
  /** Paths of the key files. */
  clientPrivateKey: string;
  serverPublicKey: string;
}

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
  merchant: { PlatformID: string; EncKeyID: string; AESKey: string; AESIV: string },
  files: { clientPrivateKey: string; serverPublicKey: string },
): KeySetArgs => ({
  companyId,
  platformId: merchant.PlatformID,
  env: 'test',
  encKeyId: merchant.EncKeyID,
  aesKey: merchant.AESKey,
  aesIv: merchant.AESIV,
  ...files,
});
