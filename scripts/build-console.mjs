/**
 * The console's build (docs/console.md), called by scripts/build.mjs: src/console/main.ts and
 * src/console/styles.css (with uPlot's stylesheet) bundled and minified by esbuild into
 * OUTDIR (dist/console next to the server bundle), named by content hash, each with a
 * gzip twin the gateway serves to browsers that accept it, and index.html naming them.
 * No inline script or style anywhere: the console's Content-Security-Policy forbids both.
 *
 * Files are written under a temporary name and renamed, index.html last, so a browser
 * loading the console meanwhile never gets half a file or a page naming a missing one;
 * files of earlier builds are removed afterwards.
 */
import { build } from 'esbuild';
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Buffer } from 'node:buffer';

/** The issue's budget for the console's JavaScript, gzipped. */
export const JS_BUDGET_BYTES = 300 * 1024;

const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">' +
  '<rect width="32" height="32" rx="7" fill="#0f4c81"/>' +
  '<circle cx="16" cy="16" r="8" fill="none" stroke="#fff" stroke-width="3"/></svg>\n';

const page = (script, stylesheet) =>
  [
    '<!doctype html>',
    '<html lang="zh-Hant-TW">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    '<title>omnigate 控制台</title>',
    '<link rel="icon" href="favicon.svg" type="image/svg+xml">',
    `<link rel="stylesheet" href="${stylesheet}">`,
    `<script type="module" src="${script}"></script>`,
    '</head>',
    '<body>',
    '<div id="app"><p class="boot">omnigate 控制台載入中…</p></div>',
    '<noscript><p class="boot">omnigate 控制台需要 JavaScript。The console needs JavaScript.</p></noscript>',
    '</body>',
    '</html>',
    '',
  ].join('\n');

function writeAtomically(path, contents) {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

/**
 * Builds the console into `outdir`. Returns what a first load fetches: each file with its
 * size and gzipped size, in bytes.
 */
export async function buildConsole(root, outdir) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: { app: 'src/console/main.ts', styles: 'src/console/styles.css' },
    outdir,
    entryNames: '[name]-[hash]',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome109', 'firefox115', 'safari15.6'],
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    metafile: true,
    logLevel: 'warning',
    write: false,
  });
  mkdirSync(outdir, { recursive: true });
  const files = new Map();
  for (const file of result.outputFiles) files.set(basename(file.path), file.contents);
  const script = [...files.keys()].find((n) => n.startsWith('app-') && n.endsWith('.js'));
  const stylesheet = [...files.keys()].find((n) => n.startsWith('styles-') && n.endsWith('.css'));
  if (!script || !stylesheet) throw new Error('the console build produced no script or stylesheet');
  files.set('favicon.svg', Buffer.from(FAVICON));
  files.set('index.html', Buffer.from(page(script, stylesheet)));

  const sizes = [];
  const written = new Set();
  const ordered = [...files.keys()].sort((a, b) =>
    a === 'index.html' ? 1 : b === 'index.html' ? -1 : a.localeCompare(b),
  );
  for (const name of ordered) {
    const contents = files.get(name);
    const gzipped = gzipSync(contents, { level: 9 });
    // The gzip twin first, so the plain file is never served without it.
    writeAtomically(join(outdir, `${name}.gz`), gzipped);
    writeAtomically(join(outdir, name), contents);
    written.add(name).add(`${name}.gz`);
    sizes.push({ name, bytes: contents.length, gzipBytes: gzipped.length });
  }
  for (const name of readdirSync(outdir)) {
    if (!written.has(name) && !name.endsWith('.tmp')) rmSync(join(outdir, name), { force: true });
  }
  return sizes;
}

const kB = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;

/**
 * Links a shop's browser may load the console over, for the first-load estimate: the
 * time is the round trips a cold load needs (connection; index.html; the script and
 * stylesheet, fetched together; the session check) plus the bytes at the link's rate.
 * An estimate from the bytes built, not a measurement: the browser test measures a
 * real load (docs/console/first-load.json).
 */
const LINKS = [
  { name: '10 Mbit/s, 50 ms round trips', bitsPerSecond: 10e6, rttMs: 50 },
  { name: '1.6 Mbit/s, 150 ms round trips', bitsPerSecond: 1.6e6, rttMs: 150 },
];
const COLD_LOAD_ROUND_TRIPS = 4;

/** The first-load estimate on one link, in seconds. */
export function firstLoadSeconds(bytes, link) {
  return (COLD_LOAD_ROUND_TRIPS * link.rttMs) / 1000 + (bytes * 8) / link.bitsPerSecond;
}

/** The lines `npm run build` prints about the console: every file, the JavaScript total and its budget. */
export function consoleReport(shownDir, sizes, measured) {
  const js = sizes.filter((s) => s.name.endsWith('.js'));
  const jsGzip = js.reduce((n, s) => n + s.gzipBytes, 0);
  const firstLoad = sizes.reduce((n, s) => n + s.gzipBytes, 0);
  return [
    `built ${shownDir}/ (the console):`,
    ...sizes.map(
      (s) => `  ${s.name.padEnd(28)} ${kB(s.bytes).padStart(9)}  gzip ${kB(s.gzipBytes)}`,
    ),
    `  JavaScript ${kB(jsGzip)} gzipped (budget ${kB(JS_BUDGET_BYTES)}` +
      `${jsGzip > JS_BUDGET_BYTES ? ': OVER BUDGET' : ''}); ` +
      `first load ${kB(firstLoad)} over the wire in ${sizes.length} requests`,
    `  first-load time (estimated from those bytes): ${LINKS.map(
      (link) => `${firstLoadSeconds(firstLoad, link).toFixed(2)} s on ${link.name}`,
    ).join('; ')}`,
    ...(measured
      ? [
          `  first-load time measured by the browser test (chromium, cold cache, loopback): ` +
            `DOMContentLoaded ${measured.dom_content_loaded_ms} ms, ` +
            `login form ${measured.login_form_shown_ms} ms (docs/console/first-load.json)`,
        ]
      : []),
  ];
}
