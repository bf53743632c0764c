import { type Config } from '../config/config.js';
import { IntegrateService } from '../integrate/service.js';
import { I_CASH_QRCODE_PAY, createIcashQrcodePay } from '../providers/icash-pay/provider.js';
import { IcashTransport } from '../providers/icash-pay/transport.js';
import { ProviderRegistry } from '../providers/registry.js';
import { ProvisioningService } from '../provisioning/service.js';
import { openStore, type Store } from '../store/index.js';
import { loadSecretBox } from './master-key.js';

/** Everything behind the HTTP layer, wired once from the configuration. */
export interface Services {
  store: Store;
  registry: ProviderRegistry;
  integrate: IntegrateService;
  provisioning: ProvisioningService;
  close(): Promise<void>;
}

export async function openServices(config: Config, testBaseUrl: string): Promise<Services> {
  const store = await openStore(config.databaseUrl, loadSecretBox(config));
  const registry = new ProviderRegistry([
    createIcashQrcodePay({
      transport: new IcashTransport({ timeoutMs: config.upstreamTimeoutMs }),
      baseUrls: { test: testBaseUrl, prod: config.icashProdUrl },
    }),
  ]);
  return {
    store,
    registry,
    integrate: new IntegrateService({ store, registry, defaultIsTest: config.defaultIsTest }),
    provisioning: new ProvisioningService(store, registry.types()),
    async close() {
      await registry.close();
      await store.close();
    },
  };
}

/** Only what the CLI needs: the store and provisioning, no upstream client. */
export async function openProvisioning(config: Config): Promise<{
  provisioning: ProvisioningService;
  close(): Promise<void>;
}> {
  const store = await openStore(config.databaseUrl, loadSecretBox(config));
  return {
    provisioning: new ProvisioningService(store, [I_CASH_QRCODE_PAY]),
    close: () => store.close(),
  };
}
