import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const run = (args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd: ROOT, env, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });

const exited = (child: ChildProcess): Promise<number | null> =>
  new Promise((r) =>
    child.exitCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code)),
  );

/**
 * What `npm start` runs: scripts/build.mjs writes the bundle, bin/omnigate-dist.mjs
 * runs it with plain node (no tsx). The bundle is built into a directory of its own,
 * so the test never races a real dist/; that directory is inside the checkout
 * (under dist/), because the bundle loads its packages from node_modules.
 */
describe('the built bundle (npm start)', { timeout: 120_000 }, () => {
  let buildDir: string;
  let entry: string;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let built: Run;
  const outfile = (): string => join(buildDir, 'dist', 'omnigate.mjs');

  beforeAll(async () => {
    mkdirSync(join(ROOT, 'dist'), { recursive: true });
    buildDir = mkdtempSync(join(ROOT, 'dist', '.test-'));
    dataDir = mkdtempSync(join(tmpdir(), 'omnigate-bundle-'));
    const unset = new Set([
      'OMNIGATE_DATABASE_URL',
      'OMNIGATE_MASTER_KEY',
      'NODE_ENV',
      'NODE_OPTIONS',
    ]);
    env = {
      ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !unset.has(name))),
      OMNIGATE_DATA_DIR: dataDir,
      OMNIGATE_PORT: '0',
      OMNIGATE_SANDBOX_PORT: '0',
      OMNIGATE_LOG_LEVEL: 'warn',
    };
    // The same layout as the checkout: bin/omnigate-dist.mjs imports ../dist/omnigate.mjs.
    mkdirSync(join(buildDir, 'bin'));
    entry = join(buildDir, 'bin', 'omnigate-dist.mjs');
    copyFileSync(join(ROOT, 'bin', 'omnigate-dist.mjs'), entry);
    built = await run(['scripts/build.mjs', outfile()]);
  });

  afterAll(() => {
    rmSync(buildDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('scripts/build.mjs writes the bundle and its source map to the path it is given', () => {
    expect(built.code, built.stderr).toBe(0);
    expect(built.stderr).toMatch(/^built .*omnigate\.mjs \(\d+ kB\) in \d+ ms$/m);
    expect(existsSync(outfile())).toBe(true);
    expect(existsSync(`${outfile()}.map`)).toBe(true);
  });

  it('--help and an unknown command answer as bin/omnigate.mjs (tsx) does', async () => {
    for (const args of [['--help'], ['no-such-command']]) {
      const bundled = await run([entry, ...args], env);
      const tsx = await run(['bin/omnigate.mjs', ...args], env);
      expect(bundled).toEqual(tsx);
    }
  });

  for (const mode of ['development', 'production'] as const) {
    it(`serve (${mode}) listens and answers /healthz and /readyz; SIGTERM ends it with 0`, async () => {
      const modeDir = join(dataDir, mode);
      mkdirSync(modeDir);
      const child = spawn(process.execPath, [entry, 'serve'], {
        cwd: modeDir,
        env: {
          ...env,
          OMNIGATE_DATA_DIR: modeDir,
          NODE_ENV: mode,
          ...(mode === 'production'
            ? { OMNIGATE_MASTER_KEY: randomBytes(32).toString('base64') }
            : {}),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
      child.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
      try {
        const deadline = Date.now() + 60_000;
        while (!/omnigate listening on (http:\/\/\S+)/.test(out) && Date.now() < deadline) {
          if (child.exitCode !== null) throw new Error(out);
          await new Promise((r) => setTimeout(r, 50));
        }
        const url = /omnigate listening on (http:\/\/\S+)/.exec(out)?.[1];
        expect(url, out).toBeDefined();
        const health = await fetch(`${url}/healthz`);
        expect(health.status).toBe(200);
        expect(await health.json()).toEqual({ status: 'ok' });
        // Readiness queries the database: better-sqlite3 (native) loaded from the bundle.
        expect((await fetch(`${url}/readyz`)).status).toBe(200);
        if (mode === 'development') expect(out).toContain('omnigate demo');
        else expect(out).not.toContain('omnigate demo');
      } finally {
        const running = child.exitCode === null;
        child.kill('SIGTERM');
        const code = await exited(child);
        if (running) expect(code, out).toBe(0);
      }
    });
  }
});
