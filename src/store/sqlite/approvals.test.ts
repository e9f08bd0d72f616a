import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { ApprovalRequest, ApprovalResult } from "../../approvals/rules.js";
import { HASH_A, HASH_B, pending } from "../../approvals/test-support/requests.js";
import { decisionInput, T0, tempStateDir } from "../../audit/test-support/fixtures.js";
import { StoreError } from "../errors.js";
import { migrate, SCHEMA_VERSION, schemaVersion } from "./migrations.js";
import { DATABASE_FILE, openSqliteStore, type SqliteStateStore } from "./open.js";

const EXPIRES = T0 + 900_000;
const opened: SqliteStateStore[] = [];
function open(dir = tempStateDir()): SqliteStateStore {
  const store = openSqliteStore({ dir });
  opened.push(store);
  return store;
}
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});

async function stored(store: SqliteStateStore, over: Parameters<typeof pending>[0] = {}) {
  const r = pending(over);
  await store.approvals.create(r);
  return r;
}

function requestOf(r: ApprovalResult): ApprovalRequest {
  if (!r.ok) throw new Error(`refused: ${r.refusal.code}`);
  return r.request;
}

describe("approval store (SQLite)", () => {
  it("stores a request and reads it back as it was", async () => {
    const dir = tempStateDir();
    const store = open(dir);
    const r = await stored(store, { facts: undefined });
    expect(await store.approvals.get(r.id)).toEqual(r);
    expect(await store.approvals.get("apr_nope")).toBeUndefined();
    await expect(store.approvals.create(r)).rejects.toThrow(/already exists/);
    await store.close();
    expect(await open(dir).approvals.get(r.id)).toEqual(r);
  });

  it("lists newest first, by status and agent, up to a limit", async () => {
    const store = open();
    const a = pending();
    const b = pending({ agent: "support-bot" }, T0 + 1);
    const c = pending({}, T0 + 2);
    for (const r of [a, b, c]) await store.approvals.create(r);
    await store.approvals.vote(c.id, { approver: "alice", verdict: "approve" }, T0 + 3);
    const ids = (rs: ApprovalRequest[]) => rs.map((r) => r.id);
    expect(ids(await store.approvals.list())).toEqual([c.id, b.id, a.id]);
    expect(ids(await store.approvals.list({ status: "pending" }))).toEqual([b.id, a.id]);
    expect(ids(await store.approvals.list({ agent: "ops-bot" }))).toEqual([c.id, a.id]);
    expect(ids(await store.approvals.list({ status: "granted", agent: "ops-bot" }))).toEqual([
      c.id,
    ]);
    expect(ids(await store.approvals.list({ limit: 1 }))).toEqual([c.id]);
  });

  it("votes, uses and cancels through the rules, and refuses an unknown id", async () => {
    const store = open();
    const r = await stored(store, { quorum: 2 });
    await store.approvals.vote(r.id, { approver: "alice", verdict: "approve" }, T0 + 1);
    expect(
      await store.approvals.vote(r.id, { approver: "alice", verdict: "approve" }, T0 + 2),
    ).toMatchObject({ ok: false, refusal: { code: "duplicate-vote" } });
    expect(
      await store.approvals.vote(r.id, { approver: "ops-bot", verdict: "approve" }, T0 + 2),
    ).toMatchObject({ ok: false, refusal: { code: "self-approval" } });
    const g = requestOf(
      await store.approvals.vote(r.id, { approver: "bob", verdict: "approve" }, T0 + 3),
    );
    expect(g.status).toBe("granted");
    expect(await store.approvals.get(r.id)).toEqual(g);
    expect(await store.approvals.consume(r.id, HASH_B, T0 + 4)).toMatchObject({
      refusal: { code: "hash-mismatch" },
    });
    expect(requestOf(await store.approvals.consume(r.id, HASH_A, T0 + 4)).status).toBe("used");
    expect(await store.approvals.consume(r.id, HASH_A, T0 + 5)).toMatchObject({
      refusal: { code: "already-used" },
    });
    expect((await store.approvals.get(r.id))?.status).toBe("used");

    const other = await stored(store);
    expect(requestOf(await store.approvals.cancel(other.id, "abandoned", T0 + 1)).status).toBe(
      "cancelled",
    );
    for (const r of [
      await store.approvals.vote("apr_x", { approver: "alice", verdict: "approve" }, T0),
      await store.approvals.consume("apr_x", HASH_A, T0),
      await store.approvals.cancel("apr_x", "x", T0),
    ])
      expect(r).toEqual({
        ok: false,
        refusal: { code: "not-found", reason: "no approval request 'apr_x'" },
      });
  });

  it("a vote refused for lateness stores the expiry", async () => {
    const store = open();
    const r = await stored(store);
    expect(
      await store.approvals.vote(r.id, { approver: "alice", verdict: "approve" }, EXPIRES),
    ).toMatchObject({ ok: false, changed: true, refusal: { code: "expired" } });
    expect((await store.approvals.get(r.id))?.status).toBe("expired");
  });

  it("finds the granted, unused, unexpired approval of this agent for exactly this action", async () => {
    const store = open();
    const r = await stored(store);
    const find = (agent: string, hash: string, now: number) =>
      store.approvals.findGranted(agent, hash, now);
    expect(await find("ops-bot", HASH_A, T0)).toBeUndefined(); // pending
    await store.approvals.vote(r.id, { approver: "alice", verdict: "approve" }, T0 + 1);
    expect((await find("ops-bot", HASH_A, T0 + 2))?.id).toBe(r.id);
    expect(await find("ops-bot", HASH_B, T0 + 2)).toBeUndefined();
    expect(await find("support-bot", HASH_A, T0 + 2)).toBeUndefined();
    expect(await find("ops-bot", HASH_A, EXPIRES)).toBeUndefined();
    await store.approvals.consume(r.id, HASH_A, T0 + 3);
    expect(await find("ops-bot", HASH_A, T0 + 4)).toBeUndefined();
  });

  it("expire marks overdue pending and granted requests once, and only those", async () => {
    const store = open();
    const p = await stored(store);
    const g = await stored(store);
    const d = await stored(store);
    const later = await stored(store, { expiresSeconds: 1800 });
    await store.approvals.vote(g.id, { approver: "alice", verdict: "approve" }, T0);
    await store.approvals.vote(d.id, { approver: "alice", verdict: "deny" }, T0);
    expect(await store.approvals.expire(EXPIRES - 1)).toEqual([]);
    const only = await store.approvals.expire(EXPIRES, p.id);
    expect(only.map((r) => r.id)).toEqual([p.id]);
    const rest = await store.approvals.expire(EXPIRES);
    expect(rest.map((r) => [r.id, r.statusReason])).toEqual([
      [g.id, "granted but not used before it expired"],
    ]);
    expect(await store.approvals.expire(EXPIRES)).toEqual([]);
    expect((await store.approvals.get(d.id))?.status).toBe("denied");
    expect((await store.approvals.get(later.id))?.status).toBe("pending");
  });

  it("the schema refuses a status the rules do not know and a body whose id differs", async () => {
    const store = open();
    const r = pending();
    const bad = { ...r, status: "approved" };
    expect(() =>
      store.db
        .prepare("INSERT INTO approval_requests (id, body) VALUES (?, ?)")
        .run(r.id, JSON.stringify(bad)),
    ).toThrow(/CHECK constraint/);
    expect(() =>
      store.db
        .prepare("INSERT INTO approval_requests (id, body) VALUES (?, ?)")
        .run("apr_other", JSON.stringify(r)),
    ).toThrow(/CHECK constraint/);
  });

  it("a closed store rejects with a StoreError", async () => {
    const store = openSqliteStore({ dir: tempStateDir() });
    const r = pending();
    await store.approvals.create(r);
    await store.close();
    await expect(store.approvals.get(r.id)).rejects.toBeInstanceOf(StoreError);
    await expect(store.approvals.consume(r.id, HASH_A, T0)).rejects.toBeInstanceOf(StoreError);
    await expect(store.approvals.create(pending())).rejects.toBeInstanceOf(StoreError);
  });
});

