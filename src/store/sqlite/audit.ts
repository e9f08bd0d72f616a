import type { Database, Statement } from "better-sqlite3";
import {
  type AuditEntry,
  type AuditInput,
  type Checkpoint,
  GENESIS_HASH,
  openEntry,
  type SealedEntry,
  sealEntry,
} from "../../audit/entry.js";
import type { CheckpointSigner } from "../../audit/keys.js";
import { StoreError, toStoreError } from "../errors.js";
import type { AuditLog, AuditQuery, ChainHead } from "../ports.js";

export interface GroupCommitOptions {
  /** Most entries committed in one transaction. */
  maxBatch: number;
  /** How long the first append of a batch waits for company; 0: until the event loop turns. */
  windowMs: number;
  /** Sign a checkpoint at every seq that is a multiple of this. */
  checkpointEvery: number;
  /** ...and at the end of a batch when the last checkpoint is older than this. */
  checkpointIntervalMs: number;
  /** The adapter's clock, for checkpoint times only; entry times come from the caller. */
  clock: () => number;
  /** How long a commit may wait for another process's write lock before its entries fail. */
  busyTimeoutMs: number;
}

interface Pending {
  input: AuditInput;
  resolve: (e: AuditEntry) => void;
  reject: (e: Error) => void;
  /** Why sealing it failed, when it did. */
  error?: unknown;
}

/**
 * The audit log on SQLite with group commit: appends made while a batch is open are sealed and
 * inserted in one transaction, and each promise resolves only after that COMMIT returns, i.e.
 * once the entry is durable at the connection's `synchronous` level. The chain head is read
 * inside the write transaction, so several processes may share one file.
 */
export class SqliteAuditLog implements AuditLog {
  /** Transactions committed and entries in them: group commit shows as entries > commits. */
  readonly stats = { commits: 0, entries: 0 };
  private pending: Pending[] = [];
  /** Entries that may wait for the next commit (see appendDeferred). */
  private deferred: Pending[] = [];
  private deferTimer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private timer: NodeJS.Immediate | NodeJS.Timeout | undefined;
  /** When the newest checkpoint this process knows of was signed (epoch ms). */
  private lastCheckpointAt: number | undefined;
  private readonly tx: { immediate(batch: Pending[]): [Pending, AuditEntry][] };
  private closed = false;
  private readonly restoreBusyTimeout: string;
  /** Since when the scheduled commits have found the write lock taken (epoch ms). */
  private busySince: number | undefined;
  private readonly stmt: Record<
    "insert" | "head" | "lastCheckpoint" | "insertCheckpoint",
    Statement
  >;

  constructor(
    private readonly db: Database,
    private readonly signer: CheckpointSigner | undefined,
    private readonly opts: GroupCommitOptions,
  ) {
    this.stmt = {
      insert: db.prepare("INSERT INTO audit_entries (seq, body, hash) VALUES (?, ?, ?)"),
      head: db.prepare("SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1"),
      lastCheckpoint: db.prepare(
        "SELECT seq, time FROM audit_checkpoints ORDER BY seq DESC LIMIT 1",
      ),
      insertCheckpoint: db.prepare(
        "INSERT OR IGNORE INTO audit_checkpoints (seq, hash, time, signature) VALUES (?, ?, ?, ?)",
      ),
    };
    this.restoreBusyTimeout = `PRAGMA busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs))}`;
    // Built once: better-sqlite3 makes a new wrapper per db.transaction() call.
    this.tx = db.transaction((batch: Pending[]) => this.insertBatch(batch));
  }

  append(input: AuditInput): Promise<AuditEntry> {
    if (this.closed) return Promise.reject(new StoreError("closed", "the audit log is closed"));
    return new Promise((resolve, reject) => {
      this.pending.push({ input, resolve, reject });
      if (this.pending.length >= this.opts.maxBatch) this.drain(false);
      else if (this.timer === undefined) {
        this.timer =
          this.opts.windowMs > 0
            ? setTimeout(() => this.drain(false), this.opts.windowMs)
            : setImmediate(() => this.drain(false));
      }
    });
  }

