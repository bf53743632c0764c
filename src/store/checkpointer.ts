import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

/**
 * The WAL size at which the gateway's own connection still checkpoints by
 * itself: only reached if the background checkpointer falls behind or stops.
 */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;
const WAL_SIZE_LIMIT_BYTES = 16 * 1024 * 1024;

/**
 * Runs in a worker thread on a connection of its own. Every `intervalMs` it
 * reads how many commits the gateway made (a shared counter); past
 * `commitsPerCheckpoint` it runs a PASSIVE checkpoint (never blocking a writer)
 * and repeats it while commits arrived during the copy, so that it catches up
 * and the gateway's next commit rewinds the WAL to its start. Plain JavaScript,
 * so it runs the same from the sources and from the bundle.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const commits = new Int32Array(workerData.counter);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
let done = Atomics.load(commits, 0);
let timer;
function pass() {
  try {
    for (let round = 0; round < 8; round += 1) {
      const before = Atomics.load(commits, 0);
      if (round === 0 && ((before - done) | 0) < workerData.commitsPerCheckpoint) break;
      db.pragma('wal_checkpoint(PASSIVE)');
      done = before;
      if (Atomics.load(commits, 0) === before) break;
    }
  } catch {
    // Busy or locked: the next pass tries again.
  }
  timer = setTimeout(pass, workerData.intervalMs);
}
parentPort.on('message', () => {
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
pass();
`;

/**
 * SQLite copies the WAL back into the database file (a checkpoint, with an
 * fsync) inside whichever commit crosses the WAL size limit: on the event loop,
 * stalling every request behind it for milliseconds. This moves checkpoints to
 * a worker thread; the gateway's connection keeps a far higher limit of its own
 * as a safety net, and returns to SQLite's default if the worker stops.
 */
export class BackgroundCheckpointer {
  readonly #worker: Worker;
  readonly #commits = new Int32Array(new SharedArrayBuffer(4));
  readonly #exited: Promise<void>;
  #stopping = false;

  constructor(
    sqlite: SQLite.Database,
    file: string,
    options: {
      intervalMs?: number;
      commitsPerCheckpoint?: number;
      /** Told when the worker fails (the gateway's connection then checkpoints itself). */
      onError?: (error: Error) => void;
    } = {},
  ) {
    sqlite.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
    // A rewound WAL file is cut back to this size, whoever checkpointed.
    sqlite.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    this.#worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // It holds a connection and a counter: a small heap keeps its memory small.
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
      workerData: {
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        file,
        counter: this.#commits.buffer,
        intervalMs: options.intervalMs ?? 20,
        commitsPerCheckpoint: options.commitsPerCheckpoint ?? 100,
      },
    });
    this.#worker.unref();
    let failure: Error | undefined;
    this.#worker.on('error', (error) => (failure = error));
    this.#exited = new Promise((resolve) => {
      this.#worker.once('exit', (code) => {
        if (!this.#stopping) {
          if (sqlite.open) sqlite.pragma('wal_autocheckpoint = 1000');
          options.onError?.(failure ?? new Error(`checkpoint worker exited (code ${code})`));
        }
        resolve();
      });
    });
  }

  /** Counts one commit of the gateway's connection (the request path's writes). */
  noteCommit(): void {
    Atomics.add(this.#commits, 0, 1);
  }

  /** Stops the worker and closes its connection (before the main connection closes). */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#worker.postMessage('stop');
    const timer = setTimeout(() => void this.#worker.terminate(), 2000);
    await this.#exited;
    clearTimeout(timer);
  }
}
