import type { Database, Statement } from "better-sqlite3";
import { StoreError, toStoreError } from "../errors.js";
import type {
  AgentRegistry,
  AgentState,
  AgentStatus,
  AgentView,
  ApproverRecord,
  ApproverStore,
  Change,
  PanicState,
} from "../ports.js";
import { ChangeCache } from "./change-cache.js";

interface AgentRow {
  agent: string;
  status: AgentStatus;
  changed_by: string | null;
  reason: string | null;
  changed_at: number | null;
  revoked_before: number | null;
  bootstrap_at: number | null;
}

interface PanicRow {
  p_active: number | null;
  p_by: string | null;
  p_reason: string | null;
  p_at: number | null;
  p_revoked: number | null;
}

const AGENT_COLUMNS = "agent, status, changed_by, reason, changed_at, revoked_before, bootstrap_at";

/** Agent runtime state and the panic switch in SQLite (tables of migration 3). */
export class SqliteAgentRegistry implements AgentRegistry {
  private readonly stmt: Statements<
    "view" | "list" | "get" | "setStatus" | "setBootstrap" | "bootstrap" | "panic" | "setPanic"
  >;

  private readonly views: ChangeCache<AgentView>;

  constructor(private readonly db: Database) {
    this.views = new ChangeCache(db);
    this.stmt = lazyStatements(db, {
      // One read for a credential check: the agent's row (if any) and the panic row (if any).
      view: `SELECT a.agent, a.status, a.changed_by, a.reason, a.changed_at, a.revoked_before,
                a.bootstrap_at, p.active AS p_active, p.changed_by AS p_by, p.reason AS p_reason,
                p.changed_at AS p_at, p.revoked_before AS p_revoked
         FROM (SELECT 1) LEFT JOIN agent_state a ON a.agent = ? LEFT JOIN panic_state p ON p.id = 1`,
      list: `SELECT ${AGENT_COLUMNS} FROM agent_state ORDER BY agent`,
      get: `SELECT ${AGENT_COLUMNS} FROM agent_state WHERE agent = ?`,
      setStatus: `INSERT INTO agent_state (agent, status, changed_by, reason, changed_at, revoked_before)
         VALUES (@agent, @status, @by, @reason, @at, @revoked)
         ON CONFLICT (agent) DO UPDATE SET status = excluded.status,
           changed_by = excluded.changed_by, reason = excluded.reason,
           changed_at = excluded.changed_at,
           revoked_before = MAX(COALESCE(agent_state.revoked_before, excluded.revoked_before),
                                COALESCE(excluded.revoked_before, agent_state.revoked_before))`,
      setBootstrap: `INSERT INTO agent_state (agent, bootstrap_hash, bootstrap_at) VALUES (?, ?, ?)
         ON CONFLICT (agent) DO UPDATE SET bootstrap_hash = excluded.bootstrap_hash,
           bootstrap_at = excluded.bootstrap_at`,
      bootstrap: "SELECT bootstrap_hash AS h FROM agent_state WHERE agent = ?",
      panic: `SELECT active AS p_active, changed_by AS p_by, reason AS p_reason, changed_at AS p_at,
                revoked_before AS p_revoked FROM panic_state WHERE id = 1`,
      setPanic: `INSERT INTO panic_state (id, active, changed_by, reason, changed_at, revoked_before)
         VALUES (1, @active, @by, @reason, @at, @revoked)
         ON CONFLICT (id) DO UPDATE SET active = excluded.active, changed_by = excluded.changed_by,
           reason = excluded.reason, changed_at = excluded.changed_at,
           revoked_before = MAX(COALESCE(panic_state.revoked_before, excluded.revoked_before),
                                COALESCE(excluded.revoked_before, panic_state.revoked_before))`,
    });
  }

  /** Read on every action, so remembered while nothing changed (see ChangeCache). */
  async view(agent: string): Promise<AgentView> {
    return this.read(
      () =>
        this.views.get(agent, () => {
          const row = this.stmt.view.get(agent) as (AgentRow & PanicRow) | undefined;
          const state: AgentState =
            row && row.agent !== null ? toAgent(row) : { agent, status: "active" };
          return { ...state, panic: toPanic(row) };
        }),
      `agent '${agent}' not read`,
    );
  }

  async list(): Promise<AgentState[]> {
    return (this.read(() => this.stmt.list.all(), "agents not read") as AgentRow[]).map(toAgent);
  }

  async setStatus(
    agent: string,
    status: AgentStatus,
    change: Change,
    revoke = status !== "active",
  ): Promise<AgentState> {
    return this.write(() => {
      this.stmt.setStatus.run({
        agent,
        status,
        by: change.by,
        reason: change.reason ?? null,
        at: change.at,
        revoked: revoke ? change.at : null,
      });
      return toAgent(this.stmt.get.get(agent) as AgentRow);
    }, `agent '${agent}' not updated`);
  }

  async setBootstrapHash(agent: string, hash: string | undefined, at: number): Promise<void> {
    this.write(
      () => this.stmt.setBootstrap.run(agent, hash ?? null, hash === undefined ? null : at),
      `agent '${agent}' bootstrap secret not stored`,
    );
  }

