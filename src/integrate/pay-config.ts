import { NotConfiguredError, StoreNotFoundError } from '../core/errors.js';
import type { PayConfig, PaymentProvider } from '../providers/types.js';
import type { Environment, Store } from '../store/index.js';
import type { CheckedRequest } from './fields.js';

/**
 * get_pay_config: the credentials of one call, from the request (vendor
 * scenario) or from the caller's store (store scenario), and the stored
 * credential they name. Anything that belongs to another company answers
 * exactly as if it did not exist.
 */
export async function getPayConfig(
  store: Pick<Store, 'credentials' | 'stores'>,
  provider: PaymentProvider,
  companyId: string,
  request: CheckedRequest,
  storeId: string | undefined,
  env: Environment,
): Promise<PayConfig> {
  const spec = provider.credentials;
  let credentials: Record<string, string>;
  let scenario: PayConfig['scenario'];
  if (storeId === undefined) {
    scenario = 'vendor';
    credentials = {};
    for (const field of [...spec.requestFields, ...spec.optionalRequestFields]) {
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
    credentials = spec.fromStore(config.account);
    // An optional credential field given in the request wins over the stored one.
    for (const field of spec.optionalRequestFields) {
      const value = request[field];
      if (typeof value === 'string') credentials[field] = value;
    }
  }
  const stored = await findStored(store, provider, companyId, env, credentials);
  return { scenario, env, credentials, stored };
}

/** The stored credential a call's credentials name; an error when it is missing. */
export async function findStored(
  store: Pick<Store, 'credentials'>,
  provider: PaymentProvider,
  companyId: string,
  env: Environment,
  credentials: Readonly<Record<string, string>>,
): Promise<PayConfig['stored']> {
  const credentialId = provider.credentials.storedCredentialId(credentials);
  if (credentialId === undefined) return undefined;
  const stored = await store.credentials.find({
    companyId,
    type: provider.type,
    env,
    credentialId,
  });
  if (!stored) {
    throw new NotConfiguredError(
      'key_set_not_configured',
      provider.credentials.notConfiguredMessage(credentialId),
    );
  }
  return stored;
}
