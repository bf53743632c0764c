import type { Config } from '../config/config.js';
import { WALLETS } from '../providers/wallets.js';
import { ProvisioningService } from '../provisioning/service.js';
import { openStore } from '../store/index.js';
import { loadSecretBox } from './master-key.js';

/**
 * Only what the CLI's provisioning commands need: the store and the
 * provisioning service, without the HTTP server, the upstream client or the
 * sandbox (so a command starts quickly).
 */
export async function openProvisioning(config: Config): Promise<{
  provisioning: ProvisioningService;
  close(): Promise<void>;
}> {
  const store = await openStore(config.databaseUrl, loadSecretBox(config));
  return {
    provisioning: new ProvisioningService(store, WALLETS),
    close: () => store.close(),
  };
}
