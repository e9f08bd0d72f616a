import type { AuditEntry, AuditInput, Checkpoint, EntryKind, SealedEntry } from "../audit/entry.js";

/**
 * The state store port. Callers (enforcement points, the CLI) see only these interfaces;
 * SQL lives in the adapters. Every method is async so a network store (PostgreSQL, Redis)
 * can implement them without changing a caller.
 */

/** How durable an append is before its promise resolves. */
export type Durability =
  /** Survives a crash or kill of Redline (SQLite: WAL, synchronous=NORMAL). */
  | "crash"
  /** Survives power loss: the entry is fsynced before release (SQLite: synchronous=FULL). */
  | "fsync";

export interface ChainHead {
  /** 0 when the log is empty. */
  seq: number;
  /** GENESIS_HASH when the log is empty. */
  hash: string;
}

export interface AuditQuery {
  agent?: string;
  session?: string;
  kind?: EntryKind;
  decision?: string;
  category?: string;
  /** Inclusive, epoch ms. */
  since?: number;
  /** Exclusive, epoch ms. */
  until?: number;
  /** Only entries after this seq (for following the log). */
  afterSeq?: number;
  /** At most this many, oldest first; `newest: true` takes the last ones (still oldest first). */
  limit?: number;
  newest?: boolean;
}

export interface AuditLog {
  /**
   * Appends one entry and resolves with it, sealed, once it is durable at the configured
   * level. Rejects if it could not be made durable: the caller must then fail closed.
   */
  append(input: AuditInput): Promise<AuditEntry>;
  /** Signs a checkpoint at the current head now (no-op on an empty log or if one exists). */
  checkpoint(): Promise<Checkpoint | undefined>;
  head(): Promise<ChainHead>;
  /** Stored entries with seq ≥ fromSeq in seq order, as stored: for verification and export. */
  readSealed(fromSeq: number, limit: number): Promise<SealedEntry[]>;
  query(q: AuditQuery): Promise<AuditEntry[]>;
  checkpoints(): Promise<Checkpoint[]>;
  /** Every stored entry from `fromSeq` on, in seq order, in chunks: for verify and export. */
  scanSealed(fromSeq?: number): AsyncIterable<SealedEntry[]>;
}

/** Sliding-window counts, for velocity caps and budgets. Time is passed in (epoch ms). */
export interface Counters {
  add(key: string, at: number, amount?: number): Promise<void>;
  /** Sum of amounts added for `key` at or after `since`. */
  sum(key: string, since: number): Promise<number>;
  /** Forgets everything before `before`: windows never look that far back. */
  prune(before: number): Promise<number>;
}

/** A fact (taint) a session acquired, and when it first did. */
export interface SessionFact {
  fact: string;
  at: number;
}

/** Per-session taint: facts seen earlier in a session gate later actions. */
export interface SessionFacts {
  /** Records facts for the session; a fact already present keeps its first time. */
  add(session: string, facts: readonly string[], at: number): Promise<void>;
  get(session: string): Promise<SessionFact[]>;
}

export interface StateStore {
  readonly audit: AuditLog;
  readonly counters: Counters;
  readonly sessions: SessionFacts;
  /** Flushes pending appends, then closes. */
  close(): Promise<void>;
}
