import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { decisionInput, T0, tempStateDir } from "../../audit/test-support/fixtures.js";
import { verifyAuditLog } from "../../audit/verify.js";
import { MemoryCounters } from "../memory/counters.js";
import { ensureStateDir, resolveStateDir } from "../state-dir.js";
import { migrate, SCHEMA_VERSION, schemaVersion } from "./migrations.js";
import { DATABASE_FILE, openSqliteStore } from "./open.js";

describe("state directory", () => {
  it("comes from the flag, else REDLINE_STATE_DIR, else ./.redline", () => {
    expect(resolveStateDir("/x", { REDLINE_STATE_DIR: "/y" }, "/w")).toBe("/x");
    expect(resolveStateDir(undefined, { REDLINE_STATE_DIR: "/y" }, "/w")).toBe("/y");
    expect(resolveStateDir(undefined, {}, "/w")).toBe("/w/.redline");
  });

  it("is created 0700, and an existing loose one is tightened", async () => {
    const { mkdirSync, statSync, chmodSync } = await import("node:fs");
    const dir = tempStateDir();
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    ensureStateDir(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });
});

describe("schema migrations", () => {
  it("upgrades a version-1 file and keeps its entries verifiable", async () => {
    const dir = tempStateDir();
    const store = openSqliteStore({ dir });
    await store.audit.append(decisionInput(1));
    await store.close();
    // Rebuild the file as version 1 wrote it, holding that entry.
    const file = path.join(dir, DATABASE_FILE);
    const src = new Database(file);
    const row = src.prepare("SELECT seq, body, hash FROM audit_entries").get() as Record<
      string,
      unknown
    >;
    src.close();
    const { rmSync } = await import("node:fs");
    rmSync(file);
    const old = new Database(file);
    expect(migrate(old, file, 1)).toEqual([1]);
    old.prepare("INSERT INTO audit_entries (seq, body, hash) VALUES (@seq, @body, @hash)").run(row);
    old.close();

    const up = openSqliteStore({ dir });
    expect(schemaVersion(up.db)).toBe(SCHEMA_VERSION);
    await up.audit.append(decisionInput(2));
    await up.counters.add("k", T0);
    const report = await verifyAuditLog(up.audit, undefined);
    expect(report).toMatchObject({ ok: true, entries: 2 });
    await up.close();
  });

  it("refuses a file from a newer Redline with a clear error", () => {
    const dir = tempStateDir();
    openSqliteStore({ dir }).close();
    const db = new Database(path.join(dir, DATABASE_FILE));
    db.pragma("user_version = 99");
    db.close();
    expect(() => openSqliteStore({ dir })).toThrow(
      new RegExp(`schema version 99, newer than this Redline knows \\(${SCHEMA_VERSION}\\)`),
    );
    expect(() => openSqliteStore({ dir, readonly: true })).toThrow(/upgrade Redline/);
  });
});

describe("group commit", () => {
  it("commits concurrent appends together, in order, with contiguous seqs", async () => {
    const store = openSqliteStore({ dir: tempStateDir(), maxBatch: 256 });
    const entries = await Promise.all(
      Array.from({ length: 600 }, (_, i) => store.audit.append(decisionInput(i + 1))),
    );
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
    expect(entries.map((e) => e.reason)).toEqual(entries.map((_, i) => `reason ${i + 1}`));
    expect(store.audit.stats).toEqual({ commits: 3, entries: 600 });
    const sequential = await store.audit.append(decisionInput(601));
    expect(sequential.prevHash).toBe(entries[599]?.hash);
    await store.close();
  });

  it("a deferred entry rides along with the next append, in order, or commits on its own soon", async () => {
    const store = openSqliteStore({ dir: tempStateDir() });
    await store.audit.append(decisionInput(1));
    const outcome = store.audit.appendDeferred(decisionInput(2), 10_000);
    const next = await store.audit.append(decisionInput(3));
    expect(await outcome).toMatchObject({ seq: 2, reason: "reason 2" });
    expect(next).toMatchObject({ seq: 3, prevHash: (await outcome).hash });
    expect(store.audit.stats).toEqual({ commits: 2, entries: 3 });
    const alone = await store.audit.appendDeferred(decisionInput(4), 5);
    expect(alone.seq).toBe(4);
    expect(store.audit.stats.commits).toBe(3);
    // By default once the event loop has turned, with what else is pending then.
    const both = await Promise.all([
      store.audit.appendDeferred(decisionInput(5)),
      store.audit.append(decisionInput(6)),
    ]);
    expect(both.map((e) => e.seq)).toEqual([5, 6]);
    expect(store.audit.stats.commits).toBe(4);
    const soon = await store.audit.appendDeferred(decisionInput(7));
    expect(soon.seq).toBe(7);
    expect(store.audit.stats.commits).toBe(5);
    await store.close();
  });

  it("refuses one entry that cannot be serialised without sinking its batch", async () => {
    const store = openSqliteStore({ dir: tempStateDir() });
    const bad = store.audit.append(decisionInput(2, { at: Number.NaN }));
    const good = store.audit.append(decisionInput(3));
    await expect(bad).rejects.toThrow(/cannot record/);
    await expect(good).resolves.toMatchObject({ seq: 1 });
    await store.close();
  });

  it("shares one file between two writers without forking the chain", async () => {
    const dir = tempStateDir();
    const a = openSqliteStore({ dir });
    const b = openSqliteStore({ dir });
    for (let i = 0; i < 20; i++) await (i % 2 ? a : b).audit.append(decisionInput(i));
    expect((await verifyAuditLog(a.audit, undefined)).ok).toBe(true);
    await a.close();
    await b.close();
  });

  it("waits for another process's write lock without stalling the event loop", async () => {
    const dir = tempStateDir();
    const a = openSqliteStore({ dir, busyTimeoutMs: 5_000 });
    const other = new Database(path.join(dir, DATABASE_FILE));
    other.exec("BEGIN IMMEDIATE");
    // SQLite's busy handler would sleep inside the commit, this timer (and the commit that
    // releases the lock) could not run, and the append would fail after the busy timeout.
    const started = performance.now();
    const cpu = process.cpuUsage();
    const ticked = new Promise<number>((r) => setTimeout(() => r(performance.now() - started), 20));
    setTimeout(() => other.exec("COMMIT"), 300);
    const appended = Promise.all([
      a.audit.append(decisionInput(1)),
      a.audit.append(decisionInput(2)),
    ]);
    expect(await ticked).toBeLessThan(250);
    const entries = await appended;
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    // Retried at once at first, then backing off: the wait did not spin a core for 300 ms.
    const used = process.cpuUsage(cpu);
    expect((used.user + used.system) / 1000).toBeLessThan(150);
    expect(entries.map((e) => e.seq)).toEqual([1, 2]);
    expect(a.audit.stats.commits).toBe(1);
    other.close();
    await a.close();
  });

  it("signs a checkpoint every N entries and when the last one is older than T", async () => {
    let now = T0;
    const store = openSqliteStore({
      dir: tempStateDir(),
      checkpointEvery: 100,
      checkpointIntervalMs: 60_000,
      clock: () => now,
    });
    await store.audit.append(decisionInput(1)); // first ever: overdue at once
    await store.audit.append(decisionInput(2));
    now += 61_000;
    await store.audit.append(decisionInput(3));
    expect((await store.audit.checkpoints()).map((c) => [c.seq, c.time])).toEqual([
      [1, new Date(T0).toISOString()],
      [3, new Date(T0 + 61_000).toISOString()],
    ]);
    await store.close();
    await expect(store.audit.append(decisionInput(4))).rejects.toThrow(/closed/);
  });
});

describe("queries", () => {
  it("filters by agent, decision, category and time", async () => {
    const store = openSqliteStore({ dir: tempStateDir() });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.audit.append(decisionInput(i + 1))),
    );
    const q = (x: object) => store.audit.query(x).then((es) => es.map((e) => e.seq));
    expect(await q({ decision: "deny" })).toEqual([5, 10, 15, 20]);
    expect(await q({ category: "data.destroy", agent: "support-bot" })).toEqual([5, 15]);
    expect(await q({ since: T0 + 3000, until: T0 + 6000 })).toEqual([3, 4, 5]);
    expect(await q({ limit: 3, newest: true })).toEqual([18, 19, 20]);
    expect(await q({ afterSeq: 18 })).toEqual([19, 20]);
    await store.close();
  });
});

