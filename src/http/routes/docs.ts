import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/**
 * The API reference: `/openapi.json` (the document @fastify/swagger builds from
 * the route schemas) and `/docs`, Swagger UI over it. The UI's scripts and
 * styles are served from the package itself (`/docs/static/…`): no CDN, so the
 * page works offline. "Authorize" takes a bearer token from `POST
 * /oauth/v1/token`; "Try it out" then sends it with every call.
 */
export async function docsRoutes(app: FastifyInstance): Promise<void> {
  const hidden = { schema: { hide: true } };
  app.get('/openapi.json', hidden, async () => app.swagger());
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    theme: { title: 'omnigate API reference' },
    validatorUrl: false,
    uiConfig: {
      // No badge from validator.swagger.io: nothing leaves the machine.
      validatorUrl: null,
      docExpansion: 'list',
      deepLinking: true,
      // The token stays in the page's memory only, not in localStorage.
      persistAuthorization: false,
      tryItOutEnabled: false,
      displayRequestDuration: true,
    },
    // Only the script and styles the package ships, from this origin.
    staticCSP:
      "default-src 'self'; base-uri 'self'; img-src 'self' data:; object-src 'none'; " +
      "script-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'",
  });
}
