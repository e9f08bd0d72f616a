import type { Database, Statement } from "better-sqlite3";
import { exceeds } from "../../core/engine/limits.js";
import { toStoreError } from "../errors.js";
import type { Counters, Reservation, Reserved, SessionFact, SessionFacts } from "../ports.js";
import { ChangeCache } from "./change-cache.js";

/** Sliding windows as rows of (key, at, amount): a window sum is one indexed range scan. */
export class SqliteCounters implements Counters {
  private readonly stmt: Record<"add" | "sum" | "prune", Statement>;
  private readonly reserveTx: { immediate(items: readonly Reservation[], at: number): Reserved };

  constructor(db: Database) {
    this.stmt = {
      add: db.prepare("INSERT INTO counters (key, at, amount) VALUES (?, ?, ?)"),
      sum: db.prepare(
        "SELECT COALESCE(SUM(amount), 0) AS n FROM counters WHERE key = ? AND at >= ?",
      ),
      prune: db.prepare("DELETE FROM counters WHERE at < ?"),
    };
    // Read and added under the write lock: another process cannot take the same units.
    this.reserveTx = db.transaction((items: readonly Reservation[], at: number): Reserved => {
      const usage: Record<string, number> = {};
      for (const r of items) usage[r.key] = (this.stmt.sum.get(r.key, r.since) as { n: number }).n;
      if (items.some((r) => exceeds(usage[r.key] ?? 0, r.amount, r.max)))
        return { ok: false, usage };
      for (const r of items) this.stmt.add.run(r.key, at, r.amount);
      return { ok: true };
    });
  }

  async reserve(items: readonly Reservation[], at: number): Promise<Reserved> {
    try {
      return this.reserveTx.immediate(items, at);
    } catch (error) {
      throw toStoreError(error, `limits ${items.map((r) => `'${r.key}'`).join(", ")} not reserved`);
    }
  }

  async add(key: string, at: number, amount = 1): Promise<void> {
    try {
      this.stmt.add.run(key, at, amount);
    } catch (error) {
      throw toStoreError(error, `counter '${key}' not updated`);
    }
  }

  async sum(key: string, since: number): Promise<number> {
    return (this.stmt.sum.get(key, since) as { n: number }).n;
  }

  async prune(before: number): Promise<number> {
    return this.stmt.prune.run(before).changes;
  }
}

export class SqliteSessionFacts implements SessionFacts {
  private readonly stmt: Record<"add" | "get", Statement>;
  /** A session's taint is read on every action of it (see ChangeCache). */
  private readonly cache: ChangeCache<SessionFact[]>;

  constructor(private readonly db: Database) {
    this.cache = new ChangeCache(db);
    this.stmt = {
      add: db.prepare("INSERT OR IGNORE INTO session_facts (session, fact, at) VALUES (?, ?, ?)"),
      get: db.prepare("SELECT fact, at FROM session_facts WHERE session = ? ORDER BY at, fact"),
    };
  }

  async add(session: string, facts: readonly string[], at: number): Promise<void> {
    try {
      // Most actions of a session repeat what it already has: no write, and no lock taken
      // from the other processes sharing the file. A fact already present keeps its time.
      const known = new Set(this.read(session).map((f) => f.fact));
      const fresh = facts.filter((f) => !known.has(f));
      if (fresh.length === 0) return;
      this.cache.clear();
      this.db.transaction(() => {
        for (const f of fresh) this.stmt.add.run(session, f, at);
      })();
    } catch (error) {
      throw toStoreError(error, `session '${session}' facts not recorded`);
    }
  }

  async get(session: string): Promise<SessionFact[]> {
    return this.read(session);
  }

  private read(session: string): SessionFact[] {
    return this.cache.get(session, () => this.stmt.get.all(session) as SessionFact[]);
  }
}
