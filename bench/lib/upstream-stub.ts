/**
 * The upstream stand-in, run as its own process so its CPU is neither the
 * gateway's nor the load generator's: answers `POST …/Pos/DeductCancelICPOF`
 * with one answer, signed and encrypted once by the bench (no per-request crypto).
 *
 *   BENCH_STUB_BODY=<base64 of the raw body> BENCH_STUB_SIGNATURE=<base64> \
 *     node --import tsx bench/lib/upstream-stub.ts      → prints {"port":N}
 */
import { createServer } from 'node:http';

const body = Buffer.from(process.env.BENCH_STUB_BODY ?? '', 'base64');
const signature = process.env.BENCH_STUB_SIGNATURE ?? '';
if (body.length === 0 || signature === '') {
  process.stderr.write('BENCH_STUB_BODY and BENCH_STUB_SIGNATURE are required\n');
  process.exit(2);
}
const headers = {
  'content-type': 'application/json; charset=utf-8',
  'content-length': String(body.length),
  'x-icp-signature': signature,
};

const server = createServer((request, response) => {
  // Drain the form body first: the gateway's keep-alive connection is then reusable.
  request.resume();
  request.once('end', () => {
    if (request.method === 'POST' && request.url?.endsWith('/Pos/DeductCancelICPOF')) {
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
