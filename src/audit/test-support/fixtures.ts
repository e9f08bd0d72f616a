import path from "node:path";
import Database from "better-sqlite3";
import { openSqliteStore, type SqliteStoreOptions } from "../../store/sqlite/open.js";
import { decisionInput, T0 } from "./inputs.js";
import { tempDir } from "./temp.js";

export { decisionInput, T0, tempDir };

/** A state directory in a fresh temp dir (not yet created: the store must create it). */
export function tempStateDir(): string {
  return path.join(tempDir(), "state");
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
