import type { IncomingHttpHeaders } from 'node:http';
import type { ControlAnswer } from './wallet.js';

/** One webhook the sandbox received: its Standard Webhooks headers and its JSON body. */
export interface ReceivedWebhook {
  received_at: string;
  webhook_id: string | null;
  webhook_timestamp: string | null;
  webhook_signature: string | null;
  /** The body parsed, or the raw text when it is not JSON. */
  body: unknown;
}

const KEPT = 200;

/**
 * A webhook receiver for local development: `POST /sandbox/webhooks` keeps the
 * last 200 requests (in memory), `GET /sandbox/webhooks` lists them newest last,
 * `DELETE /sandbox/webhooks` forgets them. It verifies nothing: it does not know
 * the endpoint's secret (docs/webhooks.md shows how a real receiver verifies).
 */
export class WebhookInbox {
  readonly #received: ReceivedWebhook[] = [];

  handle(method: string, headers: IncomingHttpHeaders, body: Buffer): ControlAnswer {
    switch (method) {
      case 'POST': {
        const text = body.toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // Kept as text.
        }
        const header = (name: string) => {
          const value = headers[name];
          return typeof value === 'string' ? value : null;
        };
        this.#received.push({
          received_at: new Date().toISOString(),
          webhook_id: header('webhook-id'),
          webhook_timestamp: header('webhook-timestamp'),
          webhook_signature: header('webhook-signature'),
          body: parsed,
        });
        if (this.#received.length > KEPT) this.#received.shift();
        return { status: 204, body: null };
      }
      case 'GET':
        return { status: 200, body: { webhooks: this.#received } };
      case 'DELETE': {
        const cleared = this.#received.splice(0).length;
        return { status: 200, body: { cleared } };
      }
      default:
        return {
          status: 405,
          body: { message: `no control endpoint ${method} /sandbox/webhooks` },
        };
    }
  }
}
