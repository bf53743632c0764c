import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Vitest's global setup: builds the console (dist/console, what the gateway serves at
 * /console/) from the sources before any test runs, so a fresh clone after `npm ci` tests
 * the console as it is now, never a stale or missing build. Well under a second.
 */
export default function buildConsole(): void {
  execFileSync(process.execPath, ['scripts/build.mjs', '--console'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 60_000,
  });
}
