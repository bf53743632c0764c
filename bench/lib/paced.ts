import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import {
  CANCEL_PATH,
  type LoadOptions,
  type LoadResult,
  percentile,
  storeCancelBody,
} from './load.js';
import { round } from './processes.js';

/**
 * An open-loop load at an even rate: request i is due at start + i / rate, and
 * its latency counts from that due time (so a slow answer that delays later
 * requests is not hidden: no coordinated omission). autocannon's `overallRate`
 * sends each second's requests in a burst, which measures its own queue.
 */
export async function pacedDrive(options: LoadOptions & { rate: number }): Promise<LoadResult> {
  const body = options.body ?? storeCancelBody;
  const origin = new URL(options.url).origin;
  const pool = new Pool(origin, { connections: options.connections, pipelining: 1 });
  const headers = { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' };
  const total = Math.floor(options.rate * options.durationSeconds);
  const interval = 1000 / options.rate;
  const samples: number[] = [];
  const statusCodes: Record<string, number> = {};
  let errors = 0;
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i += 1) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(
      pool
        .request({
          method: 'POST',
          path: options.path ?? CANCEL_PATH,
          headers,
          body: body(`${options.tradePrefix}${i}`),
        })
        .then(async (res) => {
          await res.body.dump();
          samples.push(performance.now() - due);
          statusCodes[res.statusCode] = (statusCodes[res.statusCode] ?? 0) + 1;
        })
        .catch(() => {
          errors += 1;
        }),
    );
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - start) / 1000;
  await pool.close();
  const sorted = Float64Array.from(samples).sort();
  const non2xx = Object.entries(statusCodes)
    .filter(([code]) => !code.startsWith('2'))
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    requests: samples.length,
    requestsPerSecond: round(samples.length / seconds, 1),
    latencyMs: {
      p50: round(percentile(sorted, 50)),
      p90: round(percentile(sorted, 90)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted.length ? sorted[sorted.length - 1]! : NaN),
      mean: round(samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length)),
    },
    autocannonP99Ms: NaN,
    statusCodes,
    non2xx,
    errors,
    timeouts: 0,
    durationSeconds: round(seconds, 1),
  };
}
