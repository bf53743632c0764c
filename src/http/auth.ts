import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthenticationError, RateLimitedError } from '../core/errors.js';
import type { AbuseLimits } from '../limits/abuse-limits.js';
import type { Caller } from '../integrate/service.js';
import type { TokenRepository } from '../store/tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

const REALM = 'Bearer realm="omnigate"';

/**
 * The bearer check of every `/v1/...` route (RFC 6750). Runs before the body is
 * parsed, so an unauthenticated caller learns nothing about validation.
 */
export function bearerAuth(tokens: TokenRepository, limits: AbuseLimits) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    if (header === undefined || header.trim() === '') {
      reply.header('www-authenticate', REALM);
      throw new AuthenticationError('missing_token', 'headers缺少authorization參數');
    }
    const match = /^Bearer +([A-Za-z0-9._~+/-]+=*)$/i.exec(header.trim());
    const owner = match ? await tokens.lookup(match[1]!) : null;
    if (!owner) {
      reply.header(
        'www-authenticate',
        `${REALM}, error="invalid_token", error_description="The access token is invalid, expired or revoked"`,
      );
      throw new AuthenticationError('invalid_token', 'invalid token');
    }
    request.caller = { companyId: owner.companyId, clientId: owner.clientId };
    const verdict = await limits.call(owner.clientId);
    if (!verdict.allowed) throw new RateLimitedError(verdict.retryAfterSeconds);
  };
}