describe("counters", () => {
  it("sums a sliding window from the time passed in", async () => {
    const store = openSqliteStore({ dir: tempStateDir() });
    const c = store.counters;
    await c.add("refund:support-bot", T0, 1000);
    await c.add("refund:support-bot", T0 + 30_000, 2500);
    await c.add("refund:support-bot", T0 + 90_000);
    await c.add("other", T0 + 90_000, 7);
    expect(await c.sum("refund:support-bot", T0)).toBe(3501);
    expect(await c.sum("refund:support-bot", T0 + 1)).toBe(2501);
    expect(await c.sum("refund:support-bot", T0 + 60_000)).toBe(1);
    expect(await c.sum("nobody", T0)).toBe(0);
    expect(await c.prune(T0 + 60_000)).toBe(2);
    expect(await c.sum("refund:support-bot", 0)).toBe(1);
    await store.close();
  });

  it("reserves all of several limits or none, in SQLite and in memory alike", async () => {
    const store = openSqliteStore({ dir: tempStateDir() });
    for (const c of [store.counters, new MemoryCounters()]) {
      await c.add("cap", T0, 2);
      const both = (budget: number) => [
        { key: "cap", since: T0, amount: 1, max: 3 },
        { key: "budget", since: T0, amount: budget, max: 100 },
      ];
      expect(await c.reserve(both(60), T0 + 1)).toEqual({ ok: true });
      // The cap has room for one more, the budget not for 60: nothing is taken from either.
      expect(await c.reserve(both(41), T0 + 2)).toEqual({
        ok: false,
        usage: { cap: 3, budget: 60 },
      });
      expect([await c.sum("cap", T0), await c.sum("budget", T0)]).toEqual([3, 60]);
      // Out of the window, units are free again.
      expect(await c.reserve(both(100), T0 + 5)).toMatchObject({ ok: false });
      expect(
        await c.reserve(
          [
            { key: "cap", since: T0 + 2, amount: 1, max: 3 },
            { key: "budget", since: T0 + 2, amount: 100, max: 100 },
          ],
          T0 + 5,
        ),
      ).toEqual({ ok: true });
    }
    await store.close();
  });
});

