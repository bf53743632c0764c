import type Database from 'better-sqlite3';
import { IcashSimulator } from './icash-pay/index.js';
import { LinePaySimulator } from './line-pay/index.js';

/** The wallet simulators one sandbox server runs: one line per wallet. */
export function buildWallets(db: Database.Database, sleep: (ms: number) => Promise<void>) {
  const icash = new IcashSimulator(db, sleep);
  const linePay = new LinePaySimulator(db, sleep);
  return { icash, linePay, all: [icash, linePay] as const };
}

/** The simulators of one sandbox, by name. */
export type SandboxWallets = ReturnType<typeof buildWallets>;
