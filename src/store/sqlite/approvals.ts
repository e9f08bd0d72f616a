import type { Database, Statement } from "better-sqlite3";
import {
  type ApprovalRequest,
  type ApprovalResult,
  applyVote,
  cancel,
  consume,
  expire,
  type VoteInput,
} from "../../approvals/rules.js";
import { StoreError, toStoreError } from "../errors.js";
import type { ApprovalQuery, ApprovalStore } from "../ports.js";

type Key = "insert" | "get" | "update" | "findGranted" | "findPending" | "overdue" | "overdueOne";

const SQL: Record<Key, string> = {
  insert: "INSERT INTO approval_requests (id, body) VALUES (?, ?)",
  get: "SELECT body FROM approval_requests WHERE id = ?",
  update: "UPDATE approval_requests SET body = ? WHERE id = ?",
  findGranted: `SELECT body FROM approval_requests
     WHERE agent = ? AND action_hash = ? AND status = 'granted' AND expires_at > ?
     ORDER BY created_at DESC, id LIMIT 1`,
  findPending: `SELECT body FROM approval_requests
     WHERE agent = ? AND action_hash = ? AND status = 'pending' AND expires_at > ?
     ORDER BY created_at DESC, id LIMIT 1`,
  overdue: `SELECT body FROM approval_requests
     WHERE status IN ('pending', 'granted') AND expires_at <= ? ORDER BY expires_at, id`,
  overdueOne: `SELECT body FROM approval_requests
     WHERE id = ? AND status IN ('pending', 'granted') AND expires_at <= ?`,
};

/**
 * Approval requests in SQLite (migration 4): one JSON document per request. Each change is a
 * read, the pure rule, and a write inside one IMMEDIATE transaction: the write lock is taken
 * before the read, so another process's vote or use waits (busy timeout) and then sees this one.
 */
export class SqliteApprovals implements ApprovalStore {
  private prepared: Record<Key, Statement> | undefined;

  constructor(private readonly db: Database) {}

  /** Prepared on first use: a read-only store on a file before migration 4 never asks. */
  private get stmt(): Record<Key, Statement> {
    this.prepared ??= Object.fromEntries(
      Object.entries(SQL).map(([k, sql]) => [k, this.db.prepare(sql)]),
    ) as Record<Key, Statement>;
    return this.prepared;
  }

  async create(request: ApprovalRequest): Promise<void> {
    try {
      this.stmt.insert.run(request.id, JSON.stringify(request));
    } catch (error) {
      if ((error as { code?: string }).code === "SQLITE_CONSTRAINT_PRIMARYKEY")
        throw new StoreError("io", `approval request '${request.id}' already exists`, {
          cause: error,
        });
      throw toStoreError(error, `approval request '${request.id}' not stored`);
    }
  }

  async get(id: string): Promise<ApprovalRequest | undefined> {
    return this.read(() => this.load(id), `approval request '${id}' not read`);
  }

  async list(q: ApprovalQuery = {}): Promise<ApprovalRequest[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.status !== undefined) {
      where.push("status = ?");
      args.push(q.status);
    }
    if (q.agent !== undefined) {
      where.push("agent = ?");
      args.push(q.agent);
    }
    const sql = `SELECT body FROM approval_requests ${
      where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""
    } ORDER BY created_at DESC, id ${q.limit !== undefined ? "LIMIT ?" : ""}`;
    if (q.limit !== undefined) args.push(q.limit);
    return this.read(
      () => (this.db.prepare(sql).all(...args) as { body: string }[]).map(parse),
      "approval requests not read",
    );
  }

  async vote(id: string, vote: VoteInput, now: number): Promise<ApprovalResult> {
    return this.change(id, (r) => applyVote(r, vote, now), `vote on '${id}' not recorded`);
  }

  async consume(id: string, actionHash: string, now: number): Promise<ApprovalResult> {
    return this.change(id, (r) => consume(r, actionHash, now), `approval '${id}' not used`);
  }

  async cancel(id: string, reason: string, now: number): Promise<ApprovalResult> {
    return this.change(id, (r) => cancel(r, reason, now), `approval '${id}' not cancelled`);
  }

  findGranted(
    agent: string,
    actionHash: string,
    now: number,
  ): Promise<ApprovalRequest | undefined> {
    return this.find("findGranted", agent, actionHash, now);
  }

  findPending(
    agent: string,
    actionHash: string,
    now: number,
  ): Promise<ApprovalRequest | undefined> {
    return this.find("findPending", agent, actionHash, now);
  }

  private async find(
    which: "findGranted" | "findPending",
    agent: string,
    actionHash: string,
    now: number,
  ): Promise<ApprovalRequest | undefined> {
    return this.read(
      () => {
        const row = this.stmt[which].get(agent, actionHash, now) as { body: string } | undefined;
        return row && parse(row);
      },
      `${which === "findGranted" ? "granted" : "pending"} approvals not read`,
    );
  }

  async expire(now: number, id?: string): Promise<ApprovalRequest[]> {
    return this.write(() => {
      const rows = (
        id === undefined ? this.stmt.overdue.all(now) : this.stmt.overdueOne.all(id, now)
      ) as { body: string }[];
      const out: ApprovalRequest[] = [];
      for (const row of rows) {
        const next = expire(parse(row), now);
        if (!next) continue;
        this.stmt.update.run(JSON.stringify(next), next.id);
        out.push(next);
      }
      return out;
    }, "overdue approvals not expired");
  }

  private change(
    id: string,
    rule: (r: ApprovalRequest) => ApprovalResult,
    doing: string,
  ): ApprovalResult {
    return this.write(() => {
      const current = this.load(id);
      if (!current)
        return {
          ok: false,
          refusal: { code: "not-found", reason: `no approval request '${id}'` },
        } as const;
      const result = rule(current);
      if (result.ok || result.changed) this.stmt.update.run(JSON.stringify(result.request), id);
      return result;
    }, doing);
  }

  private load(id: string): ApprovalRequest | undefined {
    const row = this.stmt.get.get(id) as { body: string } | undefined;
    return row && parse(row);
  }

  private read<T>(f: () => T, doing: string): T {
    try {
      return f();
    } catch (error) {
      throw toStoreError(error, doing);
    }
  }

  private write<T>(f: () => T, doing: string): T {
    try {
      return this.db.transaction(f).immediate();
    } catch (error) {
      throw toStoreError(error, doing);
    }
  }
}

function parse(row: { body: string }): ApprovalRequest {
  return JSON.parse(row.body) as ApprovalRequest;
}
