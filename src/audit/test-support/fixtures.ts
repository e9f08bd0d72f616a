import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { emptyFacts } from "../../core/facts.js";
import { openSqliteStore, type SqliteStoreOptions } from "../../store/sqlite/open.js";
import type { AuditInput } from "../entry.js";

export const T0 = Date.parse("2026-11-26T00:00:00.000Z");

export function tempDir(prefix = "redline-audit-"): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** A state directory in a fresh temp dir (not yet created: the store must create it). */
export function tempStateDir(): string {
  return path.join(tempDir(), "state");
}

export function decisionInput(i: number, over: Partial<AuditInput> = {}): AuditInput {
  return {
    kind: "decision",
    at: T0 + i * 1000,
    agent: i % 2 === 0 ? "ops-bot" : "support-bot",
    session: `s${i % 3}`,
    actionHash: `sha256:${String(i).padStart(64, "0")}`,
    action: { agent: "ops-bot", kind: "shell", command: `echo ${i}` },
    facts: emptyFacts(),
    decision: i % 5 === 0 ? "deny" : "allow",
    categories: i % 5 === 0 ? ["data.destroy"] : [],
    rules: i % 5 === 0 ? ["baseline.irreversible"] : [],
    reason: `reason ${i}`,
    policyHash: "sha256:policy",
    ...over,
  };
}

/** A store holding `n` decision entries, closed; returns its directory. */
export async function filledStore(
  n: number,
  opts: Partial<SqliteStoreOptions> = {},
): Promise<string> {
  const dir = tempStateDir();
  const store = openSqliteStore({ dir, checkpointEvery: 10, ...opts });
  await Promise.all(Array.from({ length: n }, (_, i) => store.audit.append(decisionInput(i + 1))));
  await store.close();
  return dir;
}

/** Opens the database file as an attacker with file access would: triggers are no obstacle. */
export function tamper(dir: string, sql: string, ...args: unknown[]): void {
  const db = new Database(path.join(dir, "state.db"));
  db.exec("DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;");
  db.prepare(sql).run(...args);
  db.close();
}
