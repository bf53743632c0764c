import type { Config } from '../config/config.js';
import { WALLETS } from '../providers/wallets.js';
import { OperatorDirectory } from '../admin/directory.js';
import { UserService } from '../admin/users.js';
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
  directory: OperatorDirectory;
  users: UserService;
  close(): Promise<void>;
}> {
  const store = await openStore(config.databaseUrl, loadSecretBox(config));
  return {
    // Changes made through the CLI are the CLI's in the audit log.
    provisioning: new ProvisioningService(store, WALLETS, { actor: 'cli' }),
    directory: new OperatorDirectory(store),
    users: new UserService(store, { actor: 'cli' }),
    close: () => store.close(),
  };
}
