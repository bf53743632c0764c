import type { SessionAnswer } from './types.js';

/** An answer of the admin API that is not a success, or no answer at all (status 0). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null,
  ) {
    super(message);
  }
}

export type Query = Record<string, string | number | undefined | null>;

const BASE = '/admin/v1';

/** `?a=1&b=2` without the empty values; '' when none is left. */
export function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** A fresh UUID (v4) for an Idempotency-Key; crypto.randomUUID needs a secure context, this does not. */
export function newIdempotencyKey(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The admin API over fetch, same origin: the session cookie (HttpOnly, Path=/admin) goes by
 * itself; the CSRF token, kept in memory only, goes as X-CSRF-Token on every non-GET.
 */
export class AdminApi {
  #csrf: string | null = null;
  /** Called when a call finds the session gone (401), so the console shows the login. */
  onSessionLost: () => void = () => undefined;

  url(path: string, query?: Query): string {
    return `${BASE}${path}${queryString(query)}`;
  }

  async #call<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    init: { query?: Query; body?: unknown; idempotencyKey?: string; quiet401?: boolean } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (method !== 'GET') {
      if (this.#csrf !== null) headers['x-csrf-token'] = this.#csrf;
      if (init.idempotencyKey !== undefined) headers['idempotency-key'] = init.idempotencyKey;
    }
    let body: string | undefined;
    if (init.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.body);
    }
    let res: Response;
    try {
      res = await fetch(this.url(path, init.query), {
        method,
        headers,
        body,
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, 'network', 'network', null);
    }
    const requestId = res.headers.get('x-request-id');
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      parsed = null;
    }
    if (!res.ok) {
      const error = (parsed ?? {}) as { code?: unknown; message?: unknown };
      const code = typeof error.code === 'string' ? error.code : `http_${res.status}`;
      const message = typeof error.message === 'string' ? error.message : res.statusText;
      if (res.status === 401 && code === 'no_session' && !init.quiet401) {
        this.#csrf = null;
        this.onSessionLost();
      }
      throw new ApiError(res.status, code, message, requestId);
    }
    return parsed as T;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.#call<T>('GET', path, query === undefined ? {} : { query });
  }

  send<T>(
    method: 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
    idempotencyKey?: string,
  ): Promise<T> {
    return this.#call<T>(method, path, {
      ...(body === undefined ? {} : { body }),
      ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    });
  }

  /** The session after a reload: null when there is none (the login is shown). */
  async resume(): Promise<SessionAnswer | null> {
    try {
      const session = await this.#call<SessionAnswer>('GET', '/session', { quiet401: true });
      this.#csrf = session.csrf_token;
      return session;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return null;
      throw error;
    }
  }

  async login(email: string, password: string): Promise<SessionAnswer> {
    const session = await this.#call<SessionAnswer>('POST', '/session', {
      body: { email, password },
      quiet401: true,
    });
    this.#csrf = session.csrf_token;
    return session;
  }

  async logout(): Promise<void> {
    try {
      await this.#call<undefined>('DELETE', '/session', { quiet401: true });
    } finally {
      this.#csrf = null;
    }
  }
}

export const api = new AdminApi();
