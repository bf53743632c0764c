import { expect } from 'vitest';

/** The password the admin tests give their console users. */
export const PASSWORD = 'correct horse battery staple';

/** A console session: its cookie (`name=value`) and CSRF token. */
export interface Login {
  cookie: string;
  csrf: string;
}

/** Logs in over the gateway's socket; the login must succeed. */
export async function adminLogin(url: string, email: string, password = PASSWORD): Promise<Login> {
  const res = await fetch(`${url}/admin/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  expect(res.status, email).toBe(200);
  const body = (await res.json()) as { csrf_token: string };
  return { cookie: res.headers.get('set-cookie')!.split(';')[0]!, csrf: body.csrf_token };
}

/**
 * An admin call: the session's cookie, its CSRF token on anything but a GET
 * (`csrf: null` leaves the header out, a string sends that one), a JSON body.
 */
export function adminFetch(
  url: string,
  method: string,
  path: string,
  options: {
    session?: Login | undefined;
    body?: unknown;
    csrf?: string | null | undefined;
    headers?: Record<string, string>;
  } = {},
): Promise<Response> {
  const { session, body } = options;
  const csrf = options.csrf === undefined ? session?.csrf : options.csrf;
  return fetch(`${url}${path}`, {
    method,
    headers: {
      ...(session ? { cookie: session.cookie } : {}),
      ...(typeof csrf === 'string' && method !== 'GET' ? { 'x-csrf-token': csrf } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}
