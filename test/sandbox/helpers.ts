import { AesMaterial } from '../../src/providers/icash-pay/envelope.js';
import { loadPrivateKey, loadPublicKey } from '../../src/providers/icash-pay/keys.js';
import {
  type IcashKeySet,
  type IcashOutcome,
  IcashTransport,
} from '../../src/providers/icash-pay/transport.js';
import { IcashOperation } from '../../src/providers/icash-pay/wire.js';
import { formatTaiwanTime } from '../../src/core/taiwan-time.js';
import type { SandboxHandle } from '../../src/sandbox/index.js';
import type { MerchantCredentials } from '../../src/sandbox/icash-pay/index.js';

/** Test helpers: everything goes over HTTP to a real sandbox, with the keys it issued. */

export interface TestMerchant {
  creds: MerchantCredentials;
  keys: IcashKeySet;
}

export interface ControlReply<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export async function control<T = Record<string, unknown>>(
  sandbox: SandboxHandle,
  method: string,
  path: string,
  body?: unknown,
): Promise<ControlReply<T>> {
  const res = await fetch(sandbox.url + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

export function keySetOf(creds: MerchantCredentials): IcashKeySet {
  return {
    encKeyId: creds.EncKeyID,
    aes: new AesMaterial(creds.AESKey, creds.AESIV),
    clientPrivateKey: loadPrivateKey(creds.ClientPrivateKey),
    serverPublicKey: loadPublicKey(creds.ServerPublicKey),
  };
}

export async function onboard(
  sandbox: SandboxHandle,
  body: { PlatformID?: string; MerchantID?: string } = {},
): Promise<TestMerchant> {
  const reply = await control<MerchantCredentials>(sandbox, 'POST', '/sandbox/merchants', body);
  if (reply.status !== 201) throw new Error(`onboarding failed: ${JSON.stringify(reply.body)}`);
  return { creds: reply.body, keys: keySetOf(reply.body) };
}

export interface IssuedBarcode {
  Barcode: string;
  ICPAccount: string;
}

export async function issueBarcode(
  sandbox: SandboxHandle,
  body: { balance?: number; ttlSeconds?: number; ICPAccount?: string },
): Promise<IssuedBarcode> {
  const reply = await control<IssuedBarcode>(sandbox, 'POST', '/sandbox/barcodes', body);
  if (reply.status !== 201) throw new Error(`barcode failed: ${JSON.stringify(reply.body)}`);
  return reply.body;
}

/** A wallet's balance in whole NT$. */
export async function balanceOf(sandbox: SandboxHandle, icpAccount: string): Promise<number> {
  const reply = await control<{ Balance: number }>(
    sandbox,
    'GET',
    `/sandbox/wallets/${icpAccount}`,
  );
  return reply.body.Balance;
}

let sequence = 0;
export function tradeNo(prefix = 'T'): string {
  sequence += 1;
  return `${prefix}${Date.now()}${String(sequence).padStart(4, '0')}`;
}

export const taiwanNow = (): string => formatTaiwanTime(new Date());

/** A DeductICPOF payload for `amount` whole NT$, all of it ItemAmt. */
export function deductPayload(
  merchant: TestMerchant,
  barcode: string,
  amount: number,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const cents = String(amount * 100);
  return {
    PlatformID: merchant.creds.PlatformID,
    MerchantID: merchant.creds.MerchantID,
    MerchantTradeNo: tradeNo('D'),
    StoreID: 'S001',
    StoreName: 'Test store',
    MerchantTradeDate: taiwanNow(),
    TotalAmount: cents,
    ItemAmt: cents,
    UtilityAmt: '0',
    CommAmt: '0',
    ItemNonRedeemAmt: '0',
    UtilityNonRedeemAmt: '0',
    CommNonRedeemAmt: '0',
    NonPointAmt: '0',
    Item: null,
    Barcode: barcode,
    ...overrides,
  };
}

export type Answered = Extract<IcashOutcome, { kind: 'answered' }>;

/** A shared client for one test file; `close()` it in afterAll. */
export class TestClient {
  readonly transport: IcashTransport;

  constructor(
    readonly sandbox: SandboxHandle,
    timeoutMs = 5_000,
  ) {
    this.transport = new IcashTransport({ timeoutMs, connections: 4 });
  }

  raw(
    merchant: TestMerchant,
    path: string,
    payload: object,
    baseUrl?: string,
  ): Promise<IcashOutcome> {
    return this.transport.call(
      baseUrl ?? this.sandbox.baseUrls.icash,
      path,
      merchant.keys,
      payload,
    );
  }

  /** Calls and insists on a trusted, signed answer. */
  async call(merchant: TestMerchant, path: string, payload: object): Promise<Answered> {
    const outcome = await this.raw(merchant, path, payload);
    if (outcome.kind !== 'answered')
      throw new Error(`expected an answer, got ${JSON.stringify(outcome)}`);
    return outcome;
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}

/** The identity fields every request carries. */
export function ids(merchant: TestMerchant): { PlatformID: string; MerchantID: string } {
  return { PlatformID: merchant.creds.PlatformID, MerchantID: merchant.creds.MerchantID };
}

/** One merchant's everyday calls against a sandbox. */
export class MerchantSession {
  constructor(
    readonly sandbox: SandboxHandle,
    readonly client: TestClient,
    readonly merchant: TestMerchant,
  ) {}

  /** A completed deduct of `amount` NT$ from a new wallet holding `balance`. */
  async paidTrade(
    amount = 100,
    balance = 1000,
  ): Promise<{ no: string; transactionId: string; account: string }> {
    const barcode = await issueBarcode(this.sandbox, { balance });
    const payload = deductPayload(this.merchant, barcode.Barcode, amount);
    const answer = await this.client.call(this.merchant, IcashOperation.Deduct, payload);
    if (answer.rtnCode !== 1) throw new Error(`deduct failed with ${answer.rtnCode}`);
    return {
      no: String(payload.MerchantTradeNo),
      transactionId: String(answer.encData?.TransactionID),
      account: barcode.ICPAccount,
    };
  }

  deduct(payload: Record<string, unknown>): Promise<Answered> {
    return this.client.call(this.merchant, IcashOperation.Deduct, payload);
  }

  cancel(no: string, extra: Record<string, unknown> = {}): Promise<Answered> {
    return this.client.call(this.merchant, IcashOperation.DeductCancel, {
      ...ids(this.merchant),
      MerchantTradeNo: no,
      MerchantTradeDate: taiwanNow(),
      ...extra,
    });
  }

  query(no: string, extra: Record<string, unknown> = {}): Promise<Answered> {
    return this.client.call(this.merchant, IcashOperation.QueryTrade, {
      ...ids(this.merchant),
      MerchantTradeNo: no,
      ...extra,
    });
  }

  refund(original: string, amount: number, extra: Record<string, unknown> = {}): Promise<Answered> {
    return this.client.call(this.merchant, IcashOperation.Refund, {
      ...ids(this.merchant),
      OMerchantTradeNo: original,
      TransactionID: '',
      MerchantTradeNo: tradeNo('R'),
      RefundTotalAmount: String(amount * 100),
      RefundItemAmt: String(amount * 100),
      RefundUtilityAmt: '0',
      RefundCommAmt: '0',
      MerchantTradeDate: taiwanNow(),
      ...extra,
    });
  }

  onlineCancel(no: string, extra: Record<string, unknown> = {}): Promise<Answered> {
    return this.client.call(this.merchant, IcashOperation.OnlineCancel, {
      ...ids(this.merchant),
      OMerchantTradeNo: no,
      ...extra,
    });
  }
}
