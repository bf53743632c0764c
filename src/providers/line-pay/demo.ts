import type { DemoContext, DemoSection } from '../wallet.js';
import { LINE_QRCODE_PAY } from './payment-type.js';

/**
 * LINE Pay's demo: a sandbox channel (v4, HMAC) configured for the demo store;
 * then a one-time key made when the commands run (keys live 5 minutes), pay,
 * search, a partial refund and a search showing the refundList.
 */
export async function lineDemo(c: DemoContext): Promise<DemoSection> {
  const channel = await c.sandboxPost<{ channelId: string; channelSecret: string }>(
    '/sandbox/line-pay/channels',
    { currency: 'TWD', apiVersion: 'v4' },
  );
  await c.provisioning.setStore({
    companyId: c.companyId,
    storeId: c.storeId,
    type: LINE_QRCODE_PAY,
    env: 'test',
    input: {
      'channel-id': channel.channelId,
      'channel-secret': channel.channelSecret,
      'api-version': 'v4',
    },
  });
  const orderId = `DEMO${c.stamp}L`;
  const keyRequest = JSON.stringify({ channelId: channel.channelId, balance: 1000 });
  const pay = c
    .post('pay', LINE_QRCODE_PAY, {
      productName: 'Demo coffee',
      amount: 300,
      currency: 'TWD',
      orderId,
      oneTimeKey: 'ONE_TIME_KEY',
    })
    // The key is the shell variable made by the step before.
    .replace('"ONE_TIME_KEY"', `"'"$KEY"'"`);
  return {
    intro: `LINE Pay: sandbox channel ${channel.channelId} (API v4, HMAC), the same store.`,
    steps: [
      {
        comment: "LINE Pay: the customer's one-time key (their barcode; valid 5 minutes)",
        command:
          `KEY=$(curl -s -X POST ${c.sandboxUrl}/sandbox/line-pay/one-time-keys ` +
          `-H 'Content-Type: application/json' -d ${c.shellQuote(keyRequest)} ` +
          `| node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).oneTimeKey')`,
      },
      { comment: 'pay NT$300 with it: returnCode "0000", a 19-digit transactionId', command: pay },
      {
        comment: 'search: the payment details',
        command: c.search(LINE_QRCODE_PAY, { orderId }),
      },
      {
        comment: 'refund NT$100 of it',
        command: c.post('refund', LINE_QRCODE_PAY, { orderId, refundAmount: 100 }),
      },
      {
        comment: 'search again: refundList shows the refund',
        command: c.search(LINE_QRCODE_PAY, { orderId }),
      },
    ],
  };
}
