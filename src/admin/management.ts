import type { FastifyInstance } from 'fastify';
import {
  ForbiddenError,
  ValidationError,
  missingField,
  unknownPaymentType,
} from '../core/errors.js';
import type { ProvisioningOption } from '../providers/types.js';
import { WALLETS } from '../providers/wallets.js';
import type { WalletInput } from '../provisioning/service.js';
import type { Environment, Store } from '../store/index.js';
import type { AddressPolicy } from '../webhooks/address.js';
import { OperatorDirectory } from './directory.js';
import { asBadRequest, provisioningFor, schemaError, text, writeCompany } from './route-kit.js';
import { requireRole, sessionUser } from './session.js';
import { userRoutes } from './user-routes.js';
import { webhookRoutes } from './webhook-routes.js';

export interface ManagementDeps {
  store: Store;
  /** Where webhook endpoints may point (checked when one is created). */
  webhookPolicy: AddressPolicy;
}

/** Secret and PEM values: a 4096-bit RSA key in PEM is about 3.3 kB. */
const MAX_FIELD_LENGTH = 16 * 1024;

/** `{"fields": {<option name>: string}}`: the values of a wallet's declared options. */
const fieldsSchema = {
  type: 'object',
  maxProperties: 32,
  propertyNames: { maxLength: 64 },
  additionalProperties: { type: 'string', maxLength: MAX_FIELD_LENGTH },
} as const;

const configBody = {
  type: 'object',
  required: ['fields'],
  additionalProperties: false,
  properties: {
    company_id: text(64),
    fields: fieldsSchema,
  },
} as const;

const typeAndEnv = {
  type: { ...text(64), minLength: 1 },
  env: { type: 'string', enum: ['test', 'prod'] },
} as const;

const optionView = (o: ProvisioningOption) => ({
  name: o.name,
  description: o.description,
  required: o.required,
  input: o.input,
  ...(o.choices ? { choices: [...o.choices] } : {}),
});

/**
 * The provisioning input of `type` from an API body's `fields`: what the CLI
 * builds from its options (src/cli/wallet-options.ts). Names the wallet does
 * not declare are refused; an empty optional value counts as not given.
 */
function walletInput(
  type: string,
  kind: 'storeOptions' | 'credentialOptions',
  fields: Readonly<Record<string, string>>,
): WalletInput {
  const wallet = WALLETS.find((w) => w.type === type);
  if (!wallet) throw unknownPaymentType(type);
  const options = wallet.credentials[kind];
  const input: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) {
    const option = options.find((o) => o.name === name);
    if (!option) {
      throw new ValidationError(
        'invalid_field',
        `fields.${name.slice(0, 64)} is not an option of type ${type}`,
      );
    }
    if (value === '') continue;
    if (option.choices && !option.choices.includes(value)) {
      throw new ValidationError(
        'invalid_field',
        `fields.${name} must be one of ${option.choices.join(', ')}`,
      );
    }
    input[name] = value;
  }
  const missing = options.find((o) => o.required && input[o.name] === undefined);
  if (missing) throw missingField(`fields.${missing.name}`);
  return input;
}

/**
 * Management through the admin API (docs/admin-api.md): payment types,
 * companies, store configurations and credentials here; users and webhook
 * endpoints in their own files. Registered inside the session-checked admin
 * plugin; every change goes through the services the CLI uses, audited as the
 * session's user.
 */
export async function managementRoutes(app: FastifyInstance, deps: ManagementDeps): Promise<void> {
  const { store } = deps;
  const directory = new OperatorDirectory(store);
  app.setSchemaErrorFormatter(schemaError);
  app.get('/admin/v1/wallets', { preValidation: requireRole('viewer') }, () =>
    WALLETS.map((w) => ({
      type: w.type,
      display_name: w.displayName,
      credential_options: w.credentials.credentialOptions.map(optionView),
      store_options: w.credentials.storeOptions.map(optionView),
    })),
  );

  app.post<{ Body: { name: string } }>(
    '/admin/v1/companies',
    {
      preValidation: requireRole('admin'),
      schema: {
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: { name: { ...text(200), minLength: 1 } },
        },
      },
    },
    async (request, reply) => {
      if (sessionUser(request).companyId !== null) {
        throw new ForbiddenError('forbidden', 'only a platform admin creates companies');
      }
      const companyId = await asBadRequest(() =>
        provisioningFor(store, request).createCompany(request.body.name),
      );
      return reply.code(201).send(await directory.company(companyId));
    },
  );

  app.put<{
    Params: { store_id: string; type: string; env: Environment };
    Body: { company_id?: string; fields: Record<string, string> };
  }>(
    '/admin/v1/stores/:store_id/configs/:type/:env',
    {
      preValidation: requireRole('admin'),
      schema: {
        params: {
          type: 'object',
          properties: { store_id: { ...text(50), minLength: 1 }, ...typeAndEnv },
        },
        body: configBody,
      },
    },
    async (request) => {
      const { store_id: storeId, type, env } = request.params;
      const companyId = await writeCompany(store, sessionUser(request), request.body.company_id);
      const input = walletInput(type, 'storeOptions', request.body.fields);
      await asBadRequest(() =>
        provisioningFor(store, request).setStore({ companyId, storeId, type, env, input }),
      );
      const [view] = await directory.stores({ companyId, storeId });
      return view;
    },
  );

  app.put<{
    Params: { type: string; env: Environment };
    Body: { company_id?: string; fields: Record<string, string> };
  }>(
    '/admin/v1/credentials/:type/:env',
    {
      preValidation: requireRole('admin'),
      schema: {
        params: { type: 'object', properties: typeAndEnv },
        body: configBody,
      },
    },
    async (request) => {
      const { type, env } = request.params;
      const companyId = await writeCompany(store, sessionUser(request), request.body.company_id);
      const input = walletInput(type, 'credentialOptions', request.body.fields);
      const { credentialId } = await asBadRequest(() =>
        provisioningFor(store, request).setCredential({ companyId, type, env, input }),
      );
      return (await directory.credentials(companyId)).find(
        (c) => c.type === type && c.env === env && c.credential_id === credentialId,
      );
    },
  );

  await app.register(userRoutes, { store });
  await app.register(webhookRoutes, deps);
}
