import { UserService } from '../admin/users.js';
import { formatTaiwanTime } from '../core/taiwan-time.js';
import type { DemoContext } from '../providers/wallet.js';
import type { Wallet } from '../providers/wallet.js';
import type { ProvisioningService } from '../provisioning/service.js';
import type { Store } from '../store/index.js';

export const DEMO_COMPANY = 'omnigate demo';
export const DEMO_STORE = '0001';
/** The demo company's console admin; its password is generated and printed once. */
export const DEMO_USER_EMAIL = 'demo@omnigate.local';
export const DEMO_BEGIN = '# ---- omnigate demo: copy and paste into a shell ----';
export const DEMO_END = '# ---- end of demo ----';

async function sandboxPost<T>(sandboxUrl: string, path: string, body: object): Promise<T> {
  const res = await fetch(`${sandboxUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`sandbox ${path} answered HTTP ${res.status}`);
  return (await res.json()) as T;
}

const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/**
 * On an empty development database: a demo company with an OAuth client and
 * store 0001, which each wallet configures against the embedded sandbox (its
 * `demo` section). Returns the copy-pasteable walk-through; on a later start
 * only a note (the client secret was shown once and is not kept), or null when
 * the database holds no demo.
 */
export async function provisionDemo(
  store: Store,
  provisioning: ProvisioningService,
  wallets: readonly Wallet[],
  sandboxUrl: string,
  gatewayUrl: string,
): Promise<string | null> {
  if ((await store.companies.countCompanies()) > 0) {
    const demoId = await store.companies.findCompanyByName(DEMO_COMPANY);
    return demoId === undefined
      ? null
      : `# The demo (company ${demoId}, store ${DEMO_STORE}) was provisioned at the first start; its\n` +
          `# client secret is not shown again. A new client: npx omnigate client create --company ${demoId}\n` +
          `# The console: ${gatewayUrl}/console/ (${DEMO_USER_EMAIL}; its password was shown at the first\n` +
          `# start. A new one: npx omnigate user password --email ${DEMO_USER_EMAIL})`;
  }
  const companyId = await provisioning.createCompany(DEMO_COMPANY);
  const client = await provisioning.createClient(companyId, 'demo POS');
  // A console login for the demo company (admin: every page and action), password generated.
  const demoUser = await new UserService(store, { actor: 'system' }).create({
    email: DEMO_USER_EMAIL,
    role: 'admin',
    companyId,
  });

  const now = new Date();
  const auth = `-H "Authorization: Bearer $TOKEN"`;
  const json = `-H 'Content-Type: application/json'`;
  const context: DemoContext = {
    provisioning,
    companyId,
    storeId: DEMO_STORE,
    sandboxUrl,
    gatewayUrl,
    stamp: formatTaiwanTime(now).replace(/\D/g, ''),
    date: formatTaiwanTime(now),
    sandboxPost: (path, body) => sandboxPost(sandboxUrl, path, body),
    post: (operation, type, request) =>
      `curl -s -X POST ${gatewayUrl}/v1/payment/integrate/${operation} ${auth} ${json} -d ${shellQuote(
        JSON.stringify({ type, store_id: DEMO_STORE, is_test: true, request }),
      )}; echo`,
    search: (type, request) =>
      `curl -s -G ${gatewayUrl}/v1/payment/integrate/search ${auth} ` +
      `--data-urlencode type=${type} --data-urlencode store_id=${DEMO_STORE} ` +
      `--data-urlencode is_test=TRUE --data-urlencode ${shellQuote(`request=${JSON.stringify(request)}`)}; echo`,
    shellQuote,
  };
  const lines = [
    DEMO_BEGIN,
    `# company ${companyId}, store ${DEMO_STORE}.`,
    `# The console: ${gatewayUrl}/console/  log in as ${DEMO_USER_EMAIL} (admin of the demo company),`,
    `#   password ${demoUser.generatedPassword!.reveal()}`,
    '# That password and the client secret below are shown only this once.',
    '# 1. an access token',
    `TOKEN=$(curl -s -X POST ${gatewayUrl}/oauth/v1/token -d grant_type=client_credentials ` +
      `-d client_id=${client.clientId} -d client_secret=${client.clientSecret.reveal()} ` +
      `| node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).access_token')`,
  ];
  let step = 1;
  for (const wallet of wallets) {
    if (!wallet.demo) continue;
    const section = await wallet.demo(context);
    lines.push(`# ${section.intro}`);
    for (const { comment, command } of section.steps) {
      step += 1;
      lines.push(`# ${step}. ${comment}`, command);
    }
  }
  // Every outcome above is also POSTed, signed, to a receiver on the sandbox (docs/webhooks.md).
  const hook = await store.webhooks.createEndpoint(
    companyId,
    `${sandboxUrl}/sandbox/webhooks`,
    null,
  );
  step += 1;
  lines.push(
    `# ${step}. webhooks: each outcome above was POSTed, signed, to endpoint ${hook.endpointId} on the`,
    '#    sandbox, which keeps what it receives (searches send none). A second later:',
    `sleep 2; curl -s ${sandboxUrl}/sandbox/webhooks; echo`,
    '# Your own receiver (its whsec_ secret is printed once; verify as docs/webhooks.md shows):',
    `#    npx omnigate webhook create --company ${companyId} --url http://127.0.0.1:8080/hooks`,
  );
  lines.push(DEMO_END);
  return lines.join('\n');
}
