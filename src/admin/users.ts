import { Secret } from '../core/secret.js';
import { ProvisioningError, type AuditContext } from '../provisioning/service.js';
import type { Store, User, UserRole } from '../store/index.js';
import { withoutHash } from '../store/users.js';
import {
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  generatePassword,
  hashPassword,
} from './passwords.js';

export const ROLES: readonly UserRole[] = ['admin', 'operator', 'viewer'];

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}$/;

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw new ProvisioningError(
      `the password must be ${MIN_PASSWORD_LENGTH}-${MAX_PASSWORD_LENGTH} characters`,
    );
  }
}

/**
 * Console users: created, listed, disabled and given new passwords by the CLI
 * (and the admin API); each change is an audit entry, never with a password.
 */
export class UserService {
  constructor(
    private readonly store: Store,
    private readonly by: AuditContext,
  ) {}

  async create(p: {
    email: string;
    role: string;
    companyId: string | null;
    /** Absent: one is generated and returned (shown once). */
    password?: string | undefined;
  }): Promise<{ user: User; generatedPassword: Secret<string> | null }> {
    const email = p.email.trim().toLowerCase();
    if (!EMAIL.test(email)) throw new ProvisioningError('the email must be an email address');
    if (!ROLES.includes(p.role as UserRole)) {
      throw new ProvisioningError(`role must be one of ${ROLES.join(', ')}`);
    }
    if (p.companyId !== null && !(await this.store.companies.companyExists(p.companyId))) {
      throw new ProvisioningError(`company ${p.companyId} does not exist`);
    }
    if (await this.store.users.findByEmail(email)) {
      throw new ProvisioningError(`a user with email ${email} exists`);
    }
    const generated = p.password === undefined ? generatePassword() : null;
    const password = p.password ?? generated!;
    checkPassword(password);
    const user = await this.store.users.create({
      email,
      role: p.role as UserRole,
      companyId: p.companyId,
      passwordHash: await hashPassword(password),
    });
    await this.#audit('user.create', user, {
      email,
      role: user.role,
      scope: user.companyId === null ? 'platform' : 'company',
      password: generated === null ? 'given' : 'generated',
    });
    return { user, generatedPassword: generated === null ? null : new Secret(generated) };
  }

  list(companyId?: string): Promise<User[]> {
    return this.store.users.list(companyId);
  }

  async disable(email: string): Promise<{ user: User; sessionsEnded: number }> {
    return this.disableUser(await this.#find(email));
  }

  /** Disables the user: every session of theirs ends at once. */
  async disableUser(user: User): Promise<{ user: User; sessionsEnded: number }> {
    const sessionsEnded = await this.store.users.disable(user.userId);
    await this.#audit('user.disable', user, { disabled: true, sessions_ended: sessionsEnded });
    return { user, sessionsEnded };
  }

  async setPassword(
    email: string,
    password?: string,
  ): Promise<{ user: User; generatedPassword: Secret<string> | null; sessionsEnded: number }> {
    return this.setUserPassword(await this.#find(email), password);
  }

  /** A new password (given, or generated and returned once); the user's sessions end. */
  async setUserPassword(
    user: User,
    password?: string,
  ): Promise<{ user: User; generatedPassword: Secret<string> | null; sessionsEnded: number }> {
    const generated = password === undefined ? generatePassword() : null;
    const chosen = password ?? generated!;
    checkPassword(chosen);
    const sessionsEnded = await this.store.users.setPassword(
      user.userId,
      await hashPassword(chosen),
    );
    await this.#audit('user.password', user, {
      password: generated === null ? 'given' : 'generated',
      sessions_ended: sessionsEnded,
    });
    return {
      user,
      generatedPassword: generated === null ? null : new Secret(generated),
      sessionsEnded,
    };
  }

  async #find(email: string): Promise<User> {
    const found = await this.store.users.findByEmail(email.trim().toLowerCase());
    if (!found) throw new ProvisioningError(`no user with email ${email}`);
    return withoutHash(found);
  }

  async #audit(
    action: string,
    user: User,
    changes: Record<string, string | number | boolean>,
  ): Promise<void> {
    await this.store.audit.append({
      actor: this.by.actor,
      companyId: user.companyId,
      action,
      target: user.userId,
      requestId: this.by.requestId ?? null,
      source: this.by.source ?? null,
      changes,
    });
  }
}
