import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, killAllNow, stopAll } from './processes.js';

/** Progress lines go to stderr; stdout carries the result's JSON only. */
export const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

export interface BenchTarget {
  name: string;
  target: string;
  value: number | null;
  met: boolean;
}

/**
 * Runs one bench to its end: every child stopped on a signal, at the hard time
 * limit and at exit; the result written to bench/results/<name>-<time>.json and
 * printed as the last line on stdout, its targets logged; exit code 0 when the run
 * completed (targets are reported, never asserted), 1 when it failed.
 */
export async function runBench(
  name: string,
  hardLimitMs: number,
  main: () => Promise<Record<string, unknown> & { at: string; targets: BenchTarget[] }>,
  report: (result: Record<string, unknown>) => void = () => {},
): Promise<void> {
  const hardLimit = setTimeout(() => {
    log(`bench: hard time limit of ${hardLimitMs / 60_000} min reached, stopping everything`);
    killAllNow();
    process.exit(3);
  }, hardLimitMs);
  hardLimit.unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void stopAll().finally(() => process.exit(130));
    });
  }
  process.once('exit', killAllNow);

  try {
    const result = await main();
    const dir = join(ROOT, 'bench/results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${name}-${result.at.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    log(`written: ${file}`);
    report(result);
    for (const t of result.targets)
      log(`target ${t.name} ${t.target}: ${t.value} ${t.met ? 'met' : 'MISSED'}`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exitCode = 0;
  } catch (error) {
    log(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.stdout.write(`${JSON.stringify({ bench: name, error: String(error) })}\n`);
    process.exitCode = 1;
  }
}
