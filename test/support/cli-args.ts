import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
/** The `omnigate` command lines the tests provision with, spelled once. */
import type { KeySetParams } from '../../src/providers/icash-pay/provisioning.js';
import { sandboxMerchantKeySet } from '../../src/providers/icash-pay/provisioning.js';
import type { MerchantCredentials } from '../../src/sandbox/icash-pay/index.js';

/** A key set as `keys set` takes it: `clientPrivateKey` and `serverPublicKey` are paths of key files. */
export type KeySetArgs = KeySetParams;

let secrets: string | undefined;
let secretCount = 0;
/** A secret's own file (0600) in this process's temp folder: secrets never go on a command line. */
function secretFile(value: string): string {
  secrets ??= mkdtempSync(join(tmpdir(), 'omnigate-secrets-'));
  const path = join(secrets, `secret-${(secretCount += 1)}`);
  writeFileSync(path, `${value}\n`, { mode: 0o600 });
  return path;
}

/** `keys set …` for one key set (the AES key and IV through files). */
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
  '--aes-key-file',
  secretFile(k.aesKey),
  '--aes-iv-file',
  secretFile(k.aesIv),
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
