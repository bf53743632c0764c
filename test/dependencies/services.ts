import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort, sleep, waitFor } from '../reliability/helpers.js';

/**
 * Private instances of the gateway's own dependencies, started and stopped by a
 * test or the chaos script: a PostgreSQL cluster of its own (initdb + pg_ctl, as
 * the postgres user when run as root, on a free port, its socket in /tmp) and a
 * redis-server of its own. Never the machine's services on 5432 or 6379. Each
 * registers an exit guard, so a failed run leaves no server behind.
 */

const run = promisify(execFile);

/** The directory of initdb and pg_ctl (the newest installed), or undefined. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

export const redisServerAvailable = (): boolean => {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

const isRoot = (): boolean => process.getuid?.() === 0;

/** A command line run as the postgres user when we are root (PostgreSQL refuses root). */
const asPostgres = (command: string, args: string[]): [string, string[]] =>
  isRoot() ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];

export interface PrivatePostgres {
  port: number;
  /** A URL of database `name` on this cluster. */
  url(name?: string): string;
  /** `pg_ctl stop -m fast`, as a restart or failover does. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Creates an empty database. */
  createDatabase(name: string): Promise<string>;
  /** Stops the cluster (immediate) and removes its directory; safe to call twice. */
  destroy(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL binaries not found under /usr/lib/postgresql');
  const dir = mkdtempSync('/tmp/omnigate-pg-');
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  if (isRoot()) execFileSync('chown', ['postgres:postgres', dir]);
  const pgCtl = (args: string[]) => {
    const [command, all] = asPostgres(join(bin, 'pg_ctl'), args);
    return run(command, all, { timeout: 60_000 });
  };
  let destroyed = false;
  const immediateStop = () => {
    try {
      const [command, all] = asPostgres(join(bin, 'pg_ctl'), [
        '-D',
        data,
        '-m',
        'immediate',
        'stop',
      ]);
      execFileSync(command, all, { stdio: 'ignore', timeout: 20_000 });
    } catch {
      // Not running.
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', immediateStop);
  try {
    const [command, all] = asPostgres(join(bin, 'initdb'), [
      '-D',
      data,
      '-A',
      'trust',
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    await run(command, all, { timeout: 120_000 });
    const port = await freePort();
    // A test cluster: no fsync (it measures availability, not durability), socket in /tmp.
    const options = `-p ${port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off`;
    const start = async () => {
      await pgCtl(['-D', data, '-o', options, '-l', log, '-w', '-t', '60', 'start']);
    };
    await start();
    const url = (name = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${name}`;
    return {
      port,
      url,
      start,
      async stop() {
        await pgCtl(['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
      },
      async createDatabase(name) {
        const client = new pg.Client({ connectionString: url(), connectionTimeoutMillis: 5000 });
        await client.connect();
        try {
          await client.query(`CREATE DATABASE ${name}`);
        } finally {
          await client.end();
        }
        return url(name);
      },
      async destroy() {
        if (destroyed) return;
        destroyed = true;
        await pgCtl(['-D', data, '-m', 'immediate', 'stop']).catch(() => undefined);
        process.off('exit', immediateStop);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    destroyed = true;
    process.off('exit', immediateStop);
    immediateStop();
    throw error;
  }
}

export interface PrivateRedis {
  port: number;
  url: string;
  /** Stops the server (SIGKILL: as a crash, nothing flushed) and waits for its exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** SIGSTOP: the server keeps its connections but answers nothing (a stalled host). */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  destroy(): Promise<void>;
}

/** `redis-server --port N --save "" --appendonly no` of its own, in the foreground. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const guard = () => child?.kill('SIGKILL');
  process.on('exit', guard);
  const start = async () => {
    const server = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = server;
    let output = '';
    server.stdout!.on('data', (d: Buffer) => (output += d.toString('utf8')));
    let gone = false;
    exited = new Promise((resolve) => {
      server.once('exit', () => {
        gone = true;
        resolve();
      });
    });
    await waitFor(
      'redis-server ready',
      () => {
        if (gone) throw new Error(`redis-server exited: ${output}`);
        return /Ready to accept connections/i.test(output) ? true : undefined;
      },
      20_000,
      25,
    );
  };
  const stop = async () => {
    child?.kill('SIGKILL');
    await exited;
    child = undefined;
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    async destroy() {
      child?.kill('SIGCONT');
      await stop();
      process.off('exit', guard);
    },
  };
}

/** A small file system of its own (tmpfs), so that the disk really fills: root only. */
export function mountSmallDisk(): { dir: string; unmount(): void } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const dir = mkdtempSync('/tmp/omnigate-disk-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', dir]);
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  let mounted = true;
  const unmount = () => {
    if (!mounted) return;
    mounted = false;
    try {
      execFileSync('umount', ['-l', dir]);
    } catch {
      // Already gone.
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', unmount);
  return { dir, unmount };
}

/** Writes `file` until the disk is full. */
export function fillDisk(file: string): void {
  const chunk = Buffer.alloc(256 * 1024, 1);
  const fd = openSync(file, 'w');
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

export { sleep };
