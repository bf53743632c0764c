import type { FastifyInstance, RouteOptions } from 'fastify';

/** One line per admin route for the API reference; docs/admin-api.md has the whole contract. */
const SUMMARIES: Readonly<Record<string, string>> = {
  'POST /admin/v1/session': 'Log in: a session cookie and a CSRF token',
  'GET /admin/v1/session': 'The session: the user and its CSRF token',
  'DELETE /admin/v1/session': 'Log out',
  'GET /admin/v1/transactions': 'Transactions, newest first, filtered, cursor pages',
  'GET /admin/v1/transactions.csv': 'Transactions as a streamed CSV (UTF-8 with BOM)',
  'GET /admin/v1/transactions/:request_id': 'One transaction and its timeline',
  'POST /admin/v1/transactions/:request_id/check': 'Ask the wallet now about an unknown outcome',
  'POST /admin/v1/transactions/:request_id/refund': 'Refund part or all of a payment (operator)',
  'POST /admin/v1/transactions/:request_id/cancel': 'Cancel a payment (operator)',
  'GET /admin/v1/stats': 'Counts, amounts and latency per hour or day; the unknown backlog',
  'GET /admin/v1/audit': 'The audit log',
  'GET /admin/v1/clients': 'OAuth clients, with their last use',
  'POST /admin/v1/clients': 'Create an OAuth client (the secret is shown once)',
  'POST /admin/v1/clients/:client_id/revoke': 'Revoke a client and its tokens',
  'POST /admin/v1/clients/:client_id/rotate-secret': 'A new client secret (shown once)',
  'GET /admin/v1/credentials': 'Stored credentials: metadata and fingerprints only',
  'GET /admin/v1/companies': 'Companies',
  'GET /admin/v1/stores': 'Stores and their payment configurations',
  'GET /admin/v1/users': 'Console users (admin)',
  'GET /admin/v1/wallets': 'Payment types and the options their credential and store forms take',
  'POST /admin/v1/companies': 'Create a company (platform admin)',
  'PUT /admin/v1/stores/:store_id/configs/:type/:env':
    "Set a store's payment configuration for one type and environment",
  'PUT /admin/v1/credentials/:type/:env': 'Set a wallet credential (answered with metadata only)',
  'POST /admin/v1/users': 'Create a console user (a generated password is shown once)',
  'POST /admin/v1/users/:user_id/disable': 'Disable a user: their sessions end at once',
  'POST /admin/v1/users/:user_id/password': "Set a user's password; their sessions end",
  'GET /admin/v1/webhooks': 'Webhook endpoints (never their secrets)',
  'POST /admin/v1/webhooks': 'Create a webhook endpoint (the secret is shown once)',
  'DELETE /admin/v1/webhooks/:endpoint_id': 'Delete a webhook endpoint',
  'POST /admin/v1/webhooks/:endpoint_id/rotate-secret': 'A new endpoint secret (shown once)',
  'GET /admin/v1/webhooks/:endpoint_id/deliveries': "An endpoint's deliveries and attempts",
  'POST /admin/v1/webhooks/deliveries/:delivery_id/resend': 'Send a delivery again (operator)',
  'POST /admin/v1/webhooks/:endpoint_id/test':
    'Send a webhook.test event to one endpoint (operator)',
};

/**
 * The admin routes in the OpenAPI document (`/docs`), tagged `admin`, with the
 * session cookie as their security: every `/admin/v1` route registered after this,
 * wherever it is declared, is documented without a line of its own.
 */
export function documentAdminRoutes(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!route.url.startsWith('/admin/v1') || route.method === 'HEAD') return;
    const method = Array.isArray(route.method) ? route.method.join(',') : route.method;
    const login = route.url === '/admin/v1/session' && method === 'POST';
    route.schema = {
      ...route.schema,
      hide: false,
      tags: ['admin'],
      summary: SUMMARIES[`${method} ${route.url}`] ?? `${method} ${route.url}`,
      description:
        "The operators' API (docs/admin-api.md). A session cookie from `POST /admin/v1/session`; " +
        'every call but a GET carries its CSRF token in `X-CSRF-Token`.',
      ...(login ? {} : { security: [{ session: [] }] }),
    };
  });
}
