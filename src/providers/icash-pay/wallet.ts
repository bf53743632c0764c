import { url } from '../../config/config.js';
import type { Wallet } from '../wallet.js';
import { icashCredentials } from './credentials.js';
import { icashDemo } from './demo.js';
import { I_CASH_DISPLAY_NAME, I_CASH_QRCODE_PAY } from './payment-type.js';
import { createIcashQrcodePay } from './provider.js';
import { IcashTransport } from './transport.js';
import { ICASH_PREPROD_BASE_URL, ICASH_PROD_BASE_URL } from './wire.js';

/** The icash sandbox serves icash's paths under this prefix of its root. */
export const SANDBOX_PREFIX = '/api/V2/Payment';

/**
 * icash Pay barcode payments. Settings: `OMNIGATE_ICASH_PROD_URL` (default
 * icash production) and `OMNIGATE_ICASH_TEST_URL` (default the embedded
 * sandbox when it runs, else icash pre-production); one time-out,
 * `OMNIGATE_UPSTREAM_TIMEOUT_MS`.
 */
export const icashQrcodePay: Wallet = {
  type: I_CASH_QRCODE_PAY,
  displayName: I_CASH_DISPLAY_NAME,
  credentials: icashCredentials,
  demo: icashDemo,
  create({ config, sandboxUrl }) {
    const test =
      url(config.env, 'OMNIGATE_ICASH_TEST_URL') ??
      (sandboxUrl === undefined ? ICASH_PREPROD_BASE_URL : sandboxUrl + SANDBOX_PREFIX);
    const prod = url(config.env, 'OMNIGATE_ICASH_PROD_URL') ?? ICASH_PROD_BASE_URL;
    return createIcashQrcodePay({
      transport: new IcashTransport({ timeoutMs: config.upstreamTimeoutMs }),
      baseUrls: { test, prod },
      timeoutMs: config.upstreamTimeoutMs,
    });
  },
};
