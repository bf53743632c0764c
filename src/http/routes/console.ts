import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from '../errors.js';

/**
 * The console's headers: its only script and stylesheet are its own files, it talks to its
 * own origin only, and no other site may frame it (docs/console.md).
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
} as const;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** A built file's name: no path, a known type (the build writes nothing else). */
const FILE = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.(html|js|css|svg)$/;
/** Names carrying a content hash never change: browsers may keep them. */
const HASHED = /-[A-Z0-9]{8}\.(js|css)$/;

/**
 * Where `npm run build` put the console: dist/console beside the server bundle
 * (dist/omnigate.mjs), or, when the gateway runs from the sources, the checkout's dist/console.
 */
export function defaultConsoleDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const beside = join(here, 'console');
  return existsSync(join(beside, 'index.html')) ? beside : resolve(here, '../../../dist/console');
}

/**
 * `/console/`: the console's built files (scripts/build-console.mjs), read from `dir` when
 * asked (a rebuild needs no restart), the gzip twin to a browser that accepts it.
 */
export async function consoleRoutes(app: FastifyInstance, opts: { dir: string }): Promise<void> {
  const hidden = { schema: { hide: true } };

  async function send(request: FastifyRequest, reply: FastifyReply, name: string) {
    reply.headers(SECURITY_HEADERS);
    const extension = name.slice(name.lastIndexOf('.'));
    const gzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
    let body: Buffer;
    let encoded = false;
    try {
      if (gzip) {
        try {
          body = await readFile(join(opts.dir, `${name}.gz`));
          encoded = true;
        } catch {
          body = await readFile(join(opts.dir, name));
        }
      } else {
        body = await readFile(join(opts.dir, name));
      }
    } catch {
      if (name !== 'index.html')
        return sendError(reply, 404, 'not_found', `/console/${name} 不存在`);
      reply.header('cache-control', 'no-store');
      return sendError(
        reply,
        503,
        'console_not_built',
        'the console is not built: run `npm run build` (npm start does it)',
      );
    }
    reply.type(TYPES[extension]!).header('vary', 'accept-encoding');
    if (encoded) reply.header('content-encoding', 'gzip');
    reply.header(
      'cache-control',
      HASHED.test(name) ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
    return reply.send(body);
  }

  app.get('/console', hidden, async (_request, reply) => {
    reply.headers(SECURITY_HEADERS);
    return reply.redirect('/console/', 301);
  });
  app.get('/console/', hidden, (request, reply) => send(request, reply, 'index.html'));
  app.get<{ Params: { file: string } }>('/console/:file', hidden, (request, reply) => {
    const name = request.params.file;
    if (!FILE.test(name)) {
      reply.headers(SECURITY_HEADERS);
      return sendError(reply, 404, 'not_found', `/console/${name.slice(0, 64)} 不存在`);
    }
    return send(request, reply, name);
  });
}
