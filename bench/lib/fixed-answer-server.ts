import { createServer } from 'node:http';

/**
 * The stand-ins' one server: answers every request `matches` accepts with the
 * same prepared status-200 answer, 404 otherwise; prints `{"port":N}` once
 * listening; stops on SIGTERM or SIGINT.
 */
export function serveFixedAnswer(
  matches: (method: string, url: string) => boolean,
  headers: Record<string, string>,
  body: Buffer,
): void {
  const server = createServer((request, response) => {
    // Drain the body first: the gateway's keep-alive connection is then reusable.
    request.resume();
    request.once('end', () => {
      if (matches(request.method ?? '', request.url ?? '')) {
        response.writeHead(200, headers).end(body);
      } else {
        response.writeHead(404, { 'content-length': '0' }).end();
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    process.stdout.write(`${JSON.stringify({ port })}\n`);
  });
  const stop = (): void => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
