import { connect } from 'node:net';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

/** Whether PostgreSQL answers on the test address (it does on this machine and in CI). */
function postgresReachable(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: 5432, timeout: 1000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * Tests that exercise the database through the gateway run twice: on SQLite
 * files and on PostgreSQL. Tests of SQLite files, processes started by
 * `npm start` or the CLI's default data dir run on SQLite only.
 */
const BOTH_BACKENDS = [
  'test/gateway/**/*.test.ts',
  'test/reliability/{reconcile,idempotency}.test.ts',
  'test/store/migrations.test.ts',
  'test/store/ledger-list.test.ts',
  'test/security/**/*.test.ts',
  'test/webhooks/**/*.test.ts',
];
const SQLITE_ONLY = [
  'test/gateway/demo.test.ts',
  'test/gateway/production.test.ts',
  'test/webhooks/restart.test.ts',
  'test/webhooks/secrets.test.ts',
];

export default defineConfig(async (): Promise<ViteUserConfig> => {
  const withPostgres = process.env.OMNIGATE_TEST_POSTGRES !== 'off' && (await postgresReachable());
  if (!withPostgres)
    process.stdout.write('PostgreSQL not reachable: the postgres test project is skipped\n');
  return {
    test: {
      testTimeout: 30_000,
      hookTimeout: 60_000,
      pool: 'forks',
      // The console's build (dist/console), which the gateway serves and the browser tests load.
      globalSetup: ['./test/support/console-build.ts'],
      reporters: ['default', './test/support/summary-reporter.ts'],
      projects: [
        { extends: true, test: { name: 'sqlite', include: ['test/**/*.test.ts'] } },
        ...(withPostgres
          ? [
              {
                extends: true as const,
                test: {
                  name: 'postgres',
                  include: BOTH_BACKENDS,
                  exclude: SQLITE_ONLY,
                  env: { OMNIGATE_TEST_BACKEND: 'postgres' },
                },
              },
            ]
          : []),
      ],
    },
  };
});
