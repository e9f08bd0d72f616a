import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { decisionInput, T0, tempStateDir } from "../../audit/test-support/fixtures.js";
import { migrate, SCHEMA_VERSION, schemaVersion } from "./migrations.js";
import { DATABASE_FILE, openSqliteStore } from "./open.js";

describe("agent registry (SQLite)", () => {
  it("an agent never touched is active and never revoked", async () => {
    const store = openSqliteStore({ dir: tempStateDir() });
    expect(await store.agents.view("a")).toEqual({
      agent: "a",
      status: "active",
      panic: { active: false },
    });
    expect(await store.agents.list()).toEqual([]);
    await store.close();
  });

  it("keeps status, who, why, when, and a revocation time that only moves forward", async () => {
    const dir = tempStateDir();
    const store = openSqliteStore({ dir });
    await store.agents.setStatus("a", "suspended", { by: "alice", reason: "odd", at: T0 + 5000 });
    // Resuming keeps the revocation; an earlier revocation never lowers it.
    await store.agents.setStatus("a", "active", { by: "bob", at: T0 + 6000 });
    await store.agents.setStatus("a", "quarantined", { by: "breaker", at: T0 + 1000 });
    await store.close();

    const again = openSqliteStore({ dir });
    expect(await again.agents.view("a")).toEqual({
      agent: "a",
      status: "quarantined",
      change: { by: "breaker", at: T0 + 1000 },
      revokedBefore: T0 + 5000,
      panic: { active: false },
    });
    await again.agents.setStatus("a", "suspended", { by: "x", at: T0 + 9000 }, false);
    expect((await again.agents.view("a")).revokedBefore).toBe(T0 + 5000);
    await again.close();
  });

  it("panic is one switch for all; clearing it keeps its revocation", async () => {
    const store = openSqliteStore({ dir: tempStateDir() });
    await store.agents.startPanic({ by: "alice", reason: "incident", at: T0 + 1000 });
    expect((await store.agents.view("any")).panic).toEqual({
      active: true,
      change: { by: "alice", reason: "incident", at: T0 + 1000 },
      revokedBefore: T0 + 1000,
    });
    await store.agents.endPanic({ by: "bob", at: T0 + 2000 });
    expect(await store.agents.panic()).toEqual({
      active: false,
      change: { by: "bob", at: T0 + 2000 },
      revokedBefore: T0 + 1000,
    });
    await store.close();
  });

  it("stores bootstrap hashes, and approvers apart from agents", async () => {
    const store = openSqliteStore({ dir: tempStateDir() });
    await store.agents.setBootstrapHash("a", "scrypt$h", T0);
    expect(await store.agents.bootstrapHash("a")).toBe("scrypt$h");
    expect((await store.agents.view("a")).bootstrapAt).toBe(T0);
    await store.agents.setBootstrapHash("a", undefined, T0);
    expect(await store.agents.bootstrapHash("a")).toBeUndefined();

    await store.approvers.add({ id: "alice", created: { by: "root", at: T0 } }, "scrypt$x");
    await expect(
      store.approvers.add({ id: "alice", created: { by: "root", at: T0 } }, "scrypt$y"),
    ).rejects.toThrow(/already exists/);
    expect(await store.approvers.list()).toEqual([
      { id: "alice", created: { by: "root", at: T0 } },
    ]);
    expect(await store.approvers.secretHash("alice")).toBe("scrypt$x");
    expect(await store.agents.bootstrapHash("alice")).toBeUndefined();
    expect(await store.approvers.remove("alice")).toBe(true);
    expect(await store.approvers.get("alice")).toBeUndefined();
    await store.close();
  });

  it("a status outside active|suspended|quarantined is refused by the schema", async () => {
    const store = openSqliteStore({ dir: tempStateDir() });
    await expect(
      store.agents.setStatus("a", "deleted" as "active", { by: "x", at: T0 }),
    ).rejects.toThrow(/CHECK constraint/);
    await store.close();
  });
});

describe("migration 3 (identity)", () => {
  it("upgrades a version-2 file; a read-only open of a version-2 file still reads the log", async () => {
    const dir = tempStateDir();
    openSqliteStore({ dir }).close();
    const file = path.join(dir, DATABASE_FILE);
    const { rmSync } = await import("node:fs");
    rmSync(file);
    const old = new Database(file);
    expect(migrate(old, file, 2)).toEqual([1, 2]);
    old.close();

    const ro = openSqliteStore({ dir, readonly: true });
    expect(await ro.audit.query({})).toEqual([]);
    await ro.close();

    const up = openSqliteStore({ dir });
    expect(schemaVersion(up.db)).toBe(SCHEMA_VERSION);
    await up.audit.append(decisionInput(1));
    await up.agents.setStatus("a", "suspended", { by: "x", at: T0 });
    expect((await up.agents.view("a")).status).toBe("suspended");
    await up.close();
  });
});

describe("agent views are remembered only while nothing changed", () => {
  it("sees another connection's suspension at the next read", async () => {
    const { tempStateDir } = await import("../../audit/test-support/fixtures.js");
    const { openSqliteStore } = await import("./open.js");
    const dir = tempStateDir();
    const gateway = openSqliteStore({ dir });
    const cli = openSqliteStore({ dir });
    try {
      expect((await gateway.agents.view("a")).status).toBe("active");
      expect((await gateway.agents.view("a")).status).toBe("active");
      await cli.agents.setStatus("a", "suspended", { by: "ops", at: 1000 });
      expect((await gateway.agents.view("a")).status).toBe("suspended");
      await cli.agents.startPanic({ by: "ops", at: 2000 });
      expect((await gateway.agents.view("b")).panic.active).toBe(true);
      // Its own writes are seen too.
      await gateway.agents.setStatus("a", "active", { by: "ops", at: 3000 });
      expect((await gateway.agents.view("a")).status).toBe("active");
    } finally {
      await gateway.close();
      await cli.close();
    }
  });
});
