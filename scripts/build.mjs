#!/usr/bin/env node
/**
 * `npm run build`: bundles the CLI (src/cli/main.ts and everything it imports
 * from src/) into one ES module, dist/omnigate.mjs, plus its source map.
 * `npm start` runs this first and then bin/omnigate-dist.mjs, so production
 * never transforms TypeScript at start-up (see docs/deployment.md).
 *
 *   node scripts/build.mjs [OUTFILE]     (default: dist/omnigate.mjs)
 *
 * Packages stay external: they are loaded from node_modules at run time
 * (better-sqlite3 is native; pg is required lazily), so OUTFILE must be inside
 * the checkout for Node to find them. The files are written under a temporary
 * name and renamed, so a process starting meanwhile never reads half a bundle.
 */
import { build } from 'esbuild';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { URL, fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const started = performance.now();
const outfile = resolve(process.argv[2] ?? resolve(ROOT, 'dist/omnigate.mjs'));

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
const shown = relative(process.cwd(), outfile);
process.stderr.write(
  `built ${shown.startsWith('..') ? outfile : shown} (${Math.round(bytes / 1024)} kB) ` +
    `in ${Math.round(performance.now() - started)} ms\n`,
);
