/**
 * `npm run bench`: the cost per cancel (bench/cancel.ts), or with `--admin` the
 * operators' list and CSV on a million ledger rows (bench/admin.ts). docs/performance.md.
 */
if (process.argv.includes('--admin')) await import('./admin.js');
else await import('./cancel.js');
