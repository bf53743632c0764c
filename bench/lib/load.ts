import autocannon, { type AutocannonRequest, type AutocannonResult } from 'autocannon';
import { LINE_TYPE, STORE_ID, TYPE } from './gateway.js';
import { round } from './processes.js';

/**
 * autocannon against `POST /v1/payment/integrate/cancel` (or `path`), one distinct
 * trade number (MerchantTradeNo, or a LINE orderId) per call.
 */

export interface LoadOptions {
  url: string;
  token: string;
  connections: number;
  durationSeconds: number;
  /** Requests per second over all connections; undefined: as fast as it answers. */
  overallRate?: number;
  /** Unique per run, so trade numbers never repeat across runs on one ledger. */
  tradePrefix: string;
  /** When set, the cancel body for one trade number (default: the store scenario, prod). */
  body?: (tradeNo: string) => string;
  /** The Integrate endpoint; default `CANCEL_PATH`. */
  path?: string;
}

export const CANCEL_PATH = '/v1/payment/integrate/cancel';
export const PAY_PATH = '/v1/payment/integrate/pay';

export interface LoadResult {
  requests: number;
  requestsPerSecond: number;
  /** From our own per-response timings (sub-millisecond); autocannon's histogram is whole ms. */
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** autocannon's p99, corrected for coordinated omission when a rate is set (whole ms). */
  autocannonP99Ms: number;
  statusCodes: Record<string, number>;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationSeconds: number;
}

export const MERCHANT_TRADE_DATE = '2026/01/15 10:30:00';

export function storeCancelBody(tradeNo: string): string {
  return JSON.stringify({
    type: TYPE,
    store_id: STORE_ID,
    is_test: false,
    request: { MerchantTradeNo: tradeNo, MerchantTradeDate: MERCHANT_TRADE_DATE },
  });
}

/**
 * A LINE_QRCODE_PAY pay in the store scenario (prod): the store's channel, an
 * 18-digit oneTimeKey (TWD), one distinct orderId per call.
 */
export function storeLinePayBody(orderId: string): string {
  return JSON.stringify({
    type: LINE_TYPE,
    store_id: STORE_ID,
    is_test: false,
    request: {
      productName: 'Bench item',
      amount: 10,
      currency: 'TWD',
      orderId,
      oneTimeKey: '123456789012345678',
    },
  });
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

export function drive(options: LoadOptions): Promise<LoadResult> {
  const body = options.body ?? storeCancelBody;
  let sequence = 0;
  const request: AutocannonRequest = {
    method: 'POST',
    path: options.path ?? CANCEL_PATH,
    headers: {
      authorization: `Bearer ${options.token}`,
      'content-type': 'application/json',
    },
    setupRequest(req) {
      sequence += 1;
      return { ...req, body: body(`${options.tradePrefix}${sequence}`) };
    },
  };
  const samples: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        pipelining: 1,
        duration: options.durationSeconds,
        timeout: 20,
        ...(options.overallRate ? { overallRate: options.overallRate } : {}),
        requests: [request],
      },
      (error, result: AutocannonResult) => {
        if (error) {
          reject(error);
          return;
        }
        const sorted = Float64Array.from(samples).sort();
        const mean = samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length);
        const statusCodes: Record<string, number> = {};
        for (const [code, stat] of Object.entries(result.statusCodeStats))
          statusCodes[code] = Number(stat.count);
        resolve({
          requests: samples.length,
          requestsPerSecond: round(samples.length / result.duration, 1),
          latencyMs: {
            p50: round(percentile(sorted, 50)),
            p90: round(percentile(sorted, 90)),
            p99: round(percentile(sorted, 99)),
            max: round(sorted.length ? sorted[sorted.length - 1]! : NaN),
            mean: round(mean),
          },
          autocannonP99Ms: result.latency.p99,
          statusCodes,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          durationSeconds: result.duration,
        });
      },
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => {
      samples.push(ms);
    });
  });
}
