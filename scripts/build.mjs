#!/usr/bin/env node
/**
 * `npm run build`: bundles the CLI (src/cli/main.ts and everything it imports
 * from src/) into one ES module, dist/omnigate.mjs, plus its source map, and the
 * console (src/console/) into dist/console/ beside it (scripts/build-console.mjs),
 * printing the sizes. `npm start` runs this first and then bin/omnigate-dist.mjs,
 * so production never transforms TypeScript at start-up (see docs/deployment.md).
 *
 *   node scripts/build.mjs [OUTFILE]     (default: dist/omnigate.mjs; the console: OUTFILE's folder/console)
 *   node scripts/build.mjs --console     (the console only, into dist/console: what the tests run first)
 *
 * Packages stay external: they are loaded from node_modules at run time
 * (better-sqlite3 is native; pg is required lazily), so OUTFILE must be inside
 * the checkout for Node to find them. The files are written under a temporary
 * name and renamed, so a process starting meanwhile never reads half a bundle.
 */
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { URL, fileURLToPath } from 'node:url';
import { buildConsole, consoleReport } from './build-console.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const started = performance.now();
const consoleOnly = process.argv[2] === '--console';
const outfile = resolve(
  (consoleOnly ? undefined : process.argv[2]) ?? resolve(ROOT, 'dist/omnigate.mjs'),
);
const shownPath = (path) => {
  const shown = relative(process.cwd(), path);
  return shown.startsWith('..') ? path : shown;
};

const consoleDir = resolve(dirname(outfile), 'console');
const consoleStarted = performance.now();
const consoleSizes = await buildConsole(ROOT, consoleDir);
/** The last load the browser test measured, when the checkout has one. */
const measuredFile = resolve(ROOT, 'docs/console/first-load.json');
const measured = existsSync(measuredFile)
  ? JSON.parse(readFileSync(measuredFile, 'utf8'))
  : undefined;
process.stderr.write(
  `${consoleReport(shownPath(consoleDir), consoleSizes, measured).join('\n')}\n` +
    `  in ${Math.round(performance.now() - consoleStarted)} ms\n`,
);
if (consoleOnly) process.exit(0);

const result = await build({
  absWorkingDir: ROOT,
  entryPoints: ['src/cli/main.ts'],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
  write: false,
});

mkdirSync(dirname(outfile), { recursive: true });
// The map first, so the bundle that names it never appears without it.
const files = [...result.outputFiles].sort((a, b) =>
  a.path.endsWith('.map') === b.path.endsWith('.map') ? 0 : a.path.endsWith('.map') ? -1 : 1,
);
for (const file of files) {
  const temporary = `${file.path}.${process.pid}.tmp`;
  writeFileSync(temporary, file.contents);
  renameSync(temporary, file.path);
}

const bytes = files.find((f) => f.path === outfile)?.contents.length ?? 0;
process.stderr.write(
  `built ${shownPath(outfile)} (${Math.round(bytes / 1024)} kB) ` +
    `in ${Math.round(performance.now() - started)} ms\n`,
);
