import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallLog } from './call-log.js';
import { handleControl } from './controls.js';
import { FaultBook } from './faults.js';
import { handleIcashCall, icashOperation } from './icash-handler.js';
import { Keyring } from './keyring.js';
import { Rtn, rtnMessage } from './messages.js';
import { SandboxState } from './state.js';

/** The HTTP side: raw bodies, routing to the icash paths or the controls, shutdown. */

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

function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  extra: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': body.length,
    ...extra,
  });
  res.end(body);
}

export class SandboxServer {
  readonly state: SandboxState;
  readonly log = new CallLog();
  readonly #faults = new FaultBook();
  readonly #keyring: Keyring;
  readonly #server: Server;
  readonly #waits = new Set<() => void>();

  constructor(dbPath: string) {
    this.state = new SandboxState(dbPath);
    this.#keyring = new Keyring(this.state);
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch(() => {
        sendJson(res, 200, { RtnCode: Rtn.Unexpected, RtnMsg: rtnMessage(Rtn.Unexpected) });
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

  async close(): Promise<void> {
    for (const wake of this.#waits) wake();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
    this.state.close();
  }

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

    const operation = icashOperation(url.pathname);
    if (operation) {
      if (method !== 'POST') {
        sendJson(res, 405, { message: 'icash operations take POST' }, { allow: 'POST' });
        return;
      }
      const deps = {
        state: this.state,
        keyring: this.#keyring,
        faults: this.#faults,
        log: this.log,
        sleep: (ms: number) => this.#sleep(ms),
      };
      await handleIcashCall(deps, req, res, operation, url.pathname, body);
      return;
    }
    if (url.pathname.startsWith('/sandbox/')) {
      const deps = {
        state: this.state,
        keyring: this.#keyring,
        faults: this.#faults,
        log: this.log,
      };
      const answer = await handleControl(deps, method, url.pathname, url.searchParams, body);
      sendJson(res, answer.status, answer.body);
      return;
    }
    sendJson(res, 404, { message: `no route ${method} ${url.pathname}` });
  }
}
