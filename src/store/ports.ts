import type {
  ApprovalRequest,
  ApprovalResult,
  ApprovalStatus,
  VoteInput,
} from "../approvals/rules.js";
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
  /**
   * Appends an entry nothing is waiting on (an outcome): it may be committed with the next
   * append, within `deferMs` (default: once the event loop has turned). Resolves once
   * durable, like append.
   */
  appendDeferred(input: AuditInput, deferMs?: number): Promise<AuditEntry>;
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

/** What an allowed action takes from one limit: `amount` more, if the window stays ≤ `max`. */
export interface Reservation {
  key: string;
  /** The window's start (epoch ms). */
  since: number;
  amount: number;
  max: number;
}

/** Taken, or what the counters hold now (nothing was added). */
export type Reserved = { ok: true } | { ok: false; usage: Record<string, number> };

/** Sliding-window counts, for velocity caps and budgets. Time is passed in (epoch ms). */
export interface Counters {
  add(key: string, at: number, amount?: number): Promise<void>;
  /**
   * Adds every reservation's amount at `at` only if each counter then stays within its max;
   * else adds none. Atomic for everyone sharing the counters (for SQLite, every process on the
   * file): two concurrent actions never both take the last unit of a cap.
   */
  reserve(items: readonly Reservation[], at: number): Promise<Reserved>;
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

/** An agent's runtime status. Agents themselves come from the policy. */
export type AgentStatus = "active" | "suspended" | "quarantined";
export const AGENT_STATUSES: readonly AgentStatus[] = ["active", "suspended", "quarantined"];

/** Who made a change, why, and when (epoch ms, from the caller's clock). */
export interface Change {
  by: string;
  reason?: string;
  at: number;
}

/** The kill switch for every agent at once. */
export interface PanicState {
  active: boolean;
  /** The last panic or its clearing; absent if there never was one. */
  change?: Change;
  /**
   * Credentials issued at or before this time (epoch ms) are dead for every agent, even after
   * the panic is cleared. Absent: never panicked.
   */
  revokedBefore?: number;
}

/** One agent's stored runtime state; an agent with no row is active and never revoked. */
export interface AgentState {
  agent: string;
  status: AgentStatus;
  change?: Change;
  /** Credentials of this agent issued at or before this time (epoch ms) are dead. */
  revokedBefore?: number;
  /** When a bootstrap secret was last set (the secret itself is only stored hashed). */
  bootstrapAt?: number;
}

/** What a credential check needs, from one read: the agent's state and the panic state. */
export interface AgentView extends AgentState {
  panic: PanicState;
}

/**
 * Runtime state of agents: status, revocation, bootstrap secret hashes, and the global panic.
 * Status changes are durable when the promise resolves.
 */
export interface AgentRegistry {
  /** The agent's state together with the panic state, in one read. */
  view(agent: string): Promise<AgentView>;
  /** Every agent with stored state (agents never touched have none: they are active). */
  list(): Promise<AgentState[]>;
  /**
   * Sets the status. `revoke` (default: true unless the new status is active) also makes every
   * credential issued up to `change.at` dead, for good: resuming does not revive them.
   */
  setStatus(
    agent: string,
    status: AgentStatus,
    change: Change,
    revoke?: boolean,
  ): Promise<AgentState>;
  /** Replaces the agent's bootstrap secret hash (undefined removes it). */
  setBootstrapHash(agent: string, hash: string | undefined, at: number): Promise<void>;
  bootstrapHash(agent: string): Promise<string | undefined>;
  panic(): Promise<PanicState>;
  /** Suspends every agent at once and kills every credential issued up to `change.at`. */
  startPanic(change: Change): Promise<PanicState>;
  /** Clears the panic; credentials issued before it stay dead. */
  endPanic(change: Change): Promise<PanicState>;
}

/** A human who may approve requests. Kept apart from agents: another table, another secret. */
export interface ApproverRecord {
  id: string;
  name?: string;
  created: Change;
}

export interface ApproverStore {
  /** Adds an approver with the hash of its secret; rejects if the id exists. */
  add(record: ApproverRecord, secretHash: string): Promise<void>;
  get(id: string): Promise<ApproverRecord | undefined>;
  secretHash(id: string): Promise<string | undefined>;
  list(): Promise<ApproverRecord[]>;
  /** Resolves false if there was no such approver. */
  remove(id: string): Promise<boolean>;
}

export interface ApprovalQuery {
  status?: ApprovalStatus;
  agent?: string;
  /** At most this many, newest first. */
  limit?: number;
}

/**
 * Approval requests. Every change reads the stored request, applies the pure rules of
 * src/approvals/rules.ts and writes it back in one write transaction, so several processes or
 * replicas sharing the store cannot lose a vote, grant twice or use an approval twice. Refusals
 * come back as data (`not-found` for an unknown id); a store failure rejects with a StoreError.
 * Times are the caller's (epoch ms).
 */
export interface ApprovalStore {
  /** Stores a new request; rejects if its id exists. */
  create(request: ApprovalRequest): Promise<void>;
  get(id: string): Promise<ApprovalRequest | undefined>;
  list(q?: ApprovalQuery): Promise<ApprovalRequest[]>;
  /** Counts a vote (applyVote): an overdue request becomes expired and the vote is refused. */
  vote(id: string, vote: VoteInput, now: number): Promise<ApprovalResult>;
  /** Uses a granted approval for exactly this action, once: of concurrent callers one wins. */
  consume(id: string, actionHash: string, now: number): Promise<ApprovalResult>;
  /** The newest granted, unused, unexpired request of this agent for exactly this action. */
  findGranted(agent: string, actionHash: string, now: number): Promise<ApprovalRequest | undefined>;
  /** The newest pending, unexpired request of this agent for exactly this action. */
  findPending(agent: string, actionHash: string, now: number): Promise<ApprovalRequest | undefined>;
  /** Withdraws a pending request or an unused grant. */
  cancel(id: string, reason: string, now: number): Promise<ApprovalResult>;
  /**
   * Marks every overdue request (pending, or granted and unused; only `id` if given) expired and
   * returns those this call marked: each expiry is reported to exactly one caller.
   */
  expire(now: number, id?: string): Promise<ApprovalRequest[]>;
}

export interface StateStore {
  readonly audit: AuditLog;
  readonly counters: Counters;
  readonly sessions: SessionFacts;
  readonly agents: AgentRegistry;
  readonly approvers: ApproverStore;
  readonly approvals: ApprovalStore;
  /** Flushes pending appends, then closes. */
  close(): Promise<void>;
}
