import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * What one wallet's simulator gives the shared sandbox server: its upstream
 * paths, its `/sandbox/...` control endpoints and its faults. Each lives in
 * `src/sandbox/<wallet>/`, keeps its own tables in the shared database and
 * never sees another wallet's.
 */

export interface ControlAnswer {
  status: number;
  body: unknown;
}

/** A control request refused: answered as `{"message"}` with this status. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface UpstreamRequest {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  url: URL;
  /** The raw request body, exactly as received. */
  body: Buffer;
}

/** The fault controls a wallet offers the shared `/sandbox/faults` endpoints. */
export interface WalletFaults {
  readonly ownerField: string;
  add(input: Record<string, unknown>): unknown;
  list(): unknown[];
  clear(owner?: string): number;
}

export interface WalletSimulator {
  /** Where the wallet's upstream API is served, under the sandbox's URL (`''`: at its root). */
  readonly basePath: string;
  /** Serves a request on one of the wallet's upstream paths; false when the path is not its. */
  serve(request: UpstreamRequest): Promise<boolean>;
  /** Answers a control request the wallet owns; undefined when it is not its. */
  control(
    method: string,
    path: string,
    query: URLSearchParams,
    body: Buffer,
  ): Promise<ControlAnswer | undefined>;
  /** Its pending faults, set through `/sandbox/faults`. */
  readonly faults: WalletFaults;
  /** Called once on close, before the database is closed. */
  close?(): void;
}

/** A JSON answer (a no-op once the answer has started or the socket is gone). */
export function sendJson(
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

/** Parses a control body as a JSON object. */
export function jsonObjectBody(body: Buffer, allowEmpty: boolean): Record<string, unknown> {
  const text = body.toString('utf8').trim();
  if (text === '' && allowEmpty) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ControlError(400, 'body must be a JSON object');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ControlError(400, 'body must be a JSON object');
  }
  return value as Record<string, unknown>;
}