  /**
   * Appends an entry nothing waits on (what a call returned, say): it rides along with the
   * next append's commit, or is committed within `deferMs` if none comes; a crash may lose the
   * last `deferMs` of them. 0 (the default): once the event loop has turned, with whatever
   * else is pending then. An enforcement point has answered the call by then, so the entry
   * is committed while the agent reads the answer, not in front of its next decision.
   */
  appendDeferred(input: AuditInput, deferMs = 0): Promise<AuditEntry> {
    if (this.closed) return Promise.reject(new StoreError("closed", "the audit log is closed"));
    return new Promise((resolve, reject) => {
      this.deferred.push({ input, resolve, reject });
      this.deferTimer ??=
        deferMs > 0
          ? setTimeout(() => this.drain(false), deferMs)
          : setImmediate(() => this.drain(false));
    });
  }

  /**
   * Commits everything pending now, waiting for another process's write lock as long as the
   * busy timeout allows. Synchronous: better-sqlite3 is.
   */
  flush(): void {
    this.drain(true);
  }

  /**
   * The scheduled commits do not `wait`: when another process holds the write lock they try
   * again once the event loop has turned, instead of sleeping in SQLite's busy handler (1 ms
   * and more, with every request of this process stalled); the batch grows meanwhile. Past
   * the busy timeout its entries fail, as a waiting commit's would.
   */
  private drain(wait: boolean): void {
    cancel(this.timer);
    this.timer = undefined;
    if (this.deferred.length > 0) {
      cancel(this.deferTimer);
      this.deferTimer = undefined;
      // Appended earlier, so sealed first: the chain keeps the order things happened in.
      this.pending = [...this.deferred.splice(0), ...this.pending];
    }
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.opts.maxBatch);
      if (!this.commit(batch, wait)) {
        this.pending = [...batch, ...this.pending];
        // At once while the other commit is likely short; then backing off to 10 ms, so a
        // lock held long (a bulk job on the file) is not waited for at 100 % of a core.
        const waited = Date.now() - (this.busySince ?? Date.now());
        this.timer =
          waited < 2
            ? setImmediate(() => this.drain(false))
            : setTimeout(() => this.drain(false), Math.min(10, Math.ceil(waited / 10)));
        return;
      }
    }
  }

  /** False when the lock was taken and the batch may wait for it: nothing was settled. */
  private commit(batch: Pending[], wait: boolean): boolean {
    let done: [Pending, AuditEntry][];
    try {
      done = wait ? this.tx.immediate(batch) : this.withoutWaiting(batch);
      this.busySince = undefined;
    } catch (error) {
      this.lastCheckpointAt = undefined; // a checkpoint in the rolled-back batch did not happen
      if (!wait && String((error as { code?: unknown }).code).startsWith("SQLITE_BUSY")) {
        const now = Date.now();
        this.busySince ??= now;
        if (now - this.busySince < this.opts.busyTimeoutMs) return false;
      }
      this.busySince = undefined;
      const e = toStoreError(error, "audit append failed");
      for (const p of batch) p.reject(e);
      return true;
    }
    this.stats.commits++;
    this.stats.entries += done.length;
    const ok = new Set(done.map(([p]) => p));
    for (const p of batch)
      if (!ok.has(p)) p.reject(toStoreError(p.error, "cannot record this entry"));
    for (const [p, entry] of done) p.resolve(entry);
    return true;
  }

  private withoutWaiting(batch: Pending[]): [Pending, AuditEntry][] {
    // exec, not a prepared statement: SQLite applies busy_timeout when it compiles the pragma.
    this.db.exec("PRAGMA busy_timeout = 0");
    try {
      return this.tx.immediate(batch);
    } finally {
      this.db.exec(this.restoreBusyTimeout);
    }
  }

  /** Inside the write transaction: the head is read under the lock, so processes may share. */
  private insertBatch(batch: Pending[]): [Pending, AuditEntry][] {
    const done: [Pending, AuditEntry][] = [];
    let { seq, hash } = this.readHead();
    for (const p of batch) {
      let sealed: ReturnType<typeof sealEntry>;
      try {
        sealed = sealEntry(p.input, seq + 1, hash);
      } catch (error) {
        // One unserialisable input must not sink the batch; it alone is refused.
        p.error = error;
        continue;
      }
      const { entry } = sealed;
      this.stmt.insert.run(entry.seq, sealed.sealed.body, entry.hash);
      done.push([p, entry]);
      seq = entry.seq;
      hash = entry.hash;
      if (seq % this.opts.checkpointEvery === 0) this.writeCheckpoint(seq, hash);
    }
    if (seq > 0 && this.checkpointOverdue()) this.writeCheckpoint(seq, hash);
    return done;
  }

  private readHead(): ChainHead {
    const row = this.stmt.head.get() as ChainHead | undefined;
    return row ?? { seq: 0, hash: GENESIS_HASH };
  }

  /**
   * Read from the file once, then kept in memory: another process's checkpoints can only make
   * this one sign more often than needed, never less.
   */
  private checkpointOverdue(): boolean {
    if (this.lastCheckpointAt === undefined) {
      const last = this.stmt.lastCheckpoint.get() as { time: string } | undefined;
      this.lastCheckpointAt = last ? Date.parse(last.time) : Number.NEGATIVE_INFINITY;
    }
    return this.opts.clock() - this.lastCheckpointAt >= this.opts.checkpointIntervalMs;
  }

  private writeCheckpoint(seq: number, hash: string): Checkpoint | undefined {
    if (!this.signer) return undefined;
    const now = this.opts.clock();
    const cp = this.signer.sign({ seq, hash, time: new Date(now).toISOString() });
    this.stmt.insertCheckpoint.run(cp.seq, cp.hash, cp.time, cp.signature);
    this.lastCheckpointAt = now;
    return cp;
  }

  async checkpoint(): Promise<Checkpoint | undefined> {
    this.flush();
    try {
      return this.db
        .transaction(() => {
          const { seq, hash } = this.readHead();
          return seq > 0 ? this.writeCheckpoint(seq, hash) : undefined;
        })
        .immediate();
    } catch (error) {
      throw toStoreError(error, "audit checkpoint failed");
    }
  }

  async head(): Promise<ChainHead> {
    return this.readHead();
  }

  async readSealed(fromSeq: number, limit: number): Promise<SealedEntry[]> {
    return this.db
      .prepare("SELECT seq, body, hash FROM audit_entries WHERE seq >= ? ORDER BY seq LIMIT ?")
      .all(fromSeq, limit) as SealedEntry[];
  }

  async query(q: AuditQuery): Promise<AuditEntry[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const cmp = (clause: string, value: unknown) => {
      if (value === undefined) return;
      where.push(clause);
      args.push(value);
    };
    cmp("agent = ?", q.agent);
    cmp("session = ?", q.session);
    cmp("kind = ?", q.kind);
    cmp("decision = ?", q.decision);
    // ISO 8601 UTC with milliseconds: string order is time order.
    cmp("time >= ?", q.since === undefined ? undefined : new Date(q.since).toISOString());
    cmp("time < ?", q.until === undefined ? undefined : new Date(q.until).toISOString());
    cmp("seq > ?", q.afterSeq);
    if (q.category !== undefined) {
      where.push("EXISTS (SELECT 1 FROM json_each(body, '$.categories') WHERE value = ?)");
      args.push(q.category);
    }
    const sql = `SELECT seq, body, hash FROM audit_entries ${
      where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""
    } ORDER BY seq ${q.newest ? "DESC" : "ASC"} ${q.limit !== undefined ? "LIMIT ?" : ""}`;
    if (q.limit !== undefined) args.push(q.limit);
    const rows = this.db.prepare(sql).all(...args) as SealedEntry[];
    if (q.newest) rows.reverse();
    return rows.map(openEntry);
  }

  async checkpoints(): Promise<Checkpoint[]> {
    return this.db
      .prepare("SELECT seq, hash, time, signature FROM audit_checkpoints ORDER BY seq")
      .all() as Checkpoint[];
  }

  async *scanSealed(fromSeq = 1, chunk = 1000): AsyncIterable<SealedEntry[]> {
    // Raw rows from one iterator: about twice as fast as paging with LIMIT on a large log.
    const rows = this.db
      .prepare("SELECT seq, body, hash FROM audit_entries WHERE seq >= ? ORDER BY seq")
      .raw()
      .iterate(fromSeq) as IterableIterator<[number, string, string]>;
    let batch: SealedEntry[] = [];
    for (const [seq, body, hash] of rows) {
      batch.push({ seq, body, hash });
      if (batch.length >= chunk) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }

  /** Commits what is pending, then refuses further appends. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
  }
}

/** Clears a pending setTimeout or setImmediate, whichever the handle is. */
function cancel(handle: NodeJS.Timeout | NodeJS.Immediate | undefined): void {
  clearTimeout(handle as NodeJS.Timeout);
  clearImmediate(handle as NodeJS.Immediate);
}
