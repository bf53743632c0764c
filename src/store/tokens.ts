import { newAccessToken, sha256 } from '../core/ids.js';
import { Secret } from '../core/secret.js';
import type { Db } from './database.js';
import type { RequestStatements } from './statements.js';

export interface TokenOwner {
  clientId: string;
  companyId: string;
  scope: string;
  expiresAt: number;
}

interface OwnerRow {
  client_id: string;
  company_id: string;
  scope: string;
  expires_at: number;
  revoked_at: number | null;
  client_revoked_at: number | null;
}

const LOOKUP_SQL =
  'select t.client_id, t.company_id, t.scope, t.expires_at, t.revoked_at, c.revoked_at as client_revoked_at ' +
  'from tokens t inner join clients c on c.id = t.client_id where t.token_hash = ?';

/** Opaque bearer tokens; only their SHA-256 is stored and looked up. */
export class TokenRepository {
  constructor(
    private readonly db: Db,
    private readonly statements: RequestStatements,
  ) {}

  async issue(
    owner: { clientId: string; companyId: string; scope: string },
    ttlSeconds: number,
    now = Date.now(),
  ): Promise<{ token: Secret<string>; expiresAt: number }> {
    const token = newAccessToken();
    const expiresAt = now + ttlSeconds * 1000;
    await this.db
      .insertInto('tokens')
      .values({
        token_hash: sha256(token),
        client_id: owner.clientId,
        company_id: owner.companyId,
        scope: owner.scope,
        expires_at: expiresAt,
        revoked_at: null,
        created_at: now,
      })
      .execute();
    // The operators' "last use" of the client (docs/operations.md §2).
    await this.db
      .updateTable('clients')
      .set({ last_used_at: now })
      .where('id', '=', owner.clientId)
      .execute();
    return { token: new Secret(token), expiresAt };
  }

  /** The owner of a live token; null when unknown, expired, revoked or its client is revoked. */
  async lookup(token: string, now = Date.now()): Promise<TokenOwner | null> {
    const row = await this.statements.get<OwnerRow>(LOOKUP_SQL, [sha256(token)]);
    if (!row || row.revoked_at !== null || row.client_revoked_at !== null) return null;
    if (row.expires_at <= now) return null;
    return {
      clientId: row.client_id,
      companyId: row.company_id,
      scope: row.scope,
      expiresAt: row.expires_at,
    };
  }

  /** RFC 7009: revoking an unknown token is not an error. Only the owner's client may revoke. */
  async revoke(token: string, clientId: string, now = Date.now()): Promise<void> {
    await this.db
      .updateTable('tokens')
      .set({ revoked_at: now })
      .where('token_hash', '=', sha256(token))
      .where('client_id', '=', clientId)
      .where('revoked_at', 'is', null)
      .execute();
  }

  async deleteExpired(before: number): Promise<number> {
    const result = await this.db
      .deleteFrom('tokens')
      .where('expires_at', '<', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
