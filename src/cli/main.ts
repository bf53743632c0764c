import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { ConfigError, loadConfig } from '../config/config.js';
import { MasterKeyError, generateMasterKey } from '../core/master-key.js';
import { WALLETS } from '../providers/wallets.js';
import type { CredentialView, OperatorDirectory } from '../admin/directory.js';
import type { UserService } from '../admin/users.js';
import type { User } from '../store/index.js';
import { ProvisioningError, type ProvisioningService } from '../provisioning/service.js';
import { WebhookError, type WebhookEndpoints } from '../webhooks/endpoints.js';
import { WalletOptionError, addWalletOptions, readWalletOptions } from './wallet-options.js';

// Each command loads only what it needs, so provisioning commands start quickly.
const gatewayModule = () => import('../runtime/gateway.js');
const sandboxModule = () => import('../sandbox/index.js');
const provisioningModule = () => import('../runtime/provisioning.js');
const storeModule = () => import('../store/index.js');
const webhooksModule = () => import('../runtime/webhooks.js');

/** A failure the user can act on: printed as one line on stderr, exit code 1. */
class UsageError extends Error {}

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  /** All of standard input (`--password-stdin`). */
  stdin?: () => string;
}

const defaultIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  stdin: () => readFileSync(0, 'utf8'),
};

/** Prints a result: one JSON object with --json, else readable `key: value` lines. */
function report(io: Io, json: boolean, result: Record<string, unknown>, human?: string): void {
  if (json) io.out(JSON.stringify(result));
  else
    io.out(
      human ??
        Object.entries(result)
          .map(([k, v]) => `${k}: ${String(v)}`)
          .join('\n'),
    );
}

