import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP, consoleRoutes } from '../../src/http/routes/console.js';
import { startTestGateway, type TestGateway } from '../gateway/helpers.js';

const DIST = fileURLToPath(new URL('../../dist/console', import.meta.url));

/** A GET with exactly the headers given (fetch would add and decode its own Accept-Encoding). */
function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    })
      .on('error', reject)
      .end();
  });
}

/**
 * The console as the gateway serves it (the build is vitest's global setup): the page and its
 * hashed assets, the security headers on each, gzip, and nothing but the built files.
 */
describe('the console at /console/', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('/console redirects to /console/, which is the page under the strict CSP', async () => {
    const bare = await get(`${t.url}/console`);
    expect(bare.status).toBe(301);
    expect(bare.headers.location).toBe('/console/');

    const page = await get(`${t.url}/console/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
    expect(CONSOLE_CSP).toBe(page.headers['content-security-policy']);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['cache-control']).toBe('no-cache');

    const html = page.body.toString('utf8');
    expect(html).toContain('<html lang="zh-Hant-TW">');
    // No inline script or style: every script names its file, no style element or attribute.
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    expect(scripts[0]![1]).toMatch(/\bsrc="app-[A-Z0-9]{8}\.js"/);
    expect(scripts[0]![2]).toBe('');
    expect(html).not.toMatch(/<style\b|\bstyle=|\bon[a-z]+=/i);
    expect(html).toMatch(/<link rel="stylesheet" href="styles-[A-Z0-9]{8}\.css">/);
  });

  it('serves the hashed assets for a year, gzipped to a browser that accepts it', async () => {
    const html = (await get(`${t.url}/console/`)).body.toString('utf8');
    const script = /src="(app-[A-Z0-9]{8}\.js)"/.exec(html)![1]!;
    const plain = await get(`${t.url}/console/${script}`);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(plain.body.equals(readFileSync(join(DIST, script)))).toBe(true);

    const zipped = await get(`${t.url}/console/${script}`, { 'accept-encoding': 'gzip, br' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('accept-encoding');
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
    expect(zipped.body.length).toBeLessThan(plain.body.length / 2);

    expect((await get(`${t.url}/console/favicon.svg`)).headers['content-type']).toBe(
      'image/svg+xml',
    );
  });

  it('serves the built files only: no other path, no gzip twin by name, no traversal', async () => {
    for (const path of [
      '/console/package.json',
      '/console/app.js',
      '/console/index.html.gz',
      '/console/..%2fpackage.json',
      '/console/%2e%2e%2f%2e%2e%2fpackage.json',
      '/console/.env',
      '/console/main.ts',
      '/console/sub/index.html',
    ]) {
      const res = await get(`${t.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.body.toString('utf8'), path).not.toContain('"dependencies"');
    }
  });

  it("the console's JavaScript stays under its budget of 300 kB gzipped", () => {
    const js = readdirSync(DIST).filter((name) => name.endsWith('.js.gz'));
    expect(js).toHaveLength(1);
    const bytes = js.reduce((n, name) => n + readFileSync(join(DIST, name)).length, 0);
    expect(bytes).toBeLessThan(300 * 1024);
  });

  it('npm run build reports the bundle size and the first-load time (estimated, and as last measured)', () => {
    const run = spawnSync(process.execPath, ['scripts/build.mjs', '--console'], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(0);
    const report = run.stderr;
    expect(report).toMatch(/JavaScript \d+\.\d kB gzipped \(budget 300\.0 kB\)/);
    expect(report).toMatch(
      /first-load time \(estimated from those bytes\): \d+\.\d\d s on 10 Mbit\/s, 50 ms round trips; \d+\.\d\d s on 1\.6 Mbit\/s/,
    );
    expect(report).toMatch(/measured by the browser test .*DOMContentLoaded \d+ ms/);
  });

  it('a gateway without a build answers 503 console_not_built, with the way to build it', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'omnigate-no-console-'));
    const app = Fastify();
    try {
      await app.register(consoleRoutes, { dir: empty });
      const res = await app.inject({ method: 'GET', url: '/console/' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ code: 'console_not_built' });
      expect(res.json().message).toContain('npm run build');
    } finally {
      await app.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
