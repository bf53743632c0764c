import type { Config } from '../config/config.js';
import { openStore } from '../store/index.js';
import { WebhookEndpoints } from '../webhooks/endpoints.js';
import { loadSecretBox } from './master-key.js';
import { webhookPolicy } from './services.js';

/** What the CLI's webhook commands need: the store and the endpoint service, nothing else. */
export async function openWebhookEndpoints(config: Config): Promise<{
  endpoints: WebhookEndpoints;
  close(): Promise<void>;
}> {
  const store = await openStore(config.databaseUrl, loadSecretBox(config));
  return {
    // Changes made through the CLI are the CLI's in the audit log.
    endpoints: new WebhookEndpoints(store, webhookPolicy(config), { actor: 'cli' }),
    close: () => store.close(),
  };
}
