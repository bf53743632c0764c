/**
 * The LINE Pay stand-in, run as its own process so its CPU is neither the
 * gateway's nor the load generator's: answers `POST /v4/payments/oneTimeKeys/pay`
 * (and `/v2/…`) with one fixed JSON answer, a success whose `info.transactionId`
 * is a bare 19-digit number above 2^63, as LINE sends it. It reads nothing of
 * the request and checks no HMAC: it costs as little as a server can.
 *
 *   node --import tsx bench/lib/line-stub.ts      → prints {"port":N}
 */
import { serveFixedAnswer } from './fixed-answer-server.js';

/** 19 digits above 2^63: a float would round it, so the gateway must keep it as text. */
const TRANSACTION_ID = '9223372036854775808';

// Written by hand: JSON.stringify cannot write a bare number of 19 digits exactly.
const body = Buffer.from(
  '{"returnCode":"0000","returnMessage":"Success.","info":{' +
    `"transactionId":${TRANSACTION_ID},"orderId":"BENCH","transactionDate":"2026-12-01T08:00:00Z",` +
    '"payInfo":[{"method":"BALANCE","amount":10}],"paymentProvider":"TSP"}}',
  'utf8',
);
const headers = {
  'content-type': 'application/json; charset=utf-8',
  'content-length': String(body.length),
};
const PAY = /^\/v[24]\/payments\/oneTimeKeys\/pay$/;

serveFixedAnswer((method, url) => method === 'POST' && PAY.test(url), headers, body);
