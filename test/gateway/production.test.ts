import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';

const BIN = resolve(__dirname, '../../bin/omnigate.mjs');

function serve(
  cwd: string,
  env: Record<string, string>,
): { child: ChildProcess; out: () => string } {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    cwd,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      OMNIGATE_PORT: '0',
      OMNIGATE_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  return { child, out: () => out };
}

const exited = (child: ChildProcess): Promise<number | null> =>
  new Promise((r) =>
    child.exitCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code)),
  );

/** A production start (NODE_ENV=production): no sandbox, no demo, a master key or nothing. */
describe('production start', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'omnigate-prod-'));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('defaults: no sandbox, production environment when is_test is omitted', () => {
    const config = loadConfig({ NODE_ENV: 'production' });
    expect(config).toMatchObject({ production: true, sandbox: false, defaultIsTest: false });
    expect(config.env.OMNIGATE_ICASH_TEST_URL).toBeUndefined();
    expect(loadConfig({})).toMatchObject({ production: false, sandbox: true, defaultIsTest: true });
  });

  it('refuses to start without OMNIGATE_MASTER_KEY and writes no key file', async () => {
    const { child, out } = serve(cwd, { OMNIGATE_MASTER_KEY: '' });
    expect(await exited(child)).toBe(1);
    expect(out()).toContain('OMNIGATE_MASTER_KEY is required for a production start');
    expect(existsSync(join(cwd, 'data', 'master.key'))).toBe(false);
  });

  it('with a master key: serves, runs no sandbox and provisions no demo', async () => {
    const { child, out } = serve(cwd, { OMNIGATE_MASTER_KEY: randomBytes(32).toString('base64') });
    try {
      const deadline = Date.now() + 60_000;
      while (!/omnigate listening on (http:\/\/\S+)/.test(out()) && Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(out());
        await new Promise((r) => setTimeout(r, 50));
      }
      const url = /omnigate listening on (http:\/\/\S+)/.exec(out())![1]!;
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect(out()).not.toContain('sandbox on');
      expect(out()).not.toContain('omnigate demo');
      expect(out()).not.toContain('client_secret');
    } finally {
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
    }
  });
});
