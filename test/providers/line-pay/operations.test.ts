import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../../src/core/secret.js';
import { stringifyLossless } from '../../../src/core/lossless-json.js';
import {
  checkPayment,
  type LineOutcome,
  type LinePayTarget,
  pay,
  paymentDetails,
  refund,
  voidAuthorization,
} from '../../../src/providers/line-pay/operations.js';
import {
  judgePayFromCheck,
  judgeRefundFromDetails,
} from '../../../src/providers/line-pay/outcome.js';
import { type SandboxHandle, startSandbox } from '../../../src/sandbox/index.js';
import { UpstreamClient } from '../../../src/upstream/client.js';
import {
  control,
  newChannel,
  newKey,
  newOrderId,
  type TestChannel,
} from '../../sandbox/line-pay/helpers.js';

/** The wire-level client against the real LINE Pay simulator over real sockets. */

let sandbox: SandboxHandle;
let client: UpstreamClient;
let channel: TestChannel;

beforeAll(async () => {
  sandbox = await startSandbox();
  client = new UpstreamClient({ timeoutMs: 5_000 });
  channel = await newChannel(sandbox, { apiVersion: 'both', captureSeparation: true });
});

afterAll(async () => {
  await client.close();
  await sandbox.close();
});

const target = (version: 'v2' | 'v4', ch: TestChannel = channel): LinePayTarget => ({
  baseUrl: sandbox.url,
  channel: {
    channelId: ch.channelId,
    channelSecret: new Secret(ch.channelSecret),
    apiVersion: version,
  },
  deviceProfileId: '000030_k1',
  deviceType: 'POS',
});

function answered(outcome: LineOutcome): Extract<LineOutcome, { kind: 'answered' }> {
  if (outcome.kind !== 'answered') throw new Error(`not answered: ${JSON.stringify(outcome)}`);
  return outcome;
}

const payReq = (key: string, orderId: string, amount = 100, capture?: boolean) => ({
  productName: 'test product',
  amount,
  currency: 'TWD' as const,
  orderId,
  oneTimeKey: key,
  ...(capture === undefined ? {} : { capture }),
});

describe.each(['v2', 'v4'] as const)('%s through the client', (version) => {
  it('pay, check, refund twice, details: every answer parsed and re-serialised byte-exact', async () => {
    const orderId = newOrderId();
    const paid = answered(
      await pay(client, target(version), payReq(await newKey(sandbox, channel), orderId)),
    );
    expect(paid.returnCode).toBe('0000');
    expect(stringifyLossless(paid.body)).toBe(paid.raw);
    const check = answered(await checkPayment(client, target(version), orderId));
    expect(judgePayFromCheck({ ageMs: 0, safeWaitMs: 0 }, check)).toMatchObject({
      result: 'succeeded',
    });
    const r1 = answered(await refund(client, target(version), orderId, { refundAmount: 40 }));
    const r2 = answered(await refund(client, target(version), orderId, {}));
    expect([r1.returnCode, r2.returnCode]).toEqual(['0000', '0000']);
    const details = answered(await paymentDetails(client, target(version), { orderId }));
    expect(stringifyLossless(details.body)).toBe(details.raw);
    const id2 = /"refundTransactionId":(\d{19})/.exec(r2.raw)![1]!;
    expect(
      judgeRefundFromDetails(
        { orderId, amount: 60, ageMs: 0, safeWaitMs: 0, claimedRefundIds: [] },
        details,
      ),
    ).toMatchObject({ result: 'succeeded', transactionId: id2 });
  });

  it('void of an authorization signs and sends no body', async () => {
    const orderId = newOrderId();
    answered(
      await pay(
        client,
        target(version),
        payReq(await newKey(sandbox, channel), orderId, 50, false),
      ),
    );
    const voided = answered(await voidAuthorization(client, target(version), orderId));
    expect(voided.returnCode).toBe('0000');
  });
});

describe('19-digit ids', () => {
  it.each([
    ['9223372036854775807', '9223372036854775806'],
    ['9223372036854775808', '9223372036854775809'],
    ['9999999999999999999', '9999999999999999998'],
    ['1000000000000000000', '1000000000000000001'],
    ['2026120112345678901', '2026120112345678902'],
  ])('%s (refund %s) survives sandbox → parse → serialise byte-exact', async (id, refundId) => {
    await control(sandbox, 'POST', '/sandbox/line-pay/transaction-ids', {
      transactionIds: [id, refundId],
    });
    const orderId = newOrderId();
    const paid = answered(
      await pay(client, target('v2'), payReq(await newKey(sandbox, channel), orderId)),
    );
    expect(paid.raw).toContain(`"transactionId":${id},`);
    expect(stringifyLossless(paid.body)).toBe(paid.raw);
    const byId = answered(await paymentDetails(client, target('v4'), { transactionId: id }));
    expect(byId.raw).toContain(`"transactionId":${id},`);
    expect(stringifyLossless(byId.body)).toBe(byId.raw);
    const refunded = answered(await refund(client, target('v2'), orderId, { refundAmount: 1 }));
    expect(refunded.raw).toContain(`"refundTransactionId":${refundId},`);
    expect(
      judgePayFromCheck(
        { ageMs: 0, safeWaitMs: 0 },
        await checkPayment(client, target('v2'), orderId),
      ),
    ).toMatchObject({
      transactionId: id,
    });
  });

  it('a chosen id that is taken is refused', async () => {
    await control(sandbox, 'POST', '/sandbox/line-pay/transaction-ids', {
      transactionIds: ['9999999999999999990'],
    });
    const again = await control(sandbox, 'POST', '/sandbox/line-pay/transaction-ids', {
      transactionIds: ['9999999999999999990'],
    });
    expect(again.status).toBe(409);
    answered(await pay(client, target('v2'), payReq(await newKey(sandbox, channel), newOrderId())));
  });
});

describe('what is not an answer', () => {
  let other: Server;
  let otherUrl: string;

  beforeAll(async () => {
    other = createServer((req, res) => {
      if (req.url?.includes('html'))
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
      else res.writeHead(404, { 'content-type': 'application/json' }).end('{"returnCode":"0000"}');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => other.close(() => resolve()));
  });

  it('a 200 HTML page is untrusted; a 404 is untrusted', async () => {
    const to = { ...target('v2'), baseUrl: otherUrl };
    expect(await checkPayment(client, to, 'html')).toMatchObject({ kind: 'untrusted' });
    expect(await checkPayment(client, to, 'x')).toMatchObject({
      kind: 'untrusted',
      httpStatus: 404,
    });
  });

  it('a closed port is not_sent; a base URL with a path or a bad transactionId is not_sent', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(
      await checkPayment(client, { ...target('v2'), baseUrl: `http://127.0.0.1:${port}` }, 'x'),
    ).toMatchObject({
      kind: 'not_sent',
      reason: 'ECONNREFUSED',
    });
    expect(
      await checkPayment(client, { ...target('v2'), baseUrl: `${sandbox.url}/v2` }, 'x'),
    ).toMatchObject({
      kind: 'not_sent',
    });
    expect(await paymentDetails(client, target('v2'), { transactionId: '12a' })).toMatchObject({
      kind: 'not_sent',
    });
  });
});
