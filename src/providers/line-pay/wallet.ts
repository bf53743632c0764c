import { integer, url } from '../../config/config.js';
import { UpstreamClient } from '../../upstream/client.js';
import type { Wallet } from '../wallet.js';
import { lineCredentials } from './credentials.js';
import { lineDemo } from './demo.js';
import { LINE_TIMEOUTS } from './operations.js';
import { LINE_DISPLAY_NAME, LINE_QRCODE_PAY } from './payment-type.js';
import { createLinePay } from './provider.js';

export const LINE_PAY_PROD_URL = 'https://api-pay.line.me';
export const LINE_PAY_SANDBOX_URL = 'https://sandbox-api-pay.line.me';

/**
 * LINE Pay barcode payments. Settings: `OMNIGATE_LINEPAY_PROD_URL` (default
 * LINE's production API), `OMNIGATE_LINEPAY_TEST_URL` (default the embedded
 * sandbox when it runs, else LINE's sandbox), and the read time-outs LINE asks
 * for: `OMNIGATE_LINEPAY_PAY_TIMEOUT_MS` (default 40000) and
 * `OMNIGATE_LINEPAY_TIMEOUT_MS` (default 20000, every other call).
 */
export const linePayQrcode: Wallet = {
  type: LINE_QRCODE_PAY,
  displayName: LINE_DISPLAY_NAME,
  credentials: lineCredentials,
  demo: lineDemo,
  create({ config, sandboxUrl }) {
    const env = config.env;
    const payMs = integer(
      env,
      'OMNIGATE_LINEPAY_PAY_TIMEOUT_MS',
      LINE_TIMEOUTS.payMs,
      100,
      300_000,
    );
    const otherMs = integer(
      env,
      'OMNIGATE_LINEPAY_TIMEOUT_MS',
      LINE_TIMEOUTS.otherMs,
      100,
      300_000,
    );
    return createLinePay({
      client: new UpstreamClient({ timeoutMs: Math.max(payMs, otherMs) }),
      baseUrls: {
        test: url(env, 'OMNIGATE_LINEPAY_TEST_URL') ?? sandboxUrl ?? LINE_PAY_SANDBOX_URL,
        prod: url(env, 'OMNIGATE_LINEPAY_PROD_URL') ?? LINE_PAY_PROD_URL,
      },
      timeouts: { payMs, otherMs },
    });
  },
};
