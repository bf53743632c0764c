import type { FastifyRequest, FastifySchemaValidationError } from 'fastify';
import { NotFoundError, ValidationError, invalidField, missingField } from '../core/errors.js';
import { CredentialInputError } from '../providers/types.js';
import { WALLETS } from '../providers/wallets.js';
import {
  type AuditContext,
  ProvisioningError,
  ProvisioningService,
} from '../provisioning/service.js';
import type { Store, User } from '../store/index.js';
import { WebhookError } from '../webhooks/endpoints.js';
import { companyScope, sessionUser } from './session.js';

/**
 * Text a query, path or body may carry: bounded, and never NUL, which PostgreSQL cannot
 * hold in text (a NUL reaching it is a failed statement, not a row that does not match).
 */
export const text = (maxLength: number) =>
  ({ type: 'string', maxLength, pattern: '^[^\\u0000]*$' }) as const;

/** Who makes a change through the admin API, for the audit log: the user, the call, the address. */
export const changedBy = (request: FastifyRequest): AuditContext => ({
  actor: `user:${sessionUser(request).userId}`,
  requestId: request.id,
  source: request.ip,
});

/** The provisioning service (the CLI's) making changes as this request's user, audited as such. */
export const provisioningFor = (store: Store, request: FastifyRequest): ProvisioningService =>
  new ProvisioningService(store, WALLETS, changedBy(request));

/**
 * A schema refusal as the gateway's own 400: `missing_field` or `invalid_field`
 * naming the field (`fields.aes-key`, `env`), like the Integrate API's messages.
 */
export function schemaError(errors: FastifySchemaValidationError[]): Error {
  const first = errors[0];
  if (!first) return new ValidationError('malformed_body', '請求格式錯誤');
  const path = first.instancePath.split('/').filter(Boolean).join('.');
  if (first.keyword === 'required') {
    const missing = String(first.params.missingProperty);
    return missingField(path === '' ? missing : `${path}.${missing}`);
  }
  if (first.keyword === 'type' && path === '') {
    return new ValidationError('malformed_body', '請求格式錯誤');
  }
  return invalidField(path === '' ? 'body' : path);
}

/** A route whose body may be left out: none is taken as `{}` (Fastify would refuse it). */
export async function optionalBody(request: FastifyRequest): Promise<void> {
  request.body ??= {};
}

/**
 * Whether the user may see an object of `companyId` (a platform user sees every company;
 * a company user never sees a platform-wide object, `null`).
 */
export const sees = (user: User, companyId: string | null): boolean =>
  user.companyId === null || user.companyId === companyId;

/**
 * The company a write acts on: a company user's own, whatever is asked; a
 * platform user's `company_id`, which must then be given and must exist.
 */
export async function writeCompany(
  store: Pick<Store, 'companies'>,
  user: User,
  asked: string | undefined,
): Promise<string> {
  const companyId = companyScope(user, asked);
  if (companyId === null) throw missingField('company_id');
  if (!(await store.companies.companyExists(companyId))) {
    throw new NotFoundError(`company ${companyId.slice(0, 64)} not found`);
  }
  return companyId;
}

/** Refusals of the services the CLI shares (provisioning, wallets, webhooks): 400 with their message. */
export async function asBadRequest<T>(change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } catch (error) {
    if (
      error instanceof ProvisioningError ||
      error instanceof CredentialInputError ||
      error instanceof WebhookError
    ) {
      throw new ValidationError('invalid_field', error.message);
    }
    throw error;
  }
}
