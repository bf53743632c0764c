import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Child processes of the bench (gateways, the upstream stand-in, the sandbox)
 * and their own process accounting from /proc. Every child is registered so that
 * `stopAll` ends it, on success, on failure and on a signal.
 */

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The CLI through tsx: provisioning commands and the sandbox. */
export const BIN = fileURLToPath(new URL('../../bin/omnigate.mjs', import.meta.url));
/** The CLI from the prebuilt bundle, as `npm start` runs the gateway; see `buildBundle`. */
export const DIST_BIN = fileURLToPath(new URL('../../bin/omnigate-dist.mjs', import.meta.url));

let built = false;

/**
 * `node scripts/build.mjs` (dist/omnigate.mjs, which DIST_BIN runs), as `npm start`
 * does before it starts the gateway: once per bench run.
 */
export function buildBundle(): void {
  if (built) return;
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], {
    cwd: ROOT,
    timeout: 60_000,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  built = true;
}

const children = new Set<ChildProcess>();

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Our environment without any OMNIGATE_* or NODE_OPTIONS setting, plus `extra`. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('OMNIGATE_') || key === 'NODE_OPTIONS' || key === 'NODE_ENV') continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

export interface Started {
  child: ChildProcess;
  pid: number;
  /** The first JSON object the child printed on stdout. */
  hello: Record<string, unknown>;
  stderr(): string;
}

/**
 * Spawns `node ...args` and waits for its first stdout line that is a JSON object
 * (the `--json` report of `omnigate serve`/`sandbox`, or the stand-in's port).
 */
export function startChild(
  args: string[],
  env: NodeJS.ProcessEnv,
  what: string,
  timeoutMs = 30_000,
): Promise<Started> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    // Keep the tail only: a gateway at warn level is quiet, but be bounded anyway.
    err = (err + chunk.toString('utf8')).slice(-20_000);
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} did not start within ${timeoutMs} ms\n${err}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString('utf8');
      for (const line of out.split('\n')) {
        const trimmed = line.trim();
        if (!trimmed.startsWith('{')) continue;
        try {
          const hello = JSON.parse(trimmed) as Record<string, unknown>;
          clearTimeout(timer);
          child.stdout!.off('data', onData);
          child.stdout!.resume();
          resolve({ child, pid: child.pid!, hello, stderr: () => err });
          return;
        } catch {
          // a partial line: wait for more
        }
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited early (${code ?? signal})\n${err}`));
    });
  });
}

/** Runs `node bin/omnigate.mjs --json ...args` to completion and parses its one JSON object. */
export function omnigateCli(args: string[], env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out = execFileSync(process.execPath, [BIN, '--json', ...args], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 60_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
export function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((child) => stopChild(child)));
}

/** Last resort (process exit): no waiting possible, so SIGKILL what is left. */
export function killAllNow(): void {
  for (const child of children) child.kill('SIGKILL');
}

let clockTicks: number | undefined;

/** `getconf CLK_TCK`: the unit of utime and stime in /proc/<pid>/stat. */
export function ticksPerSecond(): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return clockTicks;
}

/** utime + stime of a process (all its threads), in milliseconds. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / ticksPerSecond();
}

/** VmHWM (peak) and VmRSS (now) of a process, in MB (1 MB = 2^20 bytes). */
export function memoryMb(pid: number): { peakRssMb: number; rssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string): number =>
    Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { peakRssMb: round(kib('VmHWM') / 1024, 1), rssMb: round(kib('VmRSS') / 1024, 1) };
}

export const round = (value: number, digits = 3): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/** Busy CPU time of the whole machine (all cores, everything but idle and iowait), in ms. */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user)
  const busy = ticks.slice(0, 8).reduce((sum, t, i) => (i === 3 || i === 4 ? sum : sum + t), 0);
  return (busy * 1000) / ticksPerSecond();
}