  async bootstrapHash(agent: string): Promise<string | undefined> {
    const row = this.read(() => this.stmt.bootstrap.get(agent), `agent '${agent}' not read`) as
      | { h: string | null }
      | undefined;
    return row?.h ?? undefined;
  }

  async panic(): Promise<PanicState> {
    return toPanic(this.read(() => this.stmt.panic.get(), "panic state not read") as PanicRow);
  }

  async startPanic(change: Change): Promise<PanicState> {
    return this.setPanic(true, change);
  }

  async endPanic(change: Change): Promise<PanicState> {
    return this.setPanic(false, change);
  }

  private setPanic(active: boolean, change: Change): PanicState {
    return this.write(() => {
      this.stmt.setPanic.run({
        active: active ? 1 : 0,
        by: change.by,
        reason: change.reason ?? null,
        at: change.at,
        revoked: active ? change.at : null,
      });
      return toPanic(this.stmt.panic.get() as PanicRow);
    }, "panic state not updated");
  }

  private read<T>(f: () => T, doing: string): T {
    try {
      return f();
    } catch (error) {
      throw toStoreError(error, doing);
    }
  }

  private write<T>(f: () => T, doing: string): T {
    this.views.clear();
    try {
      return this.db.transaction(f).immediate();
    } catch (error) {
      throw toStoreError(error, doing);
    }
  }
}

function toAgent(r: AgentRow): AgentState {
  const s: AgentState = { agent: r.agent, status: r.status };
  if (r.changed_by !== null && r.changed_at !== null) {
    s.change = { by: r.changed_by, at: r.changed_at };
    if (r.reason !== null) s.change.reason = r.reason;
  }
  if (r.revoked_before !== null) s.revokedBefore = r.revoked_before;
  if (r.bootstrap_at !== null) s.bootstrapAt = r.bootstrap_at;
  return s;
}

function toPanic(r: PanicRow | undefined): PanicState {
  if (!r || r.p_active === null) return { active: false };
  const p: PanicState = { active: r.p_active === 1 };
  if (r.p_by !== null && r.p_at !== null) {
    p.change = { by: r.p_by, at: r.p_at };
    if (r.p_reason !== null) p.change.reason = r.p_reason;
  }
  if (r.p_revoked !== null) p.revokedBefore = r.p_revoked;
  return p;
}

interface ApproverRow {
  id: string;
  name: string | null;
  created_by: string;
  reason: string | null;
  created_at: number;
}

/** Approvers (humans) in their own table: never mixed with agents. */
export class SqliteApprovers implements ApproverStore {
  private readonly stmt: Statements<"add" | "get" | "hash" | "list" | "remove">;

  constructor(db: Database) {
    this.stmt = lazyStatements(db, {
      add: `INSERT INTO approvers (id, name, secret_hash, created_by, reason, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      get: "SELECT id, name, created_by, reason, created_at FROM approvers WHERE id = ?",
      hash: "SELECT secret_hash AS h FROM approvers WHERE id = ?",
      list: "SELECT id, name, created_by, reason, created_at FROM approvers ORDER BY id",
      remove: "DELETE FROM approvers WHERE id = ?",
    });
  }

  async add(record: ApproverRecord, secretHash: string): Promise<void> {
    try {
      this.stmt.add.run(
        record.id,
        record.name ?? null,
        secretHash,
        record.created.by,
        record.created.reason ?? null,
        record.created.at,
      );
    } catch (error) {
      if ((error as { code?: string }).code === "SQLITE_CONSTRAINT_PRIMARYKEY")
        throw new StoreError("io", `approver '${record.id}' already exists`, { cause: error });
      throw toStoreError(error, `approver '${record.id}' not added`);
    }
  }

  async get(id: string): Promise<ApproverRecord | undefined> {
    const row = this.stmt.get.get(id) as ApproverRow | undefined;
    return row && toApprover(row);
  }

  async secretHash(id: string): Promise<string | undefined> {
    return (this.stmt.hash.get(id) as { h: string } | undefined)?.h;
  }

  async list(): Promise<ApproverRecord[]> {
    return (this.stmt.list.all() as ApproverRow[]).map(toApprover);
  }

  async remove(id: string): Promise<boolean> {
    try {
      return this.stmt.remove.run(id).changes > 0;
    } catch (error) {
      throw toStoreError(error, `approver '${id}' not removed`);
    }
  }
}

function toApprover(r: ApproverRow): ApproverRecord {
  const a: ApproverRecord = { id: r.id, created: { by: r.created_by, at: r.created_at } };
  if (r.name !== null) a.name = r.name;
  if (r.reason !== null) a.created.reason = r.reason;
  return a;
}

type Statements<K extends string> = Record<K, Statement>;

/**
 * Statements prepared on first use: a read-only store opened on a file from before migration 3
 * (the audit commands do that) must not fail over tables it never touches.
 */
function lazyStatements<K extends string>(db: Database, sql: Record<K, string>): Statements<K> {
  const cache = new Map<K, Statement>();
  const out = {} as Statements<K>;
  for (const key of Object.keys(sql) as K[])
    Object.defineProperty(out, key, {
      get: () => {
        let st = cache.get(key);
        if (!st) {
          st = db.prepare(sql[key]);
          cache.set(key, st);
        }
        return st;
      },
    });
  return out;
}
