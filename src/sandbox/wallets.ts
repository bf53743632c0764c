import type Database from 'better-sqlite3';
import { IcashSimulator } from './icash-pay/index.js';

/** The wallet simulators one sandbox server runs: one line per wallet. */
export function buildWallets(db: Database.Database, sleep: (ms: number) => Promise<void>) {
  const icash = new IcashSimulator(db, sleep);
  return { icash, all: [icash] as const };
}
