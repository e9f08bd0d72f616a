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

export class WalCheckpointer {
  private readonly worker: Worker;
  private failed = false;
  private closed = false;

  constructor(
    db: Database,
    file: string,
    o: { intervalMs: number; synchronous: "NORMAL" | "FULL"; log?: (line: string) => void },
  ) {
    db.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    this.worker = new Worker(WORKER, {
      eval: true,
      workerData: { driver, file, intervalMs: o.intervalMs, synchronous: o.synchronous },
    });
    this.worker.unref();
    const fallBack = (why: string) => {
      if (this.failed || this.closed) return;
      this.failed = true;
      if (db.open) db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_PAGES}`);
      o.log?.(`WAL checkpoints back in the writer: ${why}`);
    };
    this.worker.on("error", (error) => fallBack(error.message));
    this.worker.on("exit", (code) => fallBack(`the checkpoint worker exited (${code})`));
  }

  /** True once the worker has failed and SQLite checkpoints in the writer again. */
  get fellBack(): boolean {
    return this.failed;
  }

  /** Stops the worker (its connection closed) before the writer's own connection closes. */
  async close(): Promise<void> {
    if (this.failed || this.closed) return;
    this.closed = true; // its exit now is not a failure
    const exited = new Promise((resolve) => this.worker.once("exit", resolve));
    this.worker.postMessage("close");
    const timer = setTimeout(() => void this.worker.terminate(), 2000);
    await exited;
    clearTimeout(timer);
  }
}
