import { statSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { decisionInput, tempStateDir } from "../../audit/test-support/fixtures.js";
import { verifyAuditLog } from "../../audit/verify.js";
import { DATABASE_FILE, openSqliteStore } from "./open.js";
import { SAFETY_NET_PAGES, WalCheckpointer } from "./wal.js";

const walBytes = (dir: string) => statSync(path.join(dir, `${DATABASE_FILE}-wal`)).size;
const autocheckpoint = (s: ReturnType<typeof openSqliteStore>) =>
  s.db.pragma("wal_autocheckpoint", { simple: true });

/** 100 appends at a time, with a pause between: about 300 WAL pages a round. */
async function appendRounds(
  s: ReturnType<typeof openSqliteStore>,
  rounds: number,
  pauseMs: number,
) {
  for (let r = 0; r < rounds; r++) {
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => s.audit.appendDeferred(decisionInput(r * 100 + i), 0)),
    );
    await Promise.all(Array.from({ length: 100 }, (_, i) => s.audit.append(decisionInput(i))));
    await sleep(pauseMs);
  }
}

describe("WAL checkpoints in a worker thread", () => {
  it("keep the WAL small while the writer's own wait for the safety net", async () => {
    const worker = tempStateDir();
    const inline = tempStateDir();
    const a = openSqliteStore({ dir: worker, walCheckpoints: { intervalMs: 10 } });
    const b = openSqliteStore({ dir: inline });
    b.db.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`); // what the writer does alone
    expect(autocheckpoint(a)).toBe(SAFETY_NET_PAGES);
    await appendRounds(a, 10, 40);
    await appendRounds(b, 10, 40);
    // Checkpointed, the WAL is written from its start again: it stays at about a round's pages.
    expect(walBytes(worker)).toBeLessThan(walBytes(inline) / 3);
    expect(a.checkpointer?.fellBack).toBe(false);
    await a.close();
    await b.close();
    const reader = openSqliteStore({ dir: worker, readonly: true });
    expect((await verifyAuditLog(reader.audit, undefined)).ok).toBe(true);
    await reader.close();
  });

  it("start only once the WAL has grown: a process that writes little has no thread", async () => {
    const dir = tempStateDir();
    const store = openSqliteStore({
      dir,
      walCheckpoints: { intervalMs: 10, startAtWalBytes: 1 << 20, watchMs: 5 },
    });
    await store.audit.append(decisionInput(1));
    await sleep(50);
    expect(walBytes(dir)).toBeLessThan(1 << 20);
    expect(store.checkpointer?.started).toBe(false);
    expect(autocheckpoint(store)).toBe(1000); // SQLite's own, until then
    for (let i = 0; i < 20 && !store.checkpointer?.started; i++) await appendRounds(store, 1, 10);
    expect(walBytes(dir)).toBeGreaterThanOrEqual(1 << 20);
    expect(store.checkpointer?.started).toBe(true);
    expect(autocheckpoint(store)).toBe(SAFETY_NET_PAGES);
    await store.close();
    expect(store.checkpointer?.fellBack).toBe(false);
  });

  it("fall back to SQLite's own in the writer when the worker fails", async () => {
    const dir = tempStateDir();
    const store = openSqliteStore({ dir });
    const logged: string[] = [];
    // A worker that cannot open its file fails at once.
    const c = new WalCheckpointer(store.db, path.join(dir, "missing.db"), {
      intervalMs: 10,
      synchronous: "NORMAL",
      log: (l) => logged.push(l),
    });
    expect(autocheckpoint(store)).toBe(SAFETY_NET_PAGES);
    for (let i = 0; i < 100 && !c.fellBack; i++) await sleep(10);
    expect(c.fellBack).toBe(true);
    expect(autocheckpoint(store)).toBe(1000);
    expect(logged.join("\n")).toMatch(/WAL checkpoints back in the writer/);
    await store.audit.append(decisionInput(1)); // appends go on
    await c.close();
    await store.close();
  });

  it("stop with the store, which then closes its file", async () => {
    const dir = tempStateDir();
    const store = openSqliteStore({ dir, walCheckpoints: { intervalMs: 5 } });
    await store.audit.append(decisionInput(1));
    await store.close();
    expect(store.db.open).toBe(false);
    expect(store.checkpointer?.fellBack).toBe(false); // a stop is not a failure
  });
});
