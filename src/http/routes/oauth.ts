import type {} from '@fastify/swagger';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { describeError } from '../errors.js';
import { CLIENT_ID } from '../../core/ids.js';
import type { AbuseLimits } from '../../limits/abuse-limits.js';
import type { ClientIdentity, CompanyRepository } from '../../store/companies.js';
import type { TokenRepository } from '../../store/tokens.js';

export interface OAuthDeps {
  limits: AbuseLimits;
  companies: CompanyRepository;
  tokens: TokenRepository;
  tokenTtlSeconds: number;
}

type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'too_many_requests';

const DESCRIPTIONS: Record<OAuthErrorCode, string> = {
  too_many_requests: 'Too many failed attempts; retry later',
  invalid_request: 'The request is missing a parameter or is malformed',
  invalid_client: 'Client authentication failed',
  unsupported_grant_type: 'Only grant_type=client_credentials is supported',
  invalid_scope: 'The only scope is "api"',
};

class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description = DESCRIPTIONS[error],
    readonly retryAfterSeconds?: number,
  ) {
    super(description);
  }
}

/** RFC 6749 §5.2 error bodies, with the request id beside them. */
function sendOAuthError(
  reply: FastifyReply,
  err: OAuthError,
  basic: boolean,
  httpStatus?: number,
): FastifyReply {
  const status =
    httpStatus ??
    (err.error === 'invalid_client' ? 401 : err.error === 'too_many_requests' ? 429 : 400);
  if (err.retryAfterSeconds !== undefined)
    reply.header('retry-after', String(err.retryAfterSeconds));
  if (status === 401)
    reply.header('www-authenticate', basic ? 'Basic realm="omnigate"' : 'Bearer realm="omnigate"');
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .send({
      error: err.error,
      error_description: err.description,
      request_id: String(reply.request.id),
    });
}

function formParams(request: FastifyRequest): Record<string, string> {
  const body = request.body;
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new OAuthError('invalid_request');
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (typeof value !== 'string')
      throw new OAuthError('invalid_request', `${key} must be a string`);
    params[key] = value;
  }
  return params;
}

interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  basic: boolean;
}

/** Client credentials from HTTP Basic (RFC 6749 §2.3.1) or from the body, never both. */
function clientCredentials(
  request: FastifyRequest,
  params: Record<string, string>,
): ClientCredentials {
  const header = request.headers.authorization;
  const inBody = params.client_id !== undefined || params.client_secret !== undefined;
  if (header !== undefined) {
    const match = /^Basic +([A-Za-z0-9+/]+=*)$/i.exec(header.trim());
    if (!match || inBody)
      throw new OAuthError('invalid_request', 'Use either HTTP Basic or body credentials');
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new OAuthError('invalid_client');
    try {
      return {
        clientId: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')),
        clientSecret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')),
        basic: true,
      };
    } catch {
      throw new OAuthError('invalid_client');
    }
  }
  if (!params.client_id || !params.client_secret) {
    throw new OAuthError('invalid_request', 'client_id and client_secret are required');
  }
  return { clientId: params.client_id, clientSecret: params.client_secret, basic: false };
}

/** Checks the client's secret, refusing at once while too many attempts failed. */
async function authenticate(
  deps: OAuthDeps,
  creds: ClientCredentials,
  address: string,
): Promise<ClientIdentity> {
  const clientKey = creds.clientId.slice(0, 200);
  const verdict = await deps.limits.tokenAttemptAllowed(clientKey, address);
  if (!verdict.allowed) {
    throw new OAuthError('too_many_requests', undefined, verdict.retryAfterSeconds);
  }
  const identity =
    !CLIENT_ID.test(creds.clientId) || creds.clientSecret.length > 200
      ? null
      : await deps.companies.verifyClient(creds.clientId, creds.clientSecret);
  if (!identity) {
    await deps.limits.tokenFailed(clientKey, address);
    throw new OAuthError('invalid_client');
  }
  return identity;
}

/** `/oauth/v1/token` (client credentials) and `/oauth/v1/revoke` (RFC 7009). */
export async function oauthRoutes(app: FastifyInstance, deps: OAuthDeps): Promise<void> {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 8192 },
    (_request, body, done) => {
      const params = new URLSearchParams(body as string);
      const out: Record<string, string> = {};
      for (const [key, value] of params) {
        if (key in out) {
          done(Object.assign(new Error('duplicate parameter'), { statusCode: 400 }), undefined);
          return;
        }
        out[key] = value;
      }
      done(null, out);
    },
  );

  // The framework's own refusals on these routes (unreadable or oversized body, media type)
  // keep the RFC 6749 shape; anything else goes to the application's handler.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status } = describeError(error);
    if (status >= 500 || status < 400) throw error;
    const description =
      status === 413
        ? 'The request body is too large'
        : status === 415
          ? 'Content-Type must be application/x-www-form-urlencoded or application/json'
          : 'The request body is malformed';
    return sendOAuthError(
      reply,
      new OAuthError('invalid_request', description),
      /^Basic /i.test(request.headers.authorization ?? ''),
      status,
    );
  });

  const handle =
    (fn: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      try {
        return await fn(request, reply);
      } catch (error) {
        if (error instanceof OAuthError) {
          return sendOAuthError(reply, error, /^Basic /i.test(request.headers.authorization ?? ''));
        }
        throw error;
      }
    };

  app.post(
    '/oauth/v1/token',
    {
      schema: {
        summary: 'Issue an access token (OAuth 2.0 client credentials)',
        tags: ['auth'],
        description:
          'Form-urlencoded (or JSON) body: grant_type=client_credentials, client_id, client_secret, ' +
          'optional scope=api. Client credentials may instead come in an HTTP Basic header.',
      },
    },
    handle(async (request, reply) => {
      const params = formParams(request);
      const creds = clientCredentials(request, params);
      if (!params.grant_type) throw new OAuthError('invalid_request', 'grant_type is required');
      if (params.grant_type !== 'client_credentials')
        throw new OAuthError('unsupported_grant_type');
      const scope = params.scope === undefined || params.scope === '' ? 'api' : params.scope;
      if (scope !== 'api') throw new OAuthError('invalid_scope');
      const identity = await authenticate(deps, creds, request.ip);
      const { token } = await deps.tokens.issue({ ...identity, scope }, deps.tokenTtlSeconds);
      return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send({
        access_token: token.reveal(),
        token_type: 'Bearer',
        expires_in: deps.tokenTtlSeconds,
        scope,
      });
    }),
  );

  app.post(
    '/oauth/v1/revoke',
    {
      schema: {
        summary: 'Revoke an access token (RFC 7009)',
        tags: ['auth'],
        description:
          'Form body: token, optional token_type_hint; client credentials as for /token.',
      },
    },
    handle(async (request, reply) => {
      const params = formParams(request);
      const creds = clientCredentials(request, params);
      if (!params.token) throw new OAuthError('invalid_request', 'token is required');
      const identity = await authenticate(deps, creds, request.ip);
      await deps.tokens.revoke(params.token, identity.clientId);
      return reply.header('cache-control', 'no-store').send({});
    }),
  );
}
