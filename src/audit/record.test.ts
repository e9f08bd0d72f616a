import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import type { Action } from "../core/envelope.js";
import { emptyFacts } from "../core/facts.js";
import { policyOf } from "../core/test-support/policy.js";
import { StoreError } from "../store/errors.js";
import {
  DATABASE_FILE,
  DEFAULT_GROUP_COMMIT,
  openSqliteStore,
  SqliteStateStore,
} from "../store/sqlite/open.js";
import { loadOrCreateSigner } from "./keys.js";
import { decideAndRecord, recordDecision, recordEvent } from "./record.js";
import { T0, tempStateDir } from "./test-support/fixtures.js";
import { verifyAuditLog } from "./verify.js";

const policy = policyOf(`
version: 1
agents:
  - id: "*"
    default: allow
`);
const action: Action = {
  agent: "ops-bot",
  kind: "http",
  method: "GET",
  url: "https://api.example.com/v1/orders?api_key=abc123&page=2",
  headers: { Authorization: "Bearer sk_live_1234567890abcdef", Accept: "json" },
  session: "run-7",
};
const decideAt = (store: { audit: SqliteStateStore["audit"] }, at = T0) =>
  decideAndRecord(store.audit, { policy, action, facts: emptyFacts(), at });

describe("decideAndRecord", () => {
  it("releases an allow only with its durable entry, secrets redacted, hash over the original", async () => {
    const store = openSqliteStore({ dir: tempStateDir() });
    const r = await decideAt(store);
    expect(r.decision.decision).toBe("allow");
    expect(r.entry).toMatchObject({ seq: 1, kind: "decision", agent: "ops-bot", session: "run-7" });
    const [stored] = await store.audit.query({});
    expect(stored?.actionHash).toBe(r.actionHash);
    expect(stored?.action).toMatchObject({
      headers: { Authorization: "[REDACTED]", Accept: "json" },
      url: "https://api.example.com/v1/orders?api_key=[REDACTED:url-credential]&page=2",
    });
    expect(JSON.stringify(stored)).not.toContain("sk_live");
    await store.close();
  });
});

describe("recording what followed", () => {
  it("redacts secrets in facts, reasons and event data too", async () => {
    const store = openSqliteStore({ dir: tempStateDir() });
    const facts = emptyFacts();
    facts.findings.push({
      category: "secret.access",
      reason: "reads token ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    });
    const decision = { ...(await decideAt(store)).decision, reason: "saw AKIAABCDEFGHIJKLMNOP" };
    const r = await recordDecision(store.audit, { action, facts, decision, at: T0 });
    const done = await recordEvent(store.audit, {
      kind: "completed",
      at: T0 + 5,
      agent: "ops-bot",
      actionHash: r.actionHash,
      data: { status: 200, headers: { "set-cookie": "sid=1" }, body: "Bearer abcdefghijklmnop" },
    });
    expect(done).toMatchObject({ seq: 3, kind: "completed", prevHash: r.entry?.hash });
    const text = JSON.stringify(await store.audit.query({}));
    for (const secret of ["ghp_", "AKIA", "sid=1", "abcdefghijklmnop"])
      expect(text).not.toContain(secret);
    expect(text).toContain('"status":200');
    await store.close();
  });
});

describe("a store that cannot write turns the decision into deny", () => {
  async function expectDenied(store: SqliteStateStore, code: string) {
    const append = store.audit.append({ kind: "released", at: T0, agent: "ops-bot" });
    await expect(append).rejects.toBeInstanceOf(StoreError);
    await expect(append).rejects.toMatchObject({ code });
    const r = await decideAt(store);
    expect(r.entry).toBeUndefined();
    expect(r.decision).toMatchObject({ decision: "deny", rules: [] });
    expect(r.decision.reason).toMatch(
      /^denied: the audit log could not record the decision .*; the policy decided allow$/,
    );
    expect(r.auditError).toBeTruthy();
  }

  it("read-only database file", async () => {
    const dir = tempStateDir();
    const rw = openSqliteStore({ dir });
    await decideAt(rw);
    await rw.close();
    // As the file looks on a read-only mount or after chmod a-w (root ignores mode bits).
    const file = path.join(dir, DATABASE_FILE);
    const ro = new Database(file, { readonly: true });
    const store = new SqliteStateStore(ro, file, loadOrCreateSigner(dir), {
      ...DEFAULT_GROUP_COMMIT,
      clock: () => T0,
      busyTimeoutMs: 0,
    });
    await expectDenied(store, "readonly");
    await store.close();
  });

  it("database locked by another connection", async () => {
    const dir = tempStateDir();
    const store = openSqliteStore({ dir, busyTimeoutMs: 50 });
    const other = new Database(path.join(dir, DATABASE_FILE));
    other.exec("BEGIN EXCLUSIVE");
    await expectDenied(store, "busy");
    other.exec("COMMIT");
    other.close();
    // Once the lock is gone the log carries on, with no hole in the chain.
    expect((await decideAt(store)).decision.decision).toBe("allow");
    expect(await verifyAuditLog(store.audit, undefined)).toMatchObject({ ok: true, entries: 1 });
    await store.close();
  });

  it("disk full (max_page_count reached)", async () => {
    const store = openSqliteStore({ dir: tempStateDir() });
    await decideAt(store);
    const pages = store.db.pragma("page_count", { simple: true }) as number;
    store.db.pragma(`max_page_count = ${pages}`);
    const big = {
      kind: "completed" as const,
      at: T0,
      agent: "ops-bot",
      data: { out: "x".repeat(50_000) },
    };
    await expect(store.audit.append(big)).rejects.toMatchObject({ code: "full" });
    const r = await decideAndRecord(store.audit, {
      policy,
      action: { ...action, body: "y".repeat(50_000) },
      facts: emptyFacts(),
      at: T0,
    });
    expect(r.decision.decision).toBe("deny");
    expect(r.decision.reason).toMatch(/full/i);
    expect(await verifyAuditLog(store.audit, undefined)).toMatchObject({ ok: true, entries: 1 });
    await store.close();
  });
});