describe("two processes sharing one store", () => {
  it("a vote through one store is seen by the other; of two uses, exactly one wins", async () => {
    const dir = tempStateDir();
    const one = open(dir);
    const two = open(dir);
    const r = await stored(one, { quorum: 2 });
    await one.approvals.vote(r.id, { approver: "alice", verdict: "approve" }, T0 + 1);
    const g = requestOf(
      await two.approvals.vote(r.id, { approver: "bob", verdict: "approve" }, T0 + 2),
    );
    expect(g.votes.map((v) => v.approver)).toEqual(["alice", "bob"]);
    expect((await one.approvals.get(r.id))?.status).toBe("granted");
    const uses = await Promise.all([
      one.approvals.consume(r.id, HASH_A, T0 + 3),
      two.approvals.consume(r.id, HASH_A, T0 + 3),
    ]);
    expect(uses.map((u) => (u.ok ? "used" : u.refusal.code)).sort()).toEqual([
      "already-used",
      "used",
    ]);
  });

  const CHILD = fileURLToPath(
    new URL("../../approvals/test-support/race-child.ts", import.meta.url),
  );

  /** Starts one child per argument list, releases them together, returns their results. */
  async function race(dir: string, runs: string[][]): Promise<ApprovalResult[]> {
    const children: ChildProcessWithoutNullStreams[] = [];
    const results = runs.map(
      (args) =>
        new Promise<{ child: ChildProcessWithoutNullStreams; out: Promise<ApprovalResult> }>(
          (ready, fail) => {
            const child = spawn(process.execPath, ["--import", "tsx", CHILD, dir, ...args]);
            children.push(child);
            let out = "";
            child.stdout.setEncoding("utf8");
            child.stderr.setEncoding("utf8");
            let err = "";
            child.stderr.on("data", (c: string) => {
              err += c;
            });
            const done = new Promise<ApprovalResult>((resolve, reject) => {
              child.on("exit", (code) => {
                const last = out.trim().split("\n").pop() ?? "";
                if (code !== 0 || last === "ready") reject(new Error(`child failed: ${err}`));
                else resolve(JSON.parse(last) as ApprovalResult);
              });
            });
            child.stdout.on("data", (c: string) => {
              out += c;
              if (out === "ready\n") ready({ child, out: done });
            });
            child.on("error", fail);
            done.catch(fail);
          },
        ),
    );
    const started = await Promise.all(results);
    for (const { child } of started) child.stdin.write("go\n");
    return Promise.all(started.map((s) => s.out));
  }

  it("processes using one grant at the same moment: exactly one wins", async () => {
    const dir = tempStateDir();
    const store = open(dir);
    const r = await stored(store);
    await store.approvals.vote(r.id, { approver: "alice", verdict: "approve" }, T0 + 1);
    const runs = Array.from({ length: 4 }, () => ["consume", r.id, HASH_A, String(T0 + 2)]);
    const results = await race(dir, runs);
    expect(results.filter((x) => x.ok)).toHaveLength(1);
    expect(results.filter((x) => !x.ok && x.refusal.code === "already-used")).toHaveLength(3);
    expect((await store.approvals.get(r.id))?.status).toBe("used");
  }, 30_000);

  it("processes voting at the same moment lose no vote and grant once", async () => {
    const dir = tempStateDir();
    const store = open(dir);
    const r = await stored(store, { quorum: 3 });
    const approvers = ["a", "b", "c", "d"];
    const results = await race(
      dir,
      approvers.map((a) => ["vote", r.id, a, String(T0 + 1)]),
    );
    // Three votes count and the third grants; the fourth comes after the grant.
    const granted = results.filter((x) => x.ok && x.request.status === "granted");
    expect(granted).toHaveLength(1);
    expect(results.filter((x) => x.ok)).toHaveLength(3);
    expect(results.filter((x) => !x.ok && x.refusal.code === "not-pending")).toHaveLength(1);
    const final = await store.approvals.get(r.id);
    expect(final?.status).toBe("granted");
    expect(final?.votes).toHaveLength(3);
  }, 30_000);
});

describe("migration 4 (approvals)", () => {
  it("upgrades a version-3 file; a read-only open of it still reads the log", async () => {
    const dir = tempStateDir();
    openSqliteStore({ dir }).close();
    const file = path.join(dir, DATABASE_FILE);
    rmSync(file);
    const old = new Database(file);
    expect(migrate(old, file, 3)).toEqual([1, 2, 3]);
    old.close();

    const ro = openSqliteStore({ dir, readonly: true });
    expect(await ro.audit.query({})).toEqual([]);
    await expect(ro.approvals.get("apr_x")).rejects.toThrow(/no such table/);
    await ro.close();

    const up = open(dir);
    expect(SCHEMA_VERSION).toBe(4);
    expect(schemaVersion(up.db)).toBe(4);
    await up.audit.append(decisionInput(1));
    const r = await stored(up);
    expect((await up.approvals.get(r.id))?.status).toBe("pending");
  });
});
