/**
 * The upstream stand-in, run as its own process so its CPU is neither the
 * gateway's nor the load generator's: answers `POST …/Pos/DeductCancelICPOF`
 * with one answer, signed and encrypted once by the bench (no per-request crypto).
 *
 *   BENCH_STUB_BODY=<base64 of the raw body> BENCH_STUB_SIGNATURE=<base64> \
 *     node --import tsx bench/lib/upstream-stub.ts      → prints {"port":N}
 */
import { serveFixedAnswer } from './fixed-answer-server.js';

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

serveFixedAnswer(
  (method, url) => method === 'POST' && url.endsWith('/Pos/DeductCancelICPOF'),
  headers,
  body,
);
