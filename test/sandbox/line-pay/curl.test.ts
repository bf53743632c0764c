import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxHandle, startSandbox } from '../../../src/sandbox/index.js';
import { newChannel, newKey, newOrderId, type TestChannel } from './helpers.js';

/**
 * A merchant that shares no code with the sandbox: the v4 MAC is made by
 * `openssl dgst -sha256 -hmac`, the request sent by `curl`, over a real socket.
 */

const run = promisify(execFile);

let sandbox: SandboxHandle;
let channel: TestChannel;

beforeAll(async () => {
  sandbox = await startSandbox();
  channel = await newChannel(sandbox, { apiVersion: 'both' });
});

afterAll(async () => {
  await sandbox.close();
});

/** `printf '%s' message | openssl dgst -sha256 -hmac secret -binary | base64` */
async function opensslMac(secret: string, message: string): Promise<string> {
  const { stdout } = await run(
    'sh',
    ['-c', 'printf "%s" "$MESSAGE" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64'],
    { env: { ...process.env, MESSAGE: message, SECRET: secret } },
  );
  return stdout.trim();
}

async function curl(args: string[]): Promise<string> {
  const { stdout } = await run('curl', ['-sS', '--max-time', '20', ...args]);
  return stdout;
}

describe('requests made with openssl and curl only', () => {
  it('v4: pay signed with openssl is accepted; the answer carries a bare 19-digit id', async () => {
    const key = await newKey(sandbox, channel, 500);
    const orderId = newOrderId();
    const apiPath = '/v4/payments/oneTimeKeys/pay';
    const body = `{"amount":120,"currency":"TWD","orderId":"${orderId}","oneTimeKey":"${key}","packages":[{"id":"p","amount":120,"products":[{"name":"tea","quantity":1,"price":120}]}]}`;
    const nonce = '6f0b6b0e-2c1b-4a53-9e3a-0c1c2f6a9d11';
    const mac = await opensslMac(
      channel.channelSecret,
      channel.channelSecret + apiPath + body + nonce,
    );
    const answer = await curl([
      '-X',
      'POST',
      '-H',
      'Content-Type: application/json',
      '-H',
      `X-LINE-ChannelId: ${channel.channelId}`,
      '-H',
      `X-LINE-Authorization-Nonce: ${nonce}`,
      '-H',
      `X-LINE-Authorization: ${mac}`,
      '--data-binary',
      body,
      sandbox.url + apiPath,
    ]);
    expect(answer).toMatch(
      new RegExp(
        `^\\{"returnCode":"0000","returnMessage":"[^"]+","info":\\{"transactionId":\\d{19},"orderId":"${orderId}"`,
      ),
    );

    // GET: the query string without '?' is signed.
    const query = `orderId=${orderId}`;
    const getMac = await opensslMac(
      channel.channelSecret,
      `${channel.channelSecret}/v4/payments${query}${nonce}`,
    );
    const details = await curl([
      '-H',
      `X-LINE-ChannelId: ${channel.channelId}`,
      '-H',
      `X-LINE-Authorization-Nonce: ${nonce}`,
      '-H',
      `X-LINE-Authorization: ${getMac}`,
      `${sandbox.url}/v4/payments?${query}`,
    ]);
    expect(details).toMatch(/^\{"returnCode":"0000".*"transactionType":"PAYMENT"/);

    // A MAC over anything else is refused.
    const wrong = await curl([
      '-H',
      `X-LINE-ChannelId: ${channel.channelId}`,
      '-H',
      `X-LINE-Authorization-Nonce: ${nonce}`,
      '-H',
      `X-LINE-Authorization: ${mac}`,
      `${sandbox.url}/v4/payments?${query}`,
    ]);
    expect(JSON.parse(wrong)).toMatchObject({ returnCode: '1106' });
  });

  it('v2: curl with the channel id and secret headers pays and checks', async () => {
    const key = await newKey(sandbox, channel, 500);
    const orderId = newOrderId();
    const headers = [
      '-H',
      'Content-Type: application/json',
      '-H',
      `X-LINE-ChannelId: ${channel.channelId}`,
      '-H',
      `X-LINE-ChannelSecret: ${channel.channelSecret}`,
    ];
    const paid = await curl([
      '-X',
      'POST',
      ...headers,
      '--data-binary',
      `{"productName":"tea","amount":30,"currency":"TWD","orderId":"${orderId}","oneTimeKey":"${key}"}`,
      `${sandbox.url}/v2/payments/oneTimeKeys/pay`,
    ]);
    expect(paid).toMatch(/"returnCode":"0000".*"transactionId":\d{19},.*"balance":470\}\}$/);
    const checked = await curl([...headers, `${sandbox.url}/v2/payments/orders/${orderId}/check`]);
    expect(checked).toMatch(/"status":"COMPLETE"/);
  });
});
