import { type FileHandle, open } from 'node:fs/promises';
import { DatabaseUnavailableError } from '../core/errors.js';

/**
 * The power-cut barrier of the SQLite request path (group commit).
 *
 * The connection runs `synchronous=NORMAL`: a commit is written to the WAL file
 * (the operating system's cache) but not fsync'ed, which survives a killed
 * process but not a power cut. The `pending` row of a call must survive both
 * before anything goes upstream, so after that commit the caller awaits
 * `sync()`: an fdatasync of the WAL file (what synchronous=FULL does inside
 * COMMIT), run in libuv's thread pool, off the event loop. It flushes every
 * write made to the file before it started, so every commit that waits while
 * one is running shares the next one: many concurrent openings cost one
 * flush, not one each.
 */
export class WalBarrier {
  readonly #path: string;
  #file: Promise<FileHandle> | undefined;
  /** The fsync running now. */
  #running: Promise<void> | undefined;
  /** The fsync that starts when the running one ends, shared by everyone who asked meanwhile. */
  #next: Promise<void> | undefined;
  /** For tests and operators: how many commits waited, how many fsyncs ran. */
  readonly stats = { waits: 0, fsyncs: 0 };

  constructor(walPath: string) {
    this.#path = walPath;
  }

  /** Resolves once every commit made before the call is on disk. */
  sync(): Promise<void> {
    this.stats.waits += 1;
    if (this.#next) return this.#next;
    if (!this.#running) return this.#start();
    // The running fsync may have started before this caller's commit: wait for the next one.
    const next = this.#running.then(
      () => this.#startQueued(),
      () => this.#startQueued(),
    );
    this.#next = next;
    return next;
  }

  async close(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    await (await file?.catch(() => undefined))?.close();
  }

  #startQueued(): Promise<void> {
    this.#next = undefined;
    return this.#start();
  }

  #start(): Promise<void> {
    const running = this.#fsync().finally(() => {
      if (this.#running === running) this.#running = undefined;
    });
    this.#running = running;
    return running;
  }

  async #fsync(): Promise<void> {
    this.stats.fsyncs += 1;
    try {
      // The WAL file lives as long as the connection (SQLite rewinds it, never replaces it).
      this.#file ??= open(this.#path, 'r+');
      await (await this.#file).datasync();
    } catch (error) {
      const file = this.#file;
      this.#file = undefined;
      void file?.then((handle) => handle.close()).catch(() => undefined);
      throw new DatabaseUnavailableError({ cause: error });
    }
  }
}