describe("session facts", () => {
  it("keeps the first time each fact was seen, per session", async () => {
    const store = openSqliteStore({ dir: tempStateDir() });
    const s = store.sessions;
    await s.add("run-1", ["secret.access"], T0);
    await s.add("run-1", ["secret.access", "untrusted.content"], T0 + 5);
    await s.add("run-2", ["untrusted.content"], T0 + 9);
    expect(await s.get("run-1")).toEqual([
      { fact: "secret.access", at: T0 },
      { fact: "untrusted.content", at: T0 + 5 },
    ]);
    expect(await s.get("run-3")).toEqual([]);
    await store.close();
  });
});

describe("session facts across connections", () => {
  it("a fact added by another connection is seen at the next read", async () => {
    const dir = tempStateDir();
    const a = openSqliteStore({ dir, busyTimeoutMs: 50 });
    const b = openSqliteStore({ dir });
    try {
      expect(await a.sessions.get("s")).toEqual([]);
      await b.sessions.add("s", ["secret.access"], T0);
      expect((await a.sessions.get("s")).map((f) => f.fact)).toEqual(["secret.access"]);
      await a.sessions.add("s", ["untrusted"], T0 + 1);
      expect((await a.sessions.get("s")).map((f) => f.fact)).toEqual([
        "secret.access",
        "untrusted",
      ]);
      // Facts the session already has take no write lock: they pass while b holds it...
      b.db.exec("BEGIN IMMEDIATE");
      try {
        await a.sessions.add("s", ["untrusted", "secret.access"], T0 + 2);
        // ...and a new one waits for it (and fails after the busy timeout).
        await expect(a.sessions.add("s", ["exfil"], T0 + 3)).rejects.toThrow(/not recorded/);
      } finally {
        b.db.exec("COMMIT");
      }
      // A fact b added since a last read is known to a too: not written twice, time kept.
      await b.sessions.add("s", ["exfil"], T0 + 4);
      await a.sessions.add("s", ["exfil", "untrusted"], T0 + 5);
      expect(await a.sessions.get("s")).toEqual([
        { fact: "secret.access", at: T0 },
        { fact: "untrusted", at: T0 + 1 },
        { fact: "exfil", at: T0 + 4 },
      ]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
