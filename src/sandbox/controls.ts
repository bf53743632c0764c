import { FaultInputError } from './faults.js';
import {
  type ControlAnswer,
  ControlError,
  jsonObjectBody,
  type WalletSimulator,
} from './wallet.js';

/**
 * The `/sandbox/*` control endpoints every wallet shares (health, faults), then
 * each wallet's own. JSON in, JSON out; bad input is a 4xx with `{"message"}`.
 */

function addFault(wallets: readonly WalletSimulator[], body: Buffer): ControlAnswer {
  const input = jsonObjectBody(body, false);
  const wallet = wallets.find((w) => input[w.faults.ownerField] !== undefined);
  if (!wallet) {
    const fields = wallets.map((w) => w.faults.ownerField).join(' or ');
    throw new ControlError(400, `a fault must name its account: ${fields}`);
  }
  return { status: 201, body: wallet.faults.add(input) };
}

function clearFaults(wallets: readonly WalletSimulator[], query: URLSearchParams): ControlAnswer {
  const named = wallets.filter((w) => query.has(w.faults.ownerField));
  let cleared = 0;
  if (named.length === 0) for (const w of wallets) cleared += w.faults.clear();
  else for (const w of named) cleared += w.faults.clear(query.get(w.faults.ownerField) ?? '');
  return { status: 200, body: { cleared } };
}

async function route(
  wallets: readonly WalletSimulator[],
  method: string,
  path: string,
  query: URLSearchParams,
  body: Buffer,
): Promise<ControlAnswer> {
  const key = `${method} ${path}`;
  switch (key) {
    case 'GET /sandbox/healthz':
      return { status: 200, body: { status: 'ok' } };
    case 'POST /sandbox/faults':
      return addFault(wallets, body);
    case 'GET /sandbox/faults':
      return { status: 200, body: wallets.flatMap((w) => w.faults.list()) };
    case 'DELETE /sandbox/faults':
      return clearFaults(wallets, query);
  }
  for (const wallet of wallets) {
    const answer = await wallet.control(method, path, query, body);
    if (answer) return answer;
  }
  throw new ControlError(404, `no control endpoint ${key}`);
}

/** Answers a control request; never a crash. */
export async function handleControl(
  wallets: readonly WalletSimulator[],
  method: string,
  path: string,
  query: URLSearchParams,
  body: Buffer,
): Promise<ControlAnswer> {
  try {
    return await route(wallets, method, path, query, body);
  } catch (error) {
    if (error instanceof ControlError)
      return { status: error.status, body: { message: error.message } };
    if (error instanceof FaultInputError) return { status: 400, body: { message: error.message } };
    return { status: 500, body: { message: 'internal sandbox error' } };
  }
}
