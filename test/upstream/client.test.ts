import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusVerdict, UpstreamClient } from '../../src/upstream/client.js';

/** The shared upstream client against a real local server. */

let server: Server;
let origin: string;
let client: UpstreamClient;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.url === '/echo') {
        res.writeHead(201, {
          'x-echo-method': req.method ?? '',
          'content-type': 'application/octet-stream',
        });
        res.end(Buffer.concat([Buffer.from([0xff, 0x00]), body]));
      } else if (req.url === '/slow') {
        setTimeout(() => res.end('late'), 500);
      } else if (req.url === '/big') {
        res.end(Buffer.alloc(2048, 0x61));
      } else if (req.url === '/drop') {
        req.socket.destroy();
      } else res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = new UpstreamClient({ timeoutMs: 5_000, maxAnswerBytes: 1024 });
});

afterAll(async () => {
  await client.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('UpstreamClient', () => {
  it('answered: any status, the headers, the raw body bytes', async () => {
    const outcome = await client.send({
      origin,
      path: '/echo',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(outcome).toMatchObject({
      kind: 'answered',
      status: 201,
      headers: { 'x-echo-method': 'POST' },
    });
    if (outcome.kind === 'answered')
      expect(outcome.body).toEqual(Buffer.from('\xff\x00{"a":1}', 'latin1'));
  });

  it('the deadline is chosen per call', async () => {
    const slow = { origin, path: '/slow', method: 'GET' as const, headers: {} };
    expect(await client.send({ ...slow, timeoutMs: 50 })).toMatchObject({
      kind: 'unknown',
      reason: 'TimeoutError',
    });
    expect(await client.send(slow)).toMatchObject({ kind: 'answered', status: 200 });
  });

  it('an answer past the size limit is untrusted', async () => {
    expect(await client.send({ origin, path: '/big', method: 'GET', headers: {} })).toMatchObject({
      kind: 'untrusted',
      reason: 'answer too large',
    });
  });

  it('a dropped connection is unknown; a refused one not_sent', async () => {
    expect((await client.send({ origin, path: '/drop', method: 'GET', headers: {} })).kind).toBe(
      'unknown',
    );
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(
      await client.send({
        origin: `http://127.0.0.1:${port}`,
        path: '/',
        method: 'GET',
        headers: {},
      }),
    ).toMatchObject({ kind: 'not_sent', reason: 'ECONNREFUSED' });
  });

  it('statusVerdict: 200 none, 5xx unknown, others untrusted', () => {
    expect(statusVerdict(200, 1)).toBeUndefined();
    expect(statusVerdict(503, 1)).toMatchObject({ kind: 'unknown', httpStatus: 503 });
    expect(statusVerdict(302, 1)).toMatchObject({ kind: 'untrusted', httpStatus: 302 });
  });
});
