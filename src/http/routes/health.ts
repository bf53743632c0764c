import type { FastifyInstance } from 'fastify';
import { sendError } from '../errors.js';

/** Liveness (`/healthz`: the process answers) and readiness (`/readyz`: the database answers). */
export async function healthRoutes(
  app: FastifyInstance,
  deps: { isReady: () => Promise<boolean> },
): Promise<void> {
  const hidden = { schema: { hide: true } };
  app.get('/healthz', hidden, async () => ({ status: 'ok' }));
  app.get('/readyz', hidden, async (_request, reply) => {
    if (await deps.isReady()) return { status: 'ready' };
    return sendError(reply, 503, 'not_ready', 'database unreachable');
  });
}
