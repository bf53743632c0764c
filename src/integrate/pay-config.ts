import { NotConfiguredError, StoreNotFoundError } from '../core/errors.js';
import type { PayConfig, PaymentProvider } from '../providers/types.js';
import type { Environment, Store } from '../store/index.js';
import type { CheckedRequest } from './fields.js';

/**
 * get_pay_config: the credentials and keys of one call, from the request
 * (vendor scenario) or from the caller's store (store scenario). Anything that
 * belongs to another company answers exactly as if it did not exist.
 */
export async function getPayConfig(
  store: Pick<Store, 'keySets' | 'stores'>,
  provider: PaymentProvider,
  companyId: string,
  request: CheckedRequest,
  storeId: string | undefined,
  env: Environment,
): Promise<PayConfig> {
  let credentials: Record<string, string>;
  let scenario: PayConfig['scenario'];
  if (storeId === undefined) {
    scenario = 'vendor';
    credentials = {};
    for (const field of [...provider.credentialFields, ...provider.optionalCredentialFields]) {
      const value = request[field];
      if (typeof value === 'string') credentials[field] = value;
    }
  } else {
    scenario = 'store';
    const config = await store.stores.findPayConfig(companyId, storeId, provider.type, env);
    if (!config) {
      if (!(await store.stores.storeExists(companyId, storeId)))
        throw new StoreNotFoundError(storeId);
      throw new NotConfiguredError(
        'store_not_configured',
        `門市 ${storeId} 未設定 ${provider.type} 金流參數`,
      );
    }
    credentials = provider.credentialsFromStore(config);
    // An explicit optional credential (e.g. StoreID) in the request wins over the stored one.
    for (const field of provider.optionalCredentialFields) {
      const value = request[field];
      if (typeof value === 'string') credentials[field] = value;
    }
  }
  const keySetId = credentials[provider.keySetField]!;
  const keySet = await store.keySets.find(companyId, keySetId, env);
  if (!keySet) {
    throw new NotConfiguredError(
      'key_set_not_configured',
      `${provider.keySetField} ${keySetId} 未設定金鑰`,
    );
  }
  return { scenario, env, credentials, keySet };
}
