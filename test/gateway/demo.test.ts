import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = resolve(__dirname, '../../bin/omnigate.mjs');
const BEGIN = '# ---- omnigate demo: copy and paste into a shell ----';
const END = '# ---- end of demo ----';

/**
 * Starts `omnigate serve` with `npm start`'s settings (from the sources; the built bundle
 * is started by test/cli/bundle.test.ts) and collects stdout until `until` appears.
 */
function serve(
  cwd: string,
  args = ['serve'],
  logLevel = 'warn',
): { child: ChildProcess; output: (until: string) => Promise<string>; errors: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: {
      ...process.env,
      OMNIGATE_PORT: '0',
      OMNIGATE_SANDBOX_PORT: '0',
      OMNIGATE_LOG_LEVEL: logLevel,
      NODE_ENV: 'development',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const output = (until: string) =>
    new Promise<string>((resolvePromise, reject) => {
      const started = Date.now();
      const poll = setInterval(() => {
        if (out.includes(until)) {
          clearInterval(poll);
          resolvePromise(out);
        } else if (child.exitCode !== null || Date.now() - started > 60_000) {
          clearInterval(poll);
          reject(new Error(`serve did not print ${until}: ${out}\n${err}`));
        }
      }, 50);
    });
  return { child, output, errors: () => err };
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolvePromise) => {
    child.once('exit', (code) => resolvePromise(code));
    child.kill('SIGTERM');
  });
}

describe('npm start demo', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'omnigate-demo-'));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('prints curl commands that work exactly as printed: icash pay, search, cancel, search, pay, partial refund, search; LINE Pay key, pay, search, partial refund, search', async () => {
    const first = serve(cwd);
    try {
      const out = await first.output(END);
      const script = out.slice(out.indexOf(BEGIN), out.indexOf(END) + END.length);
      const lines = execFileSync('bash', ['-e', '-c', script], {
        encoding: 'utf8',
        timeout: 60_000,
      })
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { RtnCode: number; EncData: Record<string, unknown> });
      expect(lines).toHaveLength(12);
      const [pay, search1, cancel, search2, pay2, refund, search3] = lines;

      // The console: its URL and the demo admin's login, printed once; the login works.
      const consoleUrl = /^# The console: (http:\/\/\S+\/console\/) {2}log in as (\S+) /m.exec(
        script,
      );
      const password = /^# {3}password (\S+)$/m.exec(script)?.[1];
      expect(consoleUrl?.[2]).toBe('demo@omnigate.local');
      expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect((await fetch(consoleUrl![1]!)).status).toBe(200);
      const gateway = new URL(consoleUrl![1]!).origin;
      const login = await fetch(`${gateway}/admin/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: consoleUrl![2], password }),
      });
      expect(login.status).toBe(200);
      const session = (await login.json()) as { user: { role: string; company_id: string } };
      expect(session.user.role).toBe('admin');
      expect(script).toContain(`# company ${session.user.company_id}, store 0001.`);
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const seen = await fetch(`${gateway}/admin/v1/transactions`, { headers: { cookie } });
      // Each call of the walk-through (icash 7, LINE Pay 4) is a row the demo admin sees.
      expect(((await seen.json()) as { data: unknown[] }).data).toHaveLength(11);
      const [linePay, lineSearch, lineRefund, lineSearch2] = lines.slice(7) as unknown as Record<
        string,
        unknown
      >[];
      expect(linePay).toMatchObject({ returnCode: '0000', info: { payInfo: [{ amount: 300 }] } });
      expect(lineSearch).toMatchObject({ returnCode: '0000' });
      expect(lineRefund).toMatchObject({ returnCode: '0000' });
      expect(lineSearch2).toMatchObject({
        returnCode: '0000',
        info: [{ refundList: [{ refundAmount: -100 }] }],
      });
      expect(pay!.RtnCode).toBe(1);
      expect(pay!.EncData.TotalAmount).toBe(100);
      expect(search1!.EncData.TradeStatus).toBe('1');
      expect(cancel!.RtnCode).toBe(1);
      expect(search2!.EncData.TradeStatus).toBe('4');
      expect(pay2).toMatchObject({ RtnCode: 1, EncData: { TotalAmount: 500 } });
      expect(refund).toMatchObject({
        RtnCode: 1,
        EncData: { RefundTotalAmount: 200, OTotalAmount: 500 },
      });
      expect(search3!.EncData).toMatchObject({ TradeStatus: '3', TotalAmount: 500 });

      // The demo's webhook endpoint on the sandbox receives every outcome, no search.
      const inbox = /curl -s (\S+\/sandbox\/webhooks)/.exec(script)![1]!;
      const expected = 6; // icash pay, cancel, pay, refund; LINE Pay pay, refund
      let hooks: { webhook_id: string; body: { type: string; data: { operation: string } } }[] = [];
      for (let i = 0; i < 200 && hooks.length < expected; i += 1) {
        if (i > 0) await new Promise((r) => setTimeout(r, 100));
        hooks = ((await (await fetch(inbox)).json()) as { webhooks: typeof hooks }).webhooks;
      }
      expect(hooks).toHaveLength(expected);
      expect(new Set(hooks.map((h) => h.webhook_id)).size).toBe(expected);
      expect(hooks.map((h) => h.body.type)).toEqual(Array(expected).fill('transaction.succeeded'));
      expect(hooks.map((h) => h.body.data.operation).sort()).toEqual([
        'cancel',
        'pay',
        'pay',
        'pay',
        'refund',
        'refund',
      ]);
    } finally {
      expect(await stop(first.child)).toBe(0);
    }

    // A second start keeps the data and does not provision (or print a secret) again.
    const second = serve(cwd);
    try {
      const out = await second.output('omnigate listening on');
      await new Promise((r) => setTimeout(r, 300));
      expect(out).not.toContain(BEGIN);
      expect(out).not.toContain('client_secret=');
      expect(out).not.toMatch(/password [A-Za-z0-9_-]{24}/);
      expect(out).toMatch(/# The console: http:\/\/\S+\/console\/ \(demo@omnigate\.local; /);
    } finally {
      expect(await stop(second.child)).toBe(0);
    }
  });

  it('--json serve: stdout is exactly one JSON object (the demo in it), the log lines go to stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omnigate-demo-json-'));
    try {
      for (const first of [true, false]) {
        const run = serve(dir, ['--json', 'serve'], 'info');
        try {
          const out = await run.output('}\n');
          await new Promise((r) => setTimeout(r, 300));
          const lines = out.split('\n').filter(Boolean);
          expect(lines).toHaveLength(1);
          const hello = JSON.parse(lines[0]!) as Record<string, unknown>;
          expect(Object.keys(hello).sort()).toEqual(['console', 'demo', 'sandbox', 'url']);
          expect(hello.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
          expect(hello.console).toBe(`${hello.url}/console/`);
          expect(hello.sandbox).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
          if (first) {
            expect(hello.demo).toContain(BEGIN);
            expect(hello.demo).toContain('client_secret=');
          } else {
            // A reminder of the demo, never its secret again.
            expect(hello.demo).toMatch(/^# The demo \(company cmp_/);
            expect(hello.demo).not.toContain('client_secret=');
          }
          expect(run.errors()).toMatch(/"level":30.*"msg":"omnigate listening"/);
        } finally {
          expect(await stop(run.child)).toBe(0);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
