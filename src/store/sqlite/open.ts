import { chmodSync, existsSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { type CheckpointSigner, loadOrCreateSigner } from "../../audit/keys.js";
import { StoreError, toStoreError } from "../errors.js";
import type { Durability, StateStore } from "../ports.js";
import { ensureStateDir } from "../state-dir.js";
import { SqliteApprovals } from "./approvals.js";
import { type GroupCommitOptions, SqliteAuditLog } from "./audit.js";
import { SqliteCounters, SqliteSessionFacts } from "./counters.js";
import { SqliteAgentRegistry, SqliteApprovers } from "./identity.js";
import { assertKnownVersion, migrate } from "./migrations.js";
import { WalCheckpointer, type WalCheckpointOptions } from "./wal.js";

export const DATABASE_FILE = "state.db";

export interface SqliteStoreOptions extends Partial<GroupCommitOptions> {
  /** The state directory; see resolveStateDir. */
  dir: string;
  durability?: Durability;
  /** How long a write waits for another process's lock before failing (and denying). */
  busyTimeoutMs?: number;
  /** Open an existing store for reading only: no directory, key or migration is created. */
  readonly?: boolean;
  /** A signer other than the state directory's key (tests, external key management). */
  signer?: CheckpointSigner;
  /**
   * For a long-running process: WAL checkpoints in a worker thread every `intervalMs` instead
   * of inside a commit (see wal.ts).
   */
  walCheckpoints?: Omit<WalCheckpointOptions, "synchronous">;
}

const DEFAULT_BUSY_TIMEOUT_MS = 2000;

export const DEFAULT_GROUP_COMMIT: Omit<GroupCommitOptions, "clock" | "busyTimeoutMs"> = {
  maxBatch: 256,
  windowMs: 0,
  checkpointEvery: 1000,
  checkpointIntervalMs: 60_000,
};

export class SqliteStateStore implements StateStore {
  readonly audit: SqliteAuditLog;
  readonly counters: SqliteCounters;
  readonly sessions: SqliteSessionFacts;
  readonly agents: SqliteAgentRegistry;
  readonly approvers: SqliteApprovers;
  readonly approvals: SqliteApprovals;
  /** Set when checkpoints run in a worker (SqliteStoreOptions.walCheckpoints). */
  checkpointer?: WalCheckpointer;

  /** `db` is exposed for the adapter's own tests and tools; callers use the ports. */
  constructor(
    readonly db: Database.Database,
    readonly file: string,
    signer: CheckpointSigner | undefined,
    opts: GroupCommitOptions,
  ) {
    this.audit = new SqliteAuditLog(db, signer, opts);
    this.counters = new SqliteCounters(db);
    this.sessions = new SqliteSessionFacts(db);
    this.agents = new SqliteAgentRegistry(db);
    this.approvers = new SqliteApprovers(db);
    this.approvals = new SqliteApprovals(db);
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.audit.close();
    await this.checkpointer?.close();
    this.db.close();
  }
}

/** Opens (creating and migrating if needed) the SQLite store in a state directory. */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStateStore {
  const file = path.join(options.dir, DATABASE_FILE);
  if (options.readonly && !existsSync(file))
    throw new StoreError("io", `no Redline state at ${file}`);
  if (!options.readonly) ensureStateDir(options.dir);
  let db: Database.Database | undefined;
  try {
    db = new Database(file, {
      readonly: options.readonly ?? false,
      fileMustExist: options.readonly ?? false,
      timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
    });
    if (options.readonly) assertKnownVersion(db, file);
    else {
      chmodSync(file, 0o600);
      db.pragma("journal_mode = WAL");
      migrate(db, file);
    }
    // NORMAL in WAL mode: a commit survives a process crash; FULL also fsyncs the WAL.
    const synchronous = options.durability === "fsync" ? "FULL" : "NORMAL";
    db.pragma(`synchronous = ${synchronous}`);
    const signer = options.readonly
      ? undefined
      : (options.signer ?? loadOrCreateSigner(options.dir));
    const store = new SqliteStateStore(db, file, signer, {
      ...DEFAULT_GROUP_COMMIT,
      clock: Date.now,
      busyTimeoutMs: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
      ...definedOnly(options),
    });
    if (options.walCheckpoints && !options.readonly)
      store.checkpointer = new WalCheckpointer(db, file, {
        ...options.walCheckpoints,
        synchronous,
      });
    return store;
  } catch (error) {
    db?.close();
    throw toStoreError(error, `cannot open ${file}`);
  }
}

function definedOnly(o: SqliteStoreOptions): Partial<GroupCommitOptions> {
  const out: Partial<GroupCommitOptions> = {};
  for (const k of [
    "maxBatch",
    "windowMs",
    "checkpointEvery",
    "checkpointIntervalMs",
    "clock",
  ] as const)
    if (o[k] !== undefined) (out as Record<string, unknown>)[k] = o[k];
  return out;
}
