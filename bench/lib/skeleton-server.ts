/**
 * The cancel's unavoidable work and nothing else, for comparison with the
 * gateway (`npm run bench -- --modes skeleton`): a Fastify route, three indexed
 * reads and two ledger writes on a SQLite file (WAL, synchronous=NORMAL), the
 * request's AES encryption and RSA-2048 signature, one undici call to the same
 * upstream stand-in, the answer's signature check and decryption, a JSON answer.
 * No authentication, validation, provider abstraction, idempotency, logging or
 * rich ledger: what a gateway could cost if it did only the cryptography and I/O.
 *
 *   BENCH_SKELETON_KEYS=<JSON of the merchant keys> BENCH_SKELETON_UPSTREAM=<url> \
 *     node --import tsx bench/lib/skeleton-server.ts      → prints {"url":"http://…"}
 */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  randomUUID,
  sign,
  verify,
} from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import Fastify from 'fastify';
import { Agent } from 'undici';

interface Keys {
  encKeyId: string;
  aesKey: string;
  aesIv: string;
  clientPrivateKeyPem: string;
  serverPublicKeyPem: string;
}
const keys = JSON.parse(process.env.BENCH_SKELETON_KEYS ?? '{}') as Keys;
const upstream = new URL(process.env.BENCH_SKELETON_UPSTREAM ?? '');
const clientKey = createPrivateKey(keys.clientPrivateKeyPem);
const serverKey = createPublicKey(keys.serverPublicKeyPem);
const aesKey = Buffer.from(keys.aesKey, 'ascii');
const aesIv = Buffer.from(keys.aesIv, 'ascii');

const db = new SQLite(join(mkdtempSync(join(tmpdir(), 'omnigate-skeleton-')), 'skeleton.sqlite'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(`
  create table config (id text primary key, value text not null);
  insert into config values ('token', 'company'), ('store', 'platform'), ('keys', 'set');
  create table ledger (request_id text primary key, trade_no text not null, state text not null,
    rtn_code integer, created_at integer not null, updated_at integer not null);`);
const read = db.prepare('select value from config where id = ?');
const open = db.prepare(
  "insert into ledger (request_id, trade_no, state, created_at, updated_at) values (?, ?, 'pending', ?, ?)",
);
const complete = db.prepare(
  'update ledger set state = ?, rtn_code = ?, updated_at = ? where request_id = ?',
);

const agent = new Agent({ connections: 64 });
const path = `${upstream.pathname}/Pos/DeductCancelICPOF`;

function callUpstream(body: string, signature: string): Promise<{ raw: Buffer; sig: string }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let sig = '';
    agent.dispatch(
      {
        origin: upstream.origin,
        path,
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'X-iCP-EncKeyID': keys.encKeyId,
          'X-iCP-Signature': signature,
        },
        body,
      },
      {
        onRequestStart() {},
        onResponseStart(_c, _status, headers) {
          const header = headers['x-icp-signature'];
          sig = Array.isArray(header) ? (header[0] ?? '') : (header ?? '');
        },
        onResponseData(_c, chunk) {
          chunks.push(chunk);
        },
        onResponseEnd() {
          resolve({ raw: Buffer.concat(chunks), sig });
        },
        onResponseError(_c, error) {
          reject(error);
        },
      },
    );
  });
}

const app = Fastify();
app.post('/v1/payment/integrate/cancel', async (request) => {
  const body = request.body as { request: { MerchantTradeNo: string } };
  read.get('token');
  read.get('store');
  read.get('keys');
  const requestId = randomUUID();
  const now = Date.now();
  open.run(requestId, body.request.MerchantTradeNo, now, now);
  const cipher = createCipheriv('aes-256-cbc', aesKey, aesIv);
  const encData = Buffer.concat([
    cipher.update(JSON.stringify(body.request), 'utf8'),
    cipher.final(),
  ]).toString('base64');
  const signature = sign('sha256', Buffer.from(encData, 'utf8'), clientKey).toString('base64');
  const { raw, sig } = await callUpstream(`EncData=${encodeURIComponent(encData)}`, signature);
  if (!verify('sha256', raw, serverKey, Buffer.from(sig, 'base64'))) throw new Error('signature');
  const answer = JSON.parse(raw.toString('utf8')) as { EncData: string; RtnCode: number };
  const decipher = createDecipheriv('aes-256-cbc', aesKey, aesIv);
  const plain = Buffer.concat([
    decipher.update(Buffer.from(answer.EncData, 'base64')),
    decipher.final(),
  ]).toString('utf8');
  complete.run('succeeded', answer.RtnCode, Date.now(), requestId);
  return { ...(JSON.parse(plain) as object), RtnCode: answer.RtnCode };
});

await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : 0;
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
const stop = (): void => {
  void app.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
