import { statSync } from "node:fs";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { Database } from "better-sqlite3";

/**
 * Checkpoints of the write-ahead log (copying its pages into the database file, with an fsync
 * of each) moved off the event loop, for a long-running process. SQLite's own runs inside the
 * commit that crosses 1,000 pages, so every few hundred appends one call waited for it, and the
 * rest paid for the same pages copied again and again (measured: about 45 µs per append here).
 * A worker thread with its own connection runs a PASSIVE checkpoint (it never blocks the
 * writer) every `intervalMs`; the process's own connection keeps SQLite's as a safety net at
 * SAFETY_NET_PAGES, and back at SQLite's default if the worker fails. Durability does not
 * change: a commit is in the WAL, as before, when the append resolves.
 */
export const SAFETY_NET_PAGES = 10_000;
const SQLITE_DEFAULT_PAGES = 1000;

/** The worker, as CommonJS source: a worker file would not be found beside the sources in tests. */
const WORKER = `
const { parentPort, workerData: w } = require("node:worker_threads");
const Database = require(w.driver);
const db = new Database(w.file, { fileMustExist: true, timeout: 0 });
db.pragma("synchronous = " + w.synchronous);
const timer = setInterval(() => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch (error) {
    // Another checkpointer or a writer holding what it needs: the next tick tries again.
    if (error.code !== "SQLITE_BUSY" && error.code !== "SQLITE_LOCKED") throw error;
  }
}, w.intervalMs);
parentPort.once("message", () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface WalCheckpointOptions {
  intervalMs: number;
  synchronous: "NORMAL" | "FULL";
  log?: (line: string) => void;
  /**
   * Start the worker only once the WAL file has reached this size (checked every `watchMs`):
   * a thread costs about 10 MB of memory, and a process that writes little (one MCP gateway
   * of the several a desktop client starts) never needs it. Until then SQLite checkpoints in
   * the writer, at its default 1,000 pages: past the size set here, so the worker comes first.
   */
  startAtWalBytes?: number;
  watchMs?: number;
}

export class WalCheckpointer {
  private worker: Worker | undefined;
  private watch: NodeJS.Timeout | undefined;
  private failed = false;
  private closed = false;

  constructor(
    private readonly db: Database,
    private readonly file: string,
    private readonly o: WalCheckpointOptions,
  ) {
    if (!o.startAtWalBytes) {
      this.start();
      return;
    }
    const threshold = o.startAtWalBytes;
    this.watch = setInterval(() => {
      if (walBytes(file) < threshold) return;
      clearInterval(this.watch);
      this.watch = undefined;
      this.start();
    }, o.watchMs ?? 1000);
    this.watch.unref();
  }

  private start(): void {
    if (this.closed || !this.db.open) return;
    const { db, o } = this;
    db.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    const worker = new Worker(WORKER, {
      eval: true,
      workerData: { driver, file: this.file, intervalMs: o.intervalMs, synchronous: o.synchronous },
    });
    worker.unref();
    this.worker = worker;
    const fallBack = (why: string) => {
      if (this.failed || this.closed) return;
      this.failed = true;
      if (db.open) db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_PAGES}`);
      o.log?.(`WAL checkpoints back in the writer: ${why}`);
    };
    worker.on("error", (error) => fallBack(error.message));
    worker.on("exit", (code) => fallBack(`the checkpoint worker exited (${code})`));
  }

  /** True once the worker runs (at once, or when the WAL reached `startAtWalBytes`). */
  get started(): boolean {
    return this.worker !== undefined;
  }

  /** True once the worker has failed and SQLite checkpoints in the writer again. */
  get fellBack(): boolean {
    return this.failed;
  }

  /** Stops the worker (its connection closed) before the writer's own connection closes. */
  async close(): Promise<void> {
    clearInterval(this.watch);
    const worker = this.worker;
    if (this.failed || this.closed) return;
    this.closed = true; // its exit now is not a failure
    if (!worker) return;
    const exited = new Promise((resolve) => worker.once("exit", resolve));
    worker.postMessage("close");
    const timer = setTimeout(() => void worker.terminate(), 2000);
    await exited;
    clearTimeout(timer);
  }
}

function walBytes(file: string): number {
  try {
    return statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
}
