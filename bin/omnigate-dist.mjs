#!/usr/bin/env node
// The `omnigate` command from the prebuilt bundle (`npm run build` writes dist/omnigate.mjs):
// what `npm start` runs, with no TypeScript transformation at start-up. bin/omnigate.mjs runs
// the sources through tsx instead, for a checkout without a build step.
const { main } = await import('../dist/omnigate.mjs');
process.exitCode = await main(process.argv);
