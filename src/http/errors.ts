import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Router from 'find-my-way';
import { DatabaseUnavailableError, GatewayError, RateLimitedError } from '../core/errors.js';

/** Options of Fastify's router that decide which paths match (app.ts passes its own). */
export type RouterOptions = Pick<Router.Config<Router.HTTPVersion.V1>, 'maxParamLength'>;

/** The body of every error the gateway itself produces. */
export interface ErrorBody {
  message: string;
  code: string;
  request_id: string;
}

export function sendError(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
): FastifyReply {
  const body: ErrorBody = { message, code, request_id: String(reply.request.id) };
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/** Framework errors that are the caller's fault, mapped to a status, a code and a clear text. */
function clientError(
  error: FastifyError,
): { status: number; code: string; message: string } | null {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'body_too_large', message: '請求內容過大 (上限 64 KiB)' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        code: 'unsupported_media_type',
        message: 'Content-Type 必須為 application/json',
      };
    default:
      break;
  }
  const status = error.statusCode ?? 0;
  if (status === 400) return { status, code: 'malformed_body', message: '請求格式錯誤' };
  if (status > 400 && status < 500) return { status, code: 'bad_request', message: error.message };
  return null;
}

/** The status, code and message any thrown thing is answered with. */
export function describeError(error: FastifyError | Error): {
  status: number;
  code: string;
  message: string;
} {
  if (error instanceof GatewayError) {
    return { status: error.status, code: error.code, message: error.message };
  }
  return (
    clientError(error as FastifyError) ?? {
      status: 500,
      code: 'internal_error',
      message: '系統發生錯誤，請稍後再試',
    }
  );
}

/**
 * Router errors raised before any route or hook runs (a path that does not
 * percent-decode, a path parameter over 200 characters): the same JSON shape.
 */
export function frameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  reply.header('x-request-id', request.id);
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    sendError(reply, 414, 'uri_too_long', '網址路徑參數過長 (上限 200 字元)');
    return;
  }
  sendError(reply, 400, 'malformed_url', '網址格式錯誤');
}

/** One place that turns every thrown thing into a JSON answer; never a stack trace. */
export function installErrorHandling(app: FastifyInstance, routerOptions: RouterOptions): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const { status, code, message } = describeError(error);
    if (error instanceof RateLimitedError || error instanceof DatabaseUnavailableError)
      reply.header('retry-after', String(error.retryAfterSeconds));
    if (status >= 500 && !(error instanceof GatewayError)) {
      request.log.error({ err: { type: error.name, code: error.code } }, 'internal error');
    }
    return sendError(reply, status, code, message);
  });
  const allowedMethods = routeTable(app, routerOptions);
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const allowed = allowedMethods(request.url);
    if (allowed.length === 0) {
      return sendError(reply, 404, 'not_found', `${request.method} ${path} 不存在`);
    }
    reply.header('allow', allowed.join(', '));
    return sendError(
      reply,
      405,
      'method_not_allowed',
      `${request.method} ${path} 不支援此方法，請使用 ${allowed.join(', ')}`,
    );
  });
}

/**
 * Records every route, as it is registered, in a second router built with the
 * same options as Fastify's (find-my-way, the router Fastify uses), so that a
 * path Fastify would route for another method answers 405 with `Allow` rather
 * than 404, decoding and parameters matched exactly as Fastify matches them.
 * Must be installed before the routes are.
 */
function routeTable(
  app: FastifyInstance,
  routerOptions: RouterOptions,
): (url: string) => Router.HTTPMethod[] {
  const shadow = Router(routerOptions);
  const methods = new Set<Router.HTTPMethod>();
  app.addHook('onRoute', (route) => {
    // A plugin's root route ('/' under a prefix, e.g. Swagger UI's /docs) is served at
    // both /prefix and /prefix/, but onRoute is told of the first only.
    const urls =
      route.routePath === '' && route.prefix !== '' ? [route.url, `${route.url}/`] : [route.url];
    for (const url of urls) {
      for (const method of [route.method].flat() as Router.HTTPMethod[]) {
        if (shadow.hasRoute(method, url)) continue;
        shadow.on(method, url, () => undefined);
        methods.add(method);
      }
    }
  });
  return (url) => {
    const allowed: Router.HTTPMethod[] = [];
    for (const method of methods) {
      try {
        if (shadow.find(method, url)) allowed.push(method);
      } catch {
        // A URL the router cannot decode is no route's.
      }
    }
    return allowed.sort();
  };
}
