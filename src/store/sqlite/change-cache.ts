import type { Database, Statement } from "better-sqlite3";

/**
 * Values read on every action (an agent's state, a session's taint), kept only while nothing
 * could have changed them: `PRAGMA data_version` moves whenever another connection commits,
 * and the owner clears the cache on its own writes. A change from any process is seen by the
 * next read; an idle file costs one pragma instead of a query.
 */
export class ChangeCache<V> {
  private readonly values = new Map<string, V>();
  private version = -1;
  private readonly dataVersion: Statement;

  constructor(
    db: Database,
    private readonly max = 10_000,
  ) {
    this.dataVersion = db.prepare("PRAGMA data_version").pluck();
  }

  get(key: string, read: () => V): V {
    const version = this.dataVersion.get() as number;
    if (version !== this.version) {
      this.values.clear();
      this.version = version;
    }
    const hit = this.values.get(key);
    if (hit !== undefined) return hit;
    const value = read();
    if (this.values.size >= this.max) this.values.clear();
    this.values.set(key, value);
    return value;
  }

  clear(): void {
    this.values.clear();
  }
}