/** A table: a header and one line per row, columns padded; `(none)` when empty. */
function table(headers: string[], rows: (string | null)[][]): string {
  if (rows.length === 0) return '(none)';
  const cells = [headers, ...rows.map((r) => r.map((c) => c ?? '-'))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `key: value` lines; objects and lists as JSON. */
const details = (value: Record<string, unknown>): string =>
  Object.entries(value)
    .map(([k, v]) => `${k}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join('\n');

const envOption = () =>
  new Option('--env <env>', 'environment: test or prod')
    .choices(['test', 'prod'])
    .makeOptionMandatory();

/** Waits for SIGINT/SIGTERM, then runs `close`. */
function untilSignal(close: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void close().then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export function buildCli(io: Io = defaultIo): Command {
  const program = new Command('omnigate')
    .description(
      `omnigate: a self-hosted payment gateway for barcode payments (${WALLETS.map((w) => w.type).join(', ')})`,
    )
    .option('--json', 'print exactly one JSON object on stdout')
    // Every command's --help also lists --json, which works before or after the command.
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.trimEnd()),
      writeErr: (s) => io.err(s.trimEnd()),
    });
  const json = (): boolean => program.opts<{ json?: boolean }>().json === true;

  program
    .command('serve')
    .description(
      'run the gateway (what `npm start` runs); development starts the sandbox and a demo',
    )
    .action(async () => {
      const { startGateway } = await gatewayModule();
      // With --json, stdout carries exactly one JSON object: the log lines go to stderr.
      const logStream = json() ? (await import('pino')).default.destination(2) : undefined;
      const gateway = await startGateway(loadConfig(), { logStream });
      report(
        io,
        json(),
        // `demo`: the copy-pasteable demo text, shown at the first start only.
        {
          url: gateway.url,
          console: `${gateway.url}/console/`,
          sandbox: gateway.sandbox?.url ?? null,
          demo: gateway.demo,
        },
        gateway.demo
          ? `omnigate listening on ${gateway.url}\n\n${gateway.demo}\n`
          : `omnigate listening on ${gateway.url}\nconsole on ${gateway.url}/console/` +
              (gateway.sandbox ? `\nwallet sandbox on ${gateway.sandbox.url}` : ''),
      );
      await untilSignal(() => gateway.close());
    });

  program
    .command('sandbox')
    .description(
      "run the wallets' sandbox on its own: every wallet's simulator at its root (state in <data>/sandbox.sqlite)",
    )
    .option('--port <port>', 'port to listen on', '4000')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--db <file>', 'SQLite file for its state (":memory:" forgets on exit)')
    .action(async (opts: { port: string; host: string; db?: string }) => {
      if (!/^\d{1,5}$/.test(opts.port) || Number(opts.port) > 65535) {
        throw new UsageError('--port must be a port number');
      }
      const { startSandbox } = await sandboxModule();
      const sandbox = await startSandbox({
        port: Number(opts.port),
        host: opts.host,
        dbPath: opts.db ?? join(loadConfig().dataDir, 'sandbox.sqlite'),
      });
      report(io, json(), { url: sandbox.url, base_urls: sandbox.baseUrls });
      await untilSignal(() => sandbox.close());
    });

  program
    .command('migrate')
    .description('create or upgrade the database schema')
    .action(async () => {
      const { migrateDatabase } = await storeModule();
      const applied = await migrateDatabase(loadConfig().databaseUrl);
      report(
        io,
        json(),
        { applied },
        applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date',
      );
    });

  const withProvisioning = async <T>(fn: (p: ProvisioningService) => Promise<T>): Promise<T> => {
    const { openProvisioning } = await provisioningModule();
    const opened = await openProvisioning(loadConfig());
    try {
      return await fn(opened.provisioning);
    } finally {
      await opened.close();
    }
  };

  const withDirectory = async <T>(fn: (d: OperatorDirectory) => Promise<T>): Promise<T> => {
    const { openProvisioning } = await provisioningModule();
    const opened = await openProvisioning(loadConfig());
    try {
      return await fn(opened.directory);
    } finally {
      await opened.close();
    }
  };
  const found = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new UsageError(`${what} does not exist`);
    return value;
  };

  const company = program.command('company').description('companies');
  company
    .command('create')
    .description('create a company')
    .requiredOption('--name <name>', 'company name')
    .action(async (opts: { name: string }) => {
      const companyId = await withProvisioning((p) => p.createCompany(opts.name));
      report(io, json(), { company_id: companyId });
    });
  company
    .command('list')
    .description('every company')
    .action(async () => {
      const companies = await withDirectory((d) => d.companies());
      report(
        io,
        json(),
        { companies },
        table(
          ['COMPANY', 'NAME', 'CREATED'],
          companies.map((c) => [c.company_id, c.name, c.created_at]),
        ),
      );
    });
  company
    .command('show')
    .description('one company, with its clients, stores and credentials (metadata only)')
    .requiredOption('--company <id>', 'company id')
    .action(async (opts: { company: string }) => {
      const shown = await withDirectory(async (d) => {
        const one = found(await d.company(opts.company), `company ${opts.company}`);
        return {
          ...one,
          clients: await d.clients(opts.company),
          stores: await d.stores({ companyId: opts.company }),
          credentials: await d.credentials(opts.company),
        };
      });
      report(io, json(), shown, details(shown));
    });

  const client = program.command('client').description('OAuth clients');
  client
    .command('create')
    .description('create a client; its secret is shown once')
    .requiredOption('--company <id>', 'company id')
    .option('--name <name>', 'a label for the client')
    .action(async (opts: { company: string; name?: string }) => {
      const created = await withProvisioning((p) =>
        p.createClient(opts.company, opts.name ?? null),
      );
      report(io, json(), {
        client_id: created.clientId,
        client_secret: created.clientSecret.reveal(),
      });
    });
  client
    .command('revoke')
    .description('revoke a client and every token it holds')
    .requiredOption('--client <client_id>', 'client id')
    .action(async (opts: { client: string }) => {
      await withProvisioning((p) => p.revokeClient(opts.client));
      report(io, json(), { client_id: opts.client, revoked: true });
    });
  client
    .command('rotate-secret')
    .description(
      'give a client a new secret, shown once; the old secret and every token issued with it stop working',
    )
    .requiredOption('--client <client_id>', 'client id')
    .action(async (opts: { client: string }) => {
      const rotated = await withProvisioning((p) => p.rotateClientSecret(opts.client));
      report(io, json(), {
        client_id: rotated.clientId,
        client_secret: rotated.clientSecret.reveal(),
        tokens_revoked: rotated.tokensRevoked,
      });
    });
  client
    .command('list')
    .description('OAuth clients (of one company), with when each last obtained a token')
    .option('--company <id>', 'only this company')
    .action(async (opts: { company?: string }) => {
      const clients = await withDirectory((d) => d.clients(opts.company));
      report(
        io,
        json(),
        { clients },
        table(
          ['CLIENT', 'COMPANY', 'NAME', 'STATUS', 'LAST USED', 'CREATED'],
          clients.map((c) => [
            c.client_id,
            c.company_id,
            c.name,
            c.status,
            c.last_used_at ?? 'never',
            c.created_at,
          ]),
        ),
      );
    });
  client
    .command('show')
    .description('one OAuth client (never its secret)')
    .requiredOption('--client <client_id>', 'client id')
    .action(async (opts: { client: string }) => {
      const shown = found(
        await withDirectory((d) => d.client(opts.client)),
        `client ${opts.client}`,
      );
      report(io, json(), { ...shown }, details({ ...shown }));
    });

  // Each wallet declares its own provisioning options; the commands below merge them.
  const wallets = new Map(WALLETS.map((w) => [w.type, w.credentials]));
  const types = [...wallets.keys()];
  const typeOption = (defaultType?: string) => {
    const option = new Option('--type <type>', 'payment type').choices(types);
    return defaultType ? option.default(defaultType) : option.makeOptionMandatory();
  };
  // `credentials set` needs --type only when several wallets store credentials that way.
  const withCredentialOptions = types.filter((t) => wallets.get(t)!.credentialOptions.length > 0);
  const setCredential = async (
    opts: Record<string, unknown> & { company: string; type: string; env: 'test' | 'prod' },
  ) => {
    const input = readWalletOptions(opts, opts.type, wallets, 'credentialOptions', io.err);
    const stored = await withProvisioning((p) =>
      p.setCredential({ companyId: opts.company, type: opts.type, env: opts.env, input }),
    );
    report(io, json(), {
      company_id: opts.company,
      type: opts.type,
      env: opts.env,
      credential_id: stored.credentialId,
      ...stored.summary,
      stored: true,
    });
  };
  const credentialsSet = (name: string, description: string) => {
    const parent = program.command(name).description(description);
    const command = parent
      .command('set')
      .description(
        'store (replace) a wallet credential for one environment (a key set, a channel secret)',
      )
      .requiredOption('--company <id>', 'company id')
      .addOption(
        typeOption(withCredentialOptions.length === 1 ? withCredentialOptions[0] : undefined),
      )
      .addOption(envOption());
    addWalletOptions(command, wallets, 'credentialOptions');
    command.action(setCredential);
    return parent;
  };
  const credentialRows = (list: CredentialView[]) =>
    table(
      ['COMPANY', 'TYPE', 'ENV', 'CREDENTIAL', 'FINGERPRINT', 'SECRET FIELDS', 'UPDATED'],
      list.map((c) => [
        c.company_id,
        c.type,
        c.env,
        c.credential_id,
        c.fingerprint,
        c.secret_fields.join(','),
        c.updated_at,
      ]),
    );
  const credentials = credentialsSet('credentials', 'wallet credentials (sealed at rest)');
  credentials
    .command('list')
    .description(
      'stored credentials: metadata only (field names, a fingerprint, when updated), never key material',
    )
    .option('--company <id>', 'only this company')
    .action(async (opts: { company?: string }) => {
      const list = await withDirectory((d) => d.credentials(opts.company));
      report(io, json(), { credentials: list }, credentialRows(list));
    });
  credentials
    .command('show')
    .description('one stored credential: metadata only, never key material')
    .requiredOption('--company <id>', 'company id')
    .addOption(new Option('--type <type>', 'payment type').choices(types).makeOptionMandatory())
    .addOption(envOption())
    .requiredOption('--credential <credential_id>', 'credential id, as `credentials list` shows it')
    .action(
      async (opts: { company: string; type: string; env: 'test' | 'prod'; credential: string }) => {
        const list = await withDirectory((d) => d.credentials(opts.company));
        const shown = found(
          list.find(
            (c) =>
              c.type === opts.type && c.env === opts.env && c.credential_id === opts.credential,
          ),
          `credential ${opts.type}/${opts.env}/${opts.credential}`,
        );
        report(io, json(), { ...shown }, details({ ...shown }));
      },
    );
  credentialsSet('keys', 'the same as `credentials`, by its round-1 name');

  const storeCommand = program.command('store').description('stores (門市)');
  const storeSet = storeCommand
    .command('set')
    .description("store (replace) a store's payment configuration for one type and environment")
    .requiredOption('--company <id>', 'company id')
    .requiredOption('--store <store_id>', 'store id (門市代碼)')
    .addOption(typeOption())
    .addOption(envOption());
  addWalletOptions(storeSet, wallets, 'storeOptions');
  storeSet.action(
    async (
      opts: Record<string, unknown> & {
        company: string;
        store: string;
        type: string;
        env: 'test' | 'prod';
      },
    ) => {
      const input = readWalletOptions(opts, opts.type, wallets, 'storeOptions', io.err);
      await withProvisioning((p) =>
        p.setStore({
          companyId: opts.company,
          storeId: opts.store,
          type: opts.type,
          env: opts.env,
          input,
        }),
      );
      report(io, json(), {
        company_id: opts.company,
        store_id: opts.store,
        type: opts.type,
        env: opts.env,
        stored: true,
      });
    },
  );

  storeCommand
    .command('list')
    .description('stores, with their payment configurations per type and environment')
    .option('--company <id>', 'only this company')
    .action(async (opts: { company?: string }) => {
      const stores = await withDirectory((d) =>
        d.stores(opts.company === undefined ? {} : { companyId: opts.company }),
      );
      report(
        io,
        json(),
        { stores },
        table(
          ['COMPANY', 'STORE', 'TYPE', 'ENV', 'CREDENTIAL', 'ACCOUNT', 'UPDATED'],
          stores.flatMap((st) =>
            st.configs.length === 0
              ? [[st.company_id, st.store_id, null, null, null, null, st.created_at]]
              : st.configs.map((c) => [
                  st.company_id,
                  st.store_id,
                  c.type,
                  c.env,
                  c.credential_id,
                  JSON.stringify(c.account),
                  c.updated_at,
                ]),
          ),
        ),
      );
    });
  storeCommand
    .command('show')
    .description('one store and its payment configurations (account fields only)')
    .requiredOption('--company <id>', 'company id')
    .requiredOption('--store <store_id>', 'store id (門市代碼)')
    .action(async (opts: { company: string; store: string }) => {
      const [shown] = await withDirectory((d) =>
        d.stores({ companyId: opts.company, storeId: opts.store }),
      );
      const store = found(shown, `store ${opts.store} of company ${opts.company}`);
      report(io, json(), { ...store }, details({ ...store }));
    });

  program
    .command('audit')
    .description('the audit log: every change made other than by a payment call')
    .command('list')
    .description('audit entries, newest first')
    .option('--company <id>', 'only this company')
    .option('--action <action>', 'only this action, e.g. client.rotate_secret')
    .option('--actor <actor>', 'only this actor: cli, system, user:<id>')
    .option('--limit <n>', 'at most this many entries (1-1000)', '100')
    .action(async (opts: { company?: string; action?: string; actor?: string; limit: string }) => {
      if (!/^\d{1,4}$/.test(opts.limit) || Number(opts.limit) < 1 || Number(opts.limit) > 1000) {
        throw new UsageError('--limit must be an integer from 1 to 1000');
      }
      const entries = await withDirectory((d) =>
        d.audit({
          ...(opts.company === undefined ? {} : { companyId: opts.company }),
          ...(opts.action === undefined ? {} : { action: opts.action }),
          ...(opts.actor === undefined ? {} : { actor: opts.actor }),
          limit: Number(opts.limit),
        }),
      );
      report(
        io,
        json(),
        { entries },
        table(
          ['AT', 'ACTOR', 'COMPANY', 'ACTION', 'TARGET', 'CHANGES'],
          entries.map((e) => [
            e.at,
            e.actor,
            e.company_id,
            e.action,
            e.target,
            JSON.stringify(e.changes),
          ]),
        ),
      );
    });

  const withUsers = async <T>(fn: (u: UserService) => Promise<T>): Promise<T> => {
    const { openProvisioning } = await provisioningModule();
    const opened = await openProvisioning(loadConfig());
    try {
      return await fn(opened.users);
    } finally {
      await opened.close();
    }
  };
  /** The password from standard input (one line; the newline is not part of it). */
  const passwordFromStdin = (): string => {
    const text = (io.stdin ?? defaultIo.stdin!)();
    return text.replace(/\r?\n$/, '');
  };
  const userView = (u: User) => ({
    user_id: u.userId,
    email: u.email,
    role: u.role,
    company_id: u.companyId,
    scope: u.companyId === null ? 'platform' : 'company',
    status: u.disabledAt === null ? 'active' : 'disabled',
    created_at: new Date(u.createdAt).toISOString(),
  });

  const user = program
    .command('user')
    .description('console users (people, not OAuth clients): admin, operator or viewer');
  user
    .command('create')
    .description(
      'create a console user; without --password-stdin a password is generated and shown once',
    )
    .requiredOption('--email <email>', 'the login')
    .addOption(
      new Option('--role <role>', 'admin, operator or viewer')
        .choices(['admin', 'operator', 'viewer'])
        .makeOptionMandatory(),
    )
    .addOption(new Option('--company <id>', "the user's company").conflicts('platform'))
    .addOption(new Option('--platform', 'a platform user: every company').conflicts('company'))
    .option('--password-stdin', 'read the password from standard input (at least 12 characters)')
    .action(
      async (opts: {
        email: string;
        role: string;
        company?: string;
        platform?: boolean;
        passwordStdin?: boolean;
      }) => {
        if (opts.company === undefined && opts.platform !== true) {
          throw new UsageError('one of --company ID or --platform is required');
        }
        const password = opts.passwordStdin ? passwordFromStdin() : undefined;
        const created = await withUsers((u) =>
          u.create({
            email: opts.email,
            role: opts.role,
            companyId: opts.company ?? null,
            password,
          }),
        );
        report(io, json(), {
          ...userView(created.user),
          ...(created.generatedPassword ? { password: created.generatedPassword.reveal() } : {}),
        });
      },
    );
  user
    .command('list')
    .description('console users (of one company)')
    .option('--company <id>', 'only this company')
    .action(async (opts: { company?: string }) => {
      const users = (await withUsers((u) => u.list(opts.company))).map(userView);
      report(
        io,
        json(),
        { users },
        table(
          ['USER', 'EMAIL', 'ROLE', 'COMPANY', 'STATUS', 'CREATED'],
          users.map((u) => [
            u.user_id,
            u.email,
            u.role,
            u.company_id ?? '(platform)',
            u.status,
            u.created_at,
          ]),
        ),
      );
    });
  user
    .command('disable')
    .description('disable a user: every session of theirs ends at once')
    .requiredOption('--email <email>', 'the login')
    .action(async (opts: { email: string }) => {
      const done = await withUsers((u) => u.disable(opts.email));
      report(io, json(), {
        user_id: done.user.userId,
        disabled: true,
        sessions_ended: done.sessionsEnded,
      });
    });
  user
    .command('password')
    .description(
      "set a user's password (from --password-stdin, else generated and shown once); their sessions end",
    )
    .requiredOption('--email <email>', 'the login')
    .option('--password-stdin', 'read the password from standard input (at least 12 characters)')
    .action(async (opts: { email: string; passwordStdin?: boolean }) => {
      const password = opts.passwordStdin ? passwordFromStdin() : undefined;
      const done = await withUsers((u) => u.setPassword(opts.email, password));
      report(io, json(), {
        user_id: done.user.userId,
        ...(done.generatedPassword ? { password: done.generatedPassword.reveal() } : {}),
        sessions_ended: done.sessionsEnded,
      });
    });

  const masterKey = program
    .command('master-key')
    .description('the master key that seals secrets at rest');
  masterKey
    .command('generate')
    .description('print a new random master key (32 bytes, base64)')
    .action(() => {
      report(io, json(), { master_key: generateMasterKey() });
    });
  masterKey
    .command('rotate')
    .description(
      're-seal every secret with the first key of OMNIGATE_MASTER_KEY="v2:<new>,v1:<old>" (see docs/security.md)',
    )
    .action(async () => {
      const counts = await withProvisioning((p) => p.rotateMasterKey());
      report(io, json(), {
        key_version: counts.keyVersion,
        key_sets_resealed: counts.keySets,
        settings_resealed: counts.settings,
        webhook_secrets_resealed: counts.webhookSecrets,
      });
    });

  const withWebhooks = async <T>(fn: (w: WebhookEndpoints) => Promise<T>): Promise<T> => {
    const { openWebhookEndpoints } = await webhooksModule();
    const opened = await openWebhookEndpoints(loadConfig());
    try {
      return await fn(opened.endpoints);
    } finally {
      await opened.close();
    }
  };
  const webhook = program
    .command('webhook')
    .description(
      "webhook endpoints: the merchant's backend is told every outcome (docs/webhooks.md)",
    );
  webhook
    .command('create')
    .description('add an endpoint; its signing secret (whsec_…) is shown once')
    .requiredOption('--company <id>', 'company id')
    .requiredOption('--url <url>', 'where events are POSTed (https in production)')
    .option(
      '--events <types>',
      'comma-separated event types (default: all): transaction.succeeded, transaction.declined, transaction.failed, transaction.unknown',
    )
    .action(async (opts: { company: string; url: string; events?: string }) => {
      const events = opts.events === undefined ? null : opts.events.split(',').map((e) => e.trim());
      const created = await withWebhooks((w) => w.create(opts.company, opts.url, events));
      report(io, json(), {
        endpoint_id: created.endpointId,
        company_id: opts.company,
        url: opts.url,
        events: events ?? 'all',
        secret: created.secret.reveal(),
      });
    });
  webhook
    .command('list')
    .description('the endpoints (never their secrets)')
    .option('--company <id>', 'only this company')
    .action(async (opts: { company?: string }) => {
      const endpoints = await withWebhooks((w) => w.list(opts.company));
      const shown = endpoints.map((e) => ({
        endpoint_id: e.endpointId,
        company_id: e.companyId,
        url: e.url,
        events: e.events ?? 'all',
        created_at: new Date(e.createdAt).toISOString(),
      }));
      report(
        io,
        json(),
        { endpoints: shown },
        shown.length === 0
          ? 'no webhook endpoints'
          : shown
              .map((e) => `${e.endpoint_id}  ${e.company_id}  ${e.url}  ${String(e.events)}`)
              .join('\n'),
      );
    });
  webhook
    .command('delete')
    .description('remove an endpoint; its deliveries not yet made are marked failed')
    .requiredOption('--endpoint <endpoint_id>', 'endpoint id')
    .action(async (opts: { endpoint: string }) => {
      await withWebhooks((w) => w.delete(opts.endpoint));
      report(io, json(), { endpoint_id: opts.endpoint, deleted: true });
    });
  webhook
    .command('rotate-secret')
    .description('give an endpoint a new signing secret, shown once; the old one stops at once')
    .requiredOption('--endpoint <endpoint_id>', 'endpoint id')
    .action(async (opts: { endpoint: string }) => {
      const secret = await withWebhooks((w) => w.rotateSecret(opts.endpoint));
      report(io, json(), { endpoint_id: opts.endpoint, secret: secret.reveal() });
    });
  webhook
    .command('resend')
    .description(
      'send a delivery (or every delivery of an event) again, from the start of the schedule',
    )
    .option('--delivery <delivery_id>', 'one delivery')
    .option('--event <event_id>', 'every delivery of an event (its webhook-id)')
    .action(async (opts: { delivery?: string; event?: string }) => {
      if ((opts.delivery === undefined) === (opts.event === undefined)) {
        throw new UsageError('give exactly one of --delivery and --event');
      }
      const resent = await withWebhooks((w) =>
        w.resend({
          ...(opts.delivery !== undefined ? { deliveryId: opts.delivery } : {}),
          ...(opts.event !== undefined ? { eventId: opts.event } : {}),
        }),
      );
      report(io, json(), { resent }, `resent: ${resent.join(', ')}`);
    });
  webhook
    .command('deliveries')
    .description('deliveries and every attempt (time, status, latency, error), newest last')
    .option('--event <event_id>', 'of one event')
    .option('--company <id>', "of one company's endpoints")
    .action(async (opts: { event?: string; company?: string }) => {
      const deliveries = await withWebhooks((w) =>
        w.deliveries({
          ...(opts.event !== undefined ? { eventId: opts.event } : {}),
          ...(opts.company !== undefined ? { companyId: opts.company } : {}),
        }),
      );
      const shown = deliveries.map((d) => ({
        delivery_id: d.deliveryId,
        event_id: d.eventId,
        endpoint_id: d.endpointId,
        request_id: d.requestId,
        type: d.type,
        state: d.state,
        next_attempt_at: d.nextAttemptAt === null ? null : new Date(d.nextAttemptAt).toISOString(),
        attempts: d.attempts.map((a) => ({
          attempt: a.attempt,
          at: new Date(a.at).toISOString(),
          status: a.status,
          latency_ms: a.latencyMs,
          error: a.error,
        })),
      }));
      report(
        io,
        json(),
        { deliveries: shown },
        shown.length === 0
          ? 'no deliveries'
          : shown
              .map(
                (d) =>
                  `${d.delivery_id}  ${d.event_id}  ${d.type}  ${d.state}  attempts: ${d.attempts.length}` +
                  (d.attempts.length
                    ? `  last: ${String(d.attempts.at(-1)!.status ?? d.attempts.at(-1)!.error)}`
                    : ''),
              )
              .join('\n'),
      );
    });

  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  const program = buildCli(io);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (
      error instanceof UsageError ||
      error instanceof WalletOptionError ||
      error instanceof ProvisioningError ||
      error instanceof ConfigError ||
      error instanceof MasterKeyError ||
      error instanceof WebhookError
    ) {
      io.err(`omnigate: ${error.message}`);
      return 1;
    }
    io.err(`omnigate: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
