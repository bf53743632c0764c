import { formatTaiwanTime } from '../../core/taiwan-time.js';
import type { CallLog } from './call-log.js';
import { newBarcode, newIcpAccount, newMemberId, newMobileInvoiceCarry } from './ids.js';
import { type Keyring, OnboardingConflict } from './keyring.js';
import type { SandboxState } from './state.js';
import { type ControlAnswer, ControlError, jsonObjectBody as jsonBody } from '../wallet.js';

/** The icash `/sandbox/*` control endpoints: JSON in, JSON out. */

export interface ControlDeps {
  state: SandboxState;
  keyring: Keyring;
  log: CallLog;
}

const DAY_MS = 86_400_000;
const MAX_BALANCE = 1_000_000_000;
const MAX_TTL_SECONDS = 10 * 366 * 86_400;

function eightDigits(value: unknown, name: string, optional: boolean): string | undefined {
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'string' || !/^\d{8}$/.test(value)) {
    throw new ControlError(400, `${name} must be an 8-digit string`);
  }
  return value;
}

function integer(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ControlError(400, `${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

async function onboard(deps: ControlDeps, body: Buffer): Promise<ControlAnswer> {
  const input = jsonBody(body, true);
  const MerchantID = eightDigits(input.MerchantID, 'MerchantID', true);
  const PlatformID = eightDigits(input.PlatformID, 'PlatformID', true);
  try {
    return { status: 201, body: await deps.keyring.onboard({ MerchantID, PlatformID }) };
  } catch (error) {
    if (error instanceof OnboardingConflict) throw new ControlError(409, error.message);
    throw error;
  }
}

function issueBarcode(deps: ControlDeps, body: Buffer): ControlAnswer {
  const input = jsonBody(body, false);
  const ttlSeconds =
    input.ttlSeconds === undefined
      ? 86_400
      : integer(input.ttlSeconds, 'ttlSeconds', 0, MAX_TTL_SECONDS);
  const { state } = deps;
  const now = Date.now();
  let account: string;
  if (input.ICPAccount !== undefined) {
    if (typeof input.ICPAccount !== 'string' || !state.wallet(input.ICPAccount)) {
      throw new ControlError(404, 'no wallet with this ICPAccount');
    }
    if (input.balance !== undefined)
      throw new ControlError(400, 'give balance or ICPAccount, not both');
    account = input.ICPAccount;
  } else {
    const balance = integer(input.balance, 'balance', 0, MAX_BALANCE);
    account = newIcpAccount();
    while (state.wallet(account)) account = newIcpAccount();
    state.insertWallet(
      {
        icp_account: account,
        balance: balance * 100,
        mmember_id: newMemberId(),
        mobile_invoice_carry: newMobileInvoiceCarry(),
      },
      now,
    );
  }
  let barcode = newBarcode();
  while (state.barcode(barcode)) barcode = newBarcode();
  const expiresAt = now + ttlSeconds * 1000;
  state.insertBarcode({ barcode, icp_account: account, expires_at: expiresAt, used_at: null });
  return {
    status: 201,
    body: {
      Barcode: barcode,
      ICPAccount: account,
      Balance: walletBalance(deps, account),
      ExpiresAt: formatTaiwanTime(new Date(expiresAt)),
    },
  };
}

function walletBalance(deps: ControlDeps, account: string): number {
  return Math.floor((deps.state.wallet(account)?.balance ?? 0) / 100);
}

function showWallet(deps: ControlDeps, account: string): ControlAnswer {
  const wallet = deps.state.wallet(account);
  if (!wallet) throw new ControlError(404, 'no wallet with this ICPAccount');
  return {
    status: 200,
    body: {
      ICPAccount: wallet.icp_account,
      Balance: walletBalance(deps, account),
      MMemberID: wallet.mmember_id,
      MobileInvoiceCarry: wallet.mobile_invoice_carry,
    },
  };
}

function changeTrade(
  deps: ControlDeps,
  body: Buffer,
  action: 'settle' | 'backdate',
): ControlAnswer {
  const input = jsonBody(body, false);
  const merchantId = eightDigits(input.MerchantID, 'MerchantID', false) ?? '';
  const tradeNo = input.MerchantTradeNo;
  if (typeof tradeNo !== 'string' || tradeNo === '') {
    throw new ControlError(400, 'MerchantTradeNo must be a non-empty string');
  }
  const days = action === 'backdate' ? integer(input.days, 'days', 0, 3650) : 0;
  const trade = deps.state.trade(merchantId, tradeNo);
  if (!trade) throw new ControlError(404, 'no such trade');
  if (action === 'settle') deps.state.updateTrade(merchantId, tradeNo, { allocate_status: 1 });
  else
    deps.state.updateTrade(merchantId, tradeNo, {
      payment_date: trade.payment_date - days * DAY_MS,
    });
  const after = deps.state.trade(merchantId, tradeNo) ?? trade;
  return {
    status: 200,
    body: {
      MerchantID: after.merchant_id,
      MerchantTradeNo: after.merchant_trade_no,
      TradeStatus: after.trade_status,
      AllocateStatus: String(after.allocate_status),
      PaymentDate: formatTaiwanTime(new Date(after.payment_date)),
    },
  };
}

function merchantFilter(query: URLSearchParams): string | undefined {
  return eightDigits(query.get('MerchantID') ?? undefined, 'MerchantID', true);
}

/** Checks a MerchantID naming whose faults to clear. */
export function faultOwner(value: string): string {
  return eightDigits(value, 'MerchantID', false) ?? value;
}

/** Answers an icash control request; undefined when the path is not one. */
export async function handleControl(
  deps: ControlDeps,
  method: string,
  path: string,
  query: URLSearchParams,
  body: Buffer,
): Promise<ControlAnswer | undefined> {
  const key = `${method} ${path}`;
  switch (key) {
    case 'POST /sandbox/merchants':
      return onboard(deps, body);
    case 'POST /sandbox/barcodes':
      return issueBarcode(deps, body);
    case 'POST /sandbox/trades/settle':
      return changeTrade(deps, body, 'settle');
    case 'POST /sandbox/trades/backdate':
      return changeTrade(deps, body, 'backdate');
    case 'GET /sandbox/calls':
      return { status: 200, body: deps.log.list(merchantFilter(query)) };
  }
  const wallet = /^\/sandbox\/wallets\/(\d+)$/.exec(path);
  if (wallet && method === 'GET') return showWallet(deps, wallet[1]!);
  return undefined;
}
