import { createHmac, timingSafeEqual } from 'node:crypto';
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One POST the receiver got, as it arrived on the socket. */
export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  path: string;
  /** What the receiver answered (null: it answered nothing, the connection was held). */
  answered: number | null;
}

/** How the receiver answers the next request: a status, or hold it past the time-out. */
export type Answer = number | 'hang' | { redirect: string };

/**
 * A real HTTP receiver on 127.0.0.1 that records every request and answers
 * from a script (then 204), or by a function of the request.
 */
export interface Receiver {
  url: string;
  received: Received[];
  /** Answers for the next requests, in order. */
  script: Answer[];
  /** Answer of the requests the script does not cover (default 204). */
  answer: (received: Omit<Received, 'answered'>) => Answer;
  /** Wait before each answer (widens the window two senders could overlap in). */
  delayMs: number;
  /** In-flight requests at the same time, at most, per webhook-id. */
  concurrentMax: Map<string, number>;
  close(): Promise<void>;
}

export async function startReceiver(port = 0): Promise<Receiver> {
  const inFlight = new Map<string, number>();
  const receiver: Receiver = {
    url: '',
    received: [],
    script: [],
    answer: () => 204,
    delayMs: 0,
    concurrentMax: new Map(),
    close: () => Promise.resolve(),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = String(req.headers['webhook-id']);
      const now = (inFlight.get(id) ?? 0) + 1;
      inFlight.set(id, now);
      receiver.concurrentMax.set(id, Math.max(receiver.concurrentMax.get(id) ?? 0, now));
      const got = {
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        path: req.url ?? '',
      };
      const answer = receiver.script.shift() ?? receiver.answer(got);
      const record: Received = { ...got, answered: null };
      receiver.received.push(record);
      const done = () => inFlight.set(id, (inFlight.get(id) ?? 1) - 1);
      if (answer === 'hang') {
        req.socket.once('close', done);
        return;
      }
      setTimeout(() => {
        done();
        if (typeof answer === 'object') {
          record.answered = 302;
          res.writeHead(302, { location: answer.redirect }).end();
          return;
        }
        record.answered = answer;
        res.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
      }, receiver.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  receiver.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

/** The standardwebhooks library's verdict: the parsed payload, or a thrown error. */
export function verifyWithLibrary(secret: string, received: Received): unknown {
  return new Webhook(secret).verify(received.body, {
    'webhook-id': String(received.headers['webhook-id']),
    'webhook-timestamp': String(received.headers['webhook-timestamp']),
    'webhook-signature': String(received.headers['webhook-signature']),
  });
}

/** The same check by hand with node:crypto: an independent HMAC over the raw bytes. */
export function verifyByHand(secret: string, received: Received): boolean {
  const id = String(received.headers['webhook-id']);
  const timestamp = String(received.headers['webhook-timestamp']);
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${received.body}`).digest();
  return String(received.headers['webhook-signature'])
    .split(' ')
    .some((part) => {
      const [version, signature] = part.split(',');
      const given = Buffer.from(signature ?? '', 'base64');
      return (
        version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected)
      );
    });
}

export interface EventBody {
  type: string;
  timestamp: string;
  data: Record<string, unknown> & { request_id: string; state: string; reconciled: boolean };
}

export const eventOf = (r: Received): EventBody => JSON.parse(r.body) as EventBody;
