import { randomBytes } from 'node:crypto';
import { sha256 } from '../core/ids.js';
import type { Db } from './database.js';
import type { UserRole, UsersTable } from './schema.js';

export type { UserRole };

export interface User {
  userId: string;
  email: string;
  role: UserRole;
  /** null: a platform user. */
  companyId: string | null;
  disabledAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** A user with the stored password hash: only the password check reads it. */
export interface UserWithHash extends User {
  passwordHash: string;
}

export interface SessionOwner {
  user: User;
  csrfHash: string;
  lastSeenAt: number;
  expiresAt: number;
}

const newUserId = (): string => `usr_${randomBytes(9).toString('base64url')}`;

function toUser(row: UsersTable): UserWithHash {
  return {
    userId: row.id,
    email: row.email,
    role: row.role,
    companyId: row.company_id,
    disabledAt: row.disabled_at === null ? null : Number(row.disabled_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    passwordHash: row.password_hash,
  };
}

/** The user without the password hash. */
export const withoutHash = (u: UserWithHash): User => ({
  userId: u.userId,
  email: u.email,
  role: u.role,
  companyId: u.companyId,
  disabledAt: u.disabledAt,
  createdAt: u.createdAt,
  updatedAt: u.updatedAt,
});

/** Console users and their server-side sessions. */
export class UserRepository {
  constructor(private readonly db: Db) {}

  async create(
    user: { email: string; role: UserRole; companyId: string | null; passwordHash: string },
    now = Date.now(),
  ): Promise<User> {
    const row: UsersTable = {
      id: newUserId(),
      email: user.email,
      role: user.role,
      company_id: user.companyId,
      password_hash: user.passwordHash,
      disabled_at: null,
      created_at: now,
      updated_at: now,
    };
    await this.db.insertInto('users').values(row).execute();
    return withoutHash(toUser(row));
  }

  async findByEmail(email: string): Promise<UserWithHash | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', email)
      .executeTakeFirst();
    return row && toUser(row);
  }

  async findById(userId: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', userId)
      .executeTakeFirst();
    return row && withoutHash(toUser(row));
  }

  async list(companyId?: string): Promise<User[]> {
    let query = this.db.selectFrom('users').selectAll();
    if (companyId !== undefined) query = query.where('company_id', '=', companyId);
    const rows = await query.orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => withoutHash(toUser(r)));
  }

  /** Disables the user and ends every session of theirs, in one transaction. */
  async disable(userId: string, now = Date.now()): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('users')
        .set({ disabled_at: now, updated_at: now })
        .where('id', '=', userId)
        .where('disabled_at', 'is', null)
        .execute();
      const ended = await trx
        .updateTable('sessions')
        .set({ revoked_at: now })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(ended.numUpdatedRows);
    });
  }

  /** Replaces the password hash and ends every session of the user. */
  async setPassword(userId: string, passwordHash: string, now = Date.now()): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('users')
        .set({ password_hash: passwordHash, updated_at: now })
        .where('id', '=', userId)
        .execute();
      const ended = await trx
        .updateTable('sessions')
        .set({ revoked_at: now })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(ended.numUpdatedRows);
    });
  }

  async openSession(
    session: { token: string; csrfToken: string; userId: string; expiresAt: number },
    now = Date.now(),
  ): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({
        token_hash: sha256(session.token),
        user_id: session.userId,
        csrf_hash: sha256(session.csrfToken),
        created_at: now,
        last_seen_at: now,
        expires_at: session.expiresAt,
        revoked_at: null,
      })
      .execute();
  }

  /** The live session's owner: not revoked, not past its absolute end, user not disabled. */
  async findSession(token: string, now = Date.now()): Promise<SessionOwner | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('users')
      .select([
        'sessions.csrf_hash',
        'sessions.last_seen_at',
        'sessions.expires_at',
        'sessions.revoked_at',
      ])
      .where('sessions.token_hash', '=', sha256(token))
      .executeTakeFirst();
    if (!row || row.revoked_at !== null || row.disabled_at !== null) return undefined;
    if (Number(row.expires_at) <= now) return undefined;
    return {
      user: withoutHash(toUser(row)),
      csrfHash: row.csrf_hash,
      lastSeenAt: Number(row.last_seen_at),
      expiresAt: Number(row.expires_at),
    };
  }

  async touchSession(token: string, now = Date.now()): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ last_seen_at: now })
      .where('token_hash', '=', sha256(token))
      .execute();
  }

  async endSession(token: string, now = Date.now()): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ revoked_at: now })
      .where('token_hash', '=', sha256(token))
      .where('revoked_at', 'is', null)
      .execute();
  }
}
