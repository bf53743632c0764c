import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Database from 'better-sqlite3';
import { handleControl } from './controls.js';
import { openSandboxDatabase } from './database.js';
import { WebhookInbox } from './webhook-inbox.js';
import { sendJson, type WalletSimulator } from './wallet.js';

/** The HTTP side: raw bodies, routing to a wallet's paths or the controls, shutdown. */

const MAX_BODY_BYTES = 1024 * 1024;

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        req.pause();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Builds the wallet simulators over the shared database. */
export type WalletFactory<W extends WalletSet> = (
  db: Database.Database,
  sleep: (ms: number) => Promise<void>,
) => W;

export interface WalletSet {
  all: readonly WalletSimulator[];
}

export class SandboxServer<W extends WalletSet> {
  readonly db: Database.Database;
  readonly built: W;
  readonly wallets: readonly WalletSimulator[];
  readonly #server: Server;
  readonly #waits = new Set<() => void>();
  /** Webhooks POSTed to `/sandbox/webhooks` (a local receiver for the demo). */
  readonly webhooks = new WebhookInbox();

  constructor(dbPath: string, build: WalletFactory<W>) {
    this.db = openSandboxDatabase(dbPath);
    try {
      this.built = build(this.db, (ms) => this.#sleep(ms));
      this.wallets = this.built.all;
    } catch (error) {
      this.db.close();
      throw error;
    }
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch(() => {
        sendJson(res, 500, { message: 'internal sandbox error' });
      });
    });
  }

  async listen(port: number, host: string): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    return this.#server.address() as AddressInfo;
  }

  /** Closes the database only (when listening failed). */
  closeDatabase(): void {
    for (const wallet of this.wallets) wallet.close?.();
    this.db.close();
  }

  async close(): Promise<void> {
    for (const wake of this.#waits) wake();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
    this.closeDatabase();
  }

  /** Waits, but returns early when the sandbox closes. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#waits.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#waits.add(wake);
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const method = req.method ?? 'GET';
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (error) {
      if (error instanceof BodyTooLarge)
        sendJson(res, 413, { message: 'body too large' }, { connection: 'close' });
      else req.socket.destroy();
      return;
    }

    for (const wallet of this.wallets) {
      if (await wallet.serve({ req, res, method, url, body })) return;
    }
    if (url.pathname === '/sandbox/webhooks') {
      const answer = this.webhooks.handle(method, req.headers, body);
      if (answer.status === 204) res.writeHead(204).end();
      else sendJson(res, answer.status, answer.body);
      return;
    }
    if (url.pathname.startsWith('/sandbox/')) {
      const answer = await handleControl(
        this.wallets,
        method,
        url.pathname,
        url.searchParams,
        body,
      );
      sendJson(res, answer.status, answer.body);
      return;
    }
    sendJson(res, 404, { message: `no route ${method} ${url.pathname}` });
  }
}
