import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthenticationError, ForbiddenError } from '../core/errors.js';
import type { User, UserRole } from '../store/index.js';
import type { UserRepository } from '../store/users.js';

declare module 'fastify' {
  interface FastifyRequest {
    operator?: User;
  }
}

export const SESSION_COOKIE = 'omnigate_session';
export const CSRF_HEADER = 'x-csrf-token';
/** last_seen_at is written at most this often per session. */
const TOUCH_EVERY_MS = 15_000;

export interface SessionSettings {
  idleMs: number;
  maxAgeMs: number;
  /** Production: the cookie is `Secure`. */
  secure: boolean;
}

export const newSessionToken = (): string => `ogu_${randomBytes(32).toString('base64url')}`;

/**
 * The session's CSRF token: derived from the session token, so the console can
 * ask for it again (GET /admin/v1/session) without it being stored in the clear.
 */
export const csrfTokenOf = (sessionToken: string): string =>
  createHmac('sha256', sessionToken).update('omnigate csrf').digest('base64url');

export function sessionCookie(token: string, settings: SessionSettings): string {
  return [
    `${SESSION_COOKIE}=${token}`,
    'Path=/admin',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${Math.ceil(settings.maxAgeMs / 1000)}`,
    ...(settings.secure ? ['Secure'] : []),
  ].join('; ');
}

export function clearedCookie(settings: SessionSettings): string {
  return [
    `${SESSION_COOKIE}=`,
    'Path=/admin',
    'HttpOnly',
    'SameSite=Strict',
    'Max-Age=0',
    ...(settings.secure ? ['Secure'] : []),
  ].join('; ');
}

/** The session token from the Cookie header, if it has the expected shape. */
export function sessionTokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SESSION_COOKIE) {
      const value = rest.join('=');
      return /^ogu_[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

const sameText = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * The session check of every admin route but the login: a live session
 * (server-side: not ended, user not disabled, within its idle and absolute
 * limits), and for every state-changing method the session's CSRF token in
 * `X-CSRF-Token` (a cross-site form cannot set a header; SameSite=Strict is the
 * second line).
 */
export function sessionAuth(users: UserRepository, settings: SessionSettings) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const token = sessionTokenOf(request);
    const now = Date.now();
    const session = token === undefined ? undefined : await users.findSession(token, now);
    if (token === undefined || session === undefined) {
      if (token !== undefined) reply.header('set-cookie', clearedCookie(settings));
      throw new AuthenticationError('no_session', 'login required');
    }
    if (now - session.lastSeenAt > settings.idleMs) {
      await users.endSession(token, now);
      reply.header('set-cookie', clearedCookie(settings));
      throw new AuthenticationError('no_session', 'the session expired');
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !sameText(sent, csrfTokenOf(token))) {
        throw new ForbiddenError('csrf_failed', 'missing or wrong X-CSRF-Token');
      }
    }
    if (now - session.lastSeenAt > TOUCH_EVERY_MS) await users.touchSession(token, now);
    request.operator = session.user;
  };
}

/** The user of the request's session (set by `sessionAuth`). */
export function sessionUser(request: FastifyRequest): User {
  if (!request.operator) throw new AuthenticationError('no_session', 'login required');
  return request.operator;
}

const RANK: Record<UserRole, number> = { viewer: 0, operator: 1, admin: 2 };

/** A route for `role` and above (viewer < operator < admin). */
export function requireRole(role: UserRole) {
  return async (request: FastifyRequest): Promise<void> => {
    const user = request.operator;
    if (!user) throw new AuthenticationError('no_session', 'login required');
    if (RANK[user.role] < RANK[role]) {
      throw new ForbiddenError('forbidden', `this needs the ${role} role`);
    }
  };
}

/**
 * The company a request acts on: a company user's own (whatever is asked), a
 * platform user's choice (`company_id`), or null: every company.
 */
export function companyScope(user: User, asked: string | undefined): string | null {
  if (user.companyId !== null) return user.companyId;
  return asked === undefined || asked === '' ? null : asked;
}
