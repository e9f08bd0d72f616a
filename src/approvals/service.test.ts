import { afterEach, describe, expect, it, vi } from "vitest";
import type { AuditInput } from "../audit/entry.js";
import { T0, tempStateDir } from "../audit/test-support/fixtures.js";
import { actionHash } from "../core/envelope.js";
import { emptyFacts } from "../core/facts.js";
import { StoreError } from "../store/errors.js";
import type { AuditLog } from "../store/ports.js";
import { openSqliteStore, type SqliteStateStore } from "../store/sqlite/open.js";
import type { ApprovalResult } from "./rules.js";
import { ApprovalService, newApprovalId } from "./service.js";
import { ACTION, approvalDecision, HASH_B } from "./test-support/requests.js";

const HASH = actionHash(ACTION);
const opened: SqliteStateStore[] = [];

async function setup(dir = tempStateDir()) {
  const store = openSqliteStore({ dir });
  opened.push(store);
  for (const id of ["alice", "bob", "carol"])
    if (!(await store.approvers.get(id)))
      await store.approvers.add({ id, created: { by: "root", at: T0 } }, "scrypt$test");
  return { store, service: new ApprovalService(store), dir };
}

afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});

const kinds = async (store: SqliteStateStore) =>
  (await store.audit.query({})).map((e) => e.kind).filter((k) => k.startsWith("approval."));

const ask = (service: ApprovalService, approval?: { quorum: number; expiresSeconds: number }) =>
  service.request({
    action: ACTION,
    actionHash: HASH,
    facts: emptyFacts(),
    decision: approvalDecision(approval),
    at: T0,
  });

const codeOf = (r: ApprovalResult) => (r.ok ? "ok" : r.refusal.code);

describe("requesting an approval", () => {
  it("creates a pending request bound to the action's hash and audits it, secrets redacted", async () => {
    const { store, service } = await setup();
    const r = await ask(service);
    expect(r).toMatchObject({
      agent: "ops-bot",
      session: "s1",
      actionHash: HASH,
      status: "pending",
      quorum: 1,
      expiresAt: T0 + 900_000,
      categories: ["vcs.rewrite"],
      rules: ["coding.vcs"],
      policyHash: "sha256:policy",
    });
    expect(r.id).toMatch(/^apr_[a-z2-7]{26}$/);
    expect(await store.approvals.get(r.id)).toEqual(r);
    const [entry] = await store.audit.query({ kind: "approval.requested" });
    expect(entry).toMatchObject({
      agent: "ops-bot",
      session: "s1",
      actionHash: HASH,
      data: { approval: r.id, quorum: 1, expiresAt: "2026-11-26T00:15:00.000Z" },
    });
    const text = JSON.stringify([r, await store.audit.query({})]);
    expect(text).not.toContain("ghp_");
    expect(text).toContain("git push --force origin main");
  });

  it("takes quorum and expiry from the decision", async () => {
    const { service } = await setup();
    const r = await ask(service, { quorum: 2, expiresSeconds: 60 });
    expect(r).toMatchObject({ quorum: 2, expiresAt: T0 + 60_000 });
  });

  it("refuses a decision that is not approval, and a hash of another action", async () => {
    const { service } = await setup();
    const allow = { ...approvalDecision(), decision: "allow" as const };
    await expect(service.request({ action: ACTION, decision: allow, at: T0 })).rejects.toThrow(
      /not approval/,
    );
    await expect(
      service.request({ action: ACTION, actionHash: HASH_B, decision: approvalDecision(), at: T0 }),
    ).rejects.toThrow(/not the hash of this action/);
  });

  it("ids are apr_ + 128 random bits, all distinct", () => {
    const ids = new Set(Array.from({ length: 1000 }, newApprovalId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^apr_[a-z2-7]{26}$/);
  });
});

describe("voting", () => {
  it("quorum 2: a vote is audited, the second approver grants; the grant names both", async () => {
    const { store, service } = await setup();
    const r = await ask(service, { quorum: 2, expiresSeconds: 900 });
    const one = await service.vote(r.id, "alice", "approve", "looks right", T0 + 1);
    expect(one).toMatchObject({ ok: true, request: { status: "pending" } });
    const two = await service.vote(r.id, "bob", "approve", undefined, T0 + 2);
    expect(two).toMatchObject({ ok: true, request: { status: "granted" } });
    expect(await kinds(store)).toEqual([
      "approval.requested",
      "approval.voted",
      "approval.granted",
    ]);
    const [voted] = await store.audit.query({ kind: "approval.voted" });
    expect(voted?.data).toEqual({
      approval: r.id,
      approver: "alice",
      verdict: "approve",
      comment: "looks right",
      approvals: 1,
      quorum: 2,
    });
    const [grant] = await store.audit.query({ kind: "approval.granted" });
    expect(grant).toMatchObject({
      reason: "granted by alice, bob",
      data: { approval: r.id, approver: "bob", approvers: ["alice", "bob"] },
    });
  });

  it("a deny vetoes and is audited", async () => {
    const { store, service } = await setup();
    const r = await ask(service, { quorum: 2, expiresSeconds: 900 });
    await service.vote(r.id, "alice", "approve", undefined, T0 + 1);
    expect(await service.vote(r.id, "bob", "deny", "not on a Friday", T0 + 2)).toMatchObject({
      ok: true,
      request: { status: "denied" },
    });
    const [denied] = await store.audit.query({ kind: "approval.denied" });
    expect(denied).toMatchObject({
      reason: "denied by bob",
      data: { approver: "bob", comment: "not on a Friday" },
    });
  });

  it("refuses (and audits) an approver not in the approver store, the agent itself included", async () => {
    const { store, service } = await setup();
    const r = await ask(service);
    for (const who of ["mallory", "ops-bot"])
      expect(await service.vote(r.id, who, "approve", undefined, T0 + 1)).toMatchObject({
        ok: false,
        refusal: { code: "unknown-approver" },
        request: { status: "pending" },
      });
    const refused = await store.audit.query({ kind: "approval.refused" });
    expect(refused.map((e) => e.data)).toEqual([
      { approval: r.id, code: "unknown-approver", approver: "mallory", verdict: "approve" },
      { approval: r.id, code: "unknown-approver", approver: "ops-bot", verdict: "approve" },
    ]);
    expect((await store.approvals.get(r.id))?.votes).toEqual([]);
  });

  it("even an approver sharing the agent's id cannot approve its own request", async () => {
    const { store, service } = await setup();
    await store.approvers.add({ id: "ops-bot", created: { by: "root", at: T0 } }, "scrypt$x");
    const r = await ask(service);
    expect(codeOf(await service.vote(r.id, "ops-bot", "approve", undefined, T0))).toBe(
      "self-approval",
    );
  });

  it("a duplicate vote and a vote after expiry are refused; the expiry is audited once", async () => {
    const { store, service } = await setup();
    const r = await ask(service, { quorum: 2, expiresSeconds: 60 });
    await service.vote(r.id, "alice", "approve", undefined, T0 + 1);
    expect(codeOf(await service.vote(r.id, "alice", "approve", undefined, T0 + 2))).toBe(
      "duplicate-vote",
    );
    expect(codeOf(await service.vote(r.id, "bob", "approve", undefined, T0 + 60_000))).toBe(
      "expired",
    );
    expect(codeOf(await service.vote(r.id, "carol", "approve", undefined, T0 + 60_001))).toBe(
      "expired",
    );
    expect(await kinds(store)).toEqual([
      "approval.requested",
      "approval.voted",
      "approval.refused",
      "approval.expired",
      "approval.refused",
      "approval.refused",
    ]);
  });
});

describe("releasing the approved action", () => {
  it("runs once, for its own action only", async () => {
    const { store, service } = await setup();
    const r = await ask(service);
    expect(codeOf(await service.release(r.id, HASH, T0 + 1))).toBe("not-granted");
    await service.vote(r.id, "alice", "approve", undefined, T0 + 2);
    expect(codeOf(await service.release(r.id, HASH_B, T0 + 3))).toBe("hash-mismatch");
    expect(await service.release(r.id, HASH, T0 + 4)).toMatchObject({
      ok: true,
      request: { status: "used", usedAt: T0 + 4 },
    });
    expect(codeOf(await service.release(r.id, HASH, T0 + 5))).toBe("already-used");
    expect(await kinds(store)).toEqual([
      "approval.requested",
      "approval.refused",
      "approval.granted",
      "approval.refused",
      "approval.used",
      "approval.refused",
    ]);
    const mismatch = (await store.audit.query({ kind: "approval.refused" }))[1];
    expect(mismatch?.data).toMatchObject({ code: "hash-mismatch", attempted: HASH_B });
  });

  it("a grant not used before it expires is refused and audited as expired", async () => {
    const { store, service } = await setup();
    const r = await ask(service, { quorum: 1, expiresSeconds: 10 });
    await service.vote(r.id, "alice", "approve", undefined, T0 + 1);
    expect(codeOf(await service.release(r.id, HASH, T0 + 10_000))).toBe("expired");
    const [expired] = await store.audit.query({ kind: "approval.expired" });
    expect(expired?.reason).toBe("granted but not used before it expired");
  });
});

describe("the approval for an action (what an enforcement point asks)", () => {
  const forAction = (service: ApprovalService, action = ACTION, at = T0) =>
    service.forAction({ action, facts: emptyFacts(), decision: approvalDecision(), at });

  it("a retry while the human has not answered waits on the same request: no second one", async () => {
    const { store, service } = await setup();
    const first = await forAction(service);
    const retry = await forAction(service, ACTION, T0 + 1000);
    expect(first).toMatchObject({ used: false, opened: true });
    expect(retry).toMatchObject({ used: false, opened: false, request: { id: first.request.id } });
    expect(await store.approvals.list({ status: "pending" })).toHaveLength(1);
    expect(await kinds(store)).toEqual(["approval.requested"]);
  });

  it("once granted, the retry uses the grant; the next attempt needs a new approval", async () => {
    const { store, service } = await setup();
    const first = await forAction(service);
    await service.vote(first.request.id, "alice", "approve", undefined, T0 + 1);
    expect(await forAction(service, ACTION, T0 + 2)).toMatchObject({
      used: true,
      request: { id: first.request.id, status: "used" },
    });
    const again = await forAction(service, ACTION, T0 + 3);
    expect(again).toMatchObject({ used: false, opened: true });
    expect(again.request.id).not.toBe(first.request.id);
    expect(await kinds(store)).toEqual([
      "approval.requested",
      "approval.granted",
      "approval.used",
      "approval.requested",
    ]);
  });

  it("hold: given up, the request stays pending; the next hold after approval runs it once", async () => {
    const { store, service } = await setup();
    const input = { action: ACTION, facts: emptyFacts(), decision: approvalDecision(), at: T0 };
    const first = await service.hold(input, { signal: AbortSignal.abort(), clock: () => T0 });
    expect(first).toMatchObject({ granted: false, pending: true, request: { status: "pending" } });
    if (first.granted || !first.request) throw new Error("no request");
    await service.vote(first.request.id, "alice", "approve", undefined, T0 + 1);
    const second = await service.hold({ ...input, at: T0 + 2 }, { clock: () => T0 + 2 });
    expect(second).toMatchObject({
      granted: true,
      request: { id: first.request.id, status: "used" },
    });
    expect(await kinds(store)).toEqual(["approval.requested", "approval.granted", "approval.used"]);
  });

  it("another action, an expired or a denied request: a new request", async () => {
    const { service } = await setup();
    const first = await forAction(service);
    const other = await forAction(service, {
      ...ACTION,
      command: "git push --force origin --all",
    } as typeof ACTION);
    expect(other.request.id).not.toBe(first.request.id);
    const late = await forAction(service, ACTION, first.request.expiresAt + 1);
    expect(late).toMatchObject({ opened: true });
    await service.vote(late.request.id, "bob", "deny", "no", late.request.createdAt + 1);
    const after = await forAction(service, ACTION, late.request.createdAt + 2);
    expect(after).toMatchObject({ opened: true });
    expect(after.request.id).not.toBe(late.request.id);
  });
});

describe("waiting", () => {
  it("a vote through another process's store is seen by the wait", async () => {
    const { store, service, dir } = await setup();
    const other = await setup(dir);
    const r = await ask(service);
    const ticks: string[] = [];
    const waiting = service.wait(r.id, {
      pollMs: 5,
      clock: () => T0 + 1,
      onTick: (req) => ticks.push(req.status),
    });
    await new Promise((done) => setTimeout(done, 30));
    await other.service.vote(r.id, "alice", "approve", "go", T0 + 1);
    const result = await waiting;
    expect(result).toMatchObject({ status: "granted", reason: "granted by alice" });
    expect(ticks.length).toBeGreaterThan(0);
    expect(new Set(ticks)).toEqual(new Set(["pending"]));
    expect(codeOf(await service.release(r.id, HASH, T0 + 2))).toBe("ok");
    expect(codeOf(await other.service.release(r.id, HASH, T0 + 2))).toBe("already-used");
    expect(await kinds(store)).toContain("approval.used");
  });

  it("resolves denied on a veto", async () => {
    const { service } = await setup();
    const r = await ask(service);
    const waiting = service.wait(r.id, { pollMs: 5, clock: () => T0 + 1 });
    await service.vote(r.id, "bob", "deny", undefined, T0 + 1);
    expect(await waiting).toMatchObject({ status: "denied", reason: "denied by bob" });
  });

  it("marks the request expired when its time passes, and audits it once", async () => {
    const { store, service, dir } = await setup();
    const other = (await setup(dir)).service;
    const r = await ask(service, { quorum: 1, expiresSeconds: 1 });
    let now = T0;
    const options = { pollMs: 2, clock: () => now };
    const waits = Promise.all([service.wait(r.id, options), other.wait(r.id, options)]);
    await new Promise((done) => setTimeout(done, 20));
    now = T0 + 1000;
    const results = await waits;
    expect(results.map((x) => x.status)).toEqual(["expired", "expired"]);
    expect(results[0]?.reason).toBe("expired undecided (0 of 1 approvals)");
    expect((await store.approvals.get(r.id))?.status).toBe("expired");
    expect(await store.audit.query({ kind: "approval.expired" })).toHaveLength(1);
    expect(codeOf(await service.vote(r.id, "alice", "approve", undefined, now))).toBe("expired");
  });

  it("an abort cancels the request, audited; a late vote is refused", async () => {
    const { store, service } = await setup();
    const r = await ask(service);
    const abort = new AbortController();
    const waiting = service.wait(r.id, { signal: abort.signal, pollMs: 1000, clock: () => T0 + 1 });
    await new Promise((done) => setTimeout(done, 20));
    abort.abort();
    expect(await waiting).toMatchObject({
      status: "cancelled",
      request: { status: "cancelled" },
    });
    expect(await kinds(store)).toEqual(["approval.requested", "approval.cancelled"]);
    expect(codeOf(await service.vote(r.id, "alice", "approve", undefined, T0 + 2))).toBe(
      "not-pending",
    );
  });

  it("with keepOnAbort, an abort ends the wait but leaves the request open for a retry", async () => {
    const { store, service } = await setup();
    const r = await ask(service);
    const abort = new AbortController();
    const waiting = service.wait(r.id, {
      signal: abort.signal,
      keepOnAbort: true,
      pollMs: 1000,
      clock: () => T0 + 1,
    });
    await new Promise((done) => setTimeout(done, 20));
    abort.abort();
    expect((await waiting).status).toBe("cancelled");
    expect((await store.approvals.get(r.id))?.status).toBe("pending");
    expect(await kinds(store)).toEqual(["approval.requested"]);
  });

  it("a store that fails while waiting resolves denied with the error, never granted", async () => {
    const { store, service } = await setup();
    const r = await ask(service);
    const waiting = service.wait(r.id, { pollMs: 5, clock: () => T0 + 1 });
    await new Promise((done) => setTimeout(done, 20));
    await store.close();
    const result = await waiting;
    expect(result.status).toBe("denied");
    expect(result.error).toBeInstanceOf(StoreError);
    expect(result.reason).toMatch(/^denied: the approval could not be checked/);
    expect(result.request?.status).toBe("pending");
  });

  it("an unknown id resolves denied; a throwing onTick does not end the wait", async () => {
    const { service } = await setup();
    expect(await service.wait("apr_nope")).toMatchObject({ status: "denied" });
    const r = await ask(service);
    let calls = 0;
    const waiting = service.wait(r.id, {
      pollMs: 2,
      clock: () => T0 + 1,
      onTick: () => {
        calls++;
        throw new Error("progress failed");
      },
    });
    await vi.waitFor(() => expect(calls).toBeGreaterThan(2));
    await service.vote(r.id, "alice", "approve", undefined, T0 + 1);
    expect((await waiting).status).toBe("granted");
  });
});

describe("when the audit log cannot write, nothing becomes usable", () => {
  async function withFlakyAudit() {
    const { store } = await setup();
    const flaky = { failing: false };
    const audit = {
      append: (input: AuditInput) =>
        flaky.failing
          ? Promise.reject(new StoreError("full", "disk full"))
          : store.audit.append(input),
    } as unknown as AuditLog;
    const service = new ApprovalService({ ...pickStore(store), audit });
    return { store, service, flaky };
  }
  const pickStore = (s: SqliteStateStore) => ({ approvals: s.approvals, approvers: s.approvers });

  it("a request the log cannot show is refused and cancelled", async () => {
    const { store, service, flaky } = await withFlakyAudit();
    flaky.failing = true;
    await expect(ask(service)).rejects.toThrow(/disk full/);
    const [r] = await store.approvals.list();
    expect(r?.status).toBe("cancelled");
  });

  it("a grant the log cannot show is cancelled and cannot be used", async () => {
    const { store, service, flaky } = await withFlakyAudit();
    const r = await ask(service);
    flaky.failing = true;
    expect(await service.vote(r.id, "alice", "approve", undefined, T0 + 1)).toMatchObject({
      ok: false,
      refusal: { code: "audit" },
      request: { status: "cancelled" },
    });
    flaky.failing = false;
    expect(codeOf(await service.release(r.id, HASH, T0 + 2))).toBe("not-granted");
    expect(await store.approvals.findGranted("ops-bot", HASH, T0 + 2)).toBeUndefined();
  });

  it("a use the log cannot record spends the approval and refuses the action", async () => {
    const { store, service, flaky } = await withFlakyAudit();
    const r = await ask(service);
    await service.vote(r.id, "alice", "approve", undefined, T0 + 1);
    flaky.failing = true;
    expect(await service.release(r.id, HASH, T0 + 2)).toMatchObject({
      ok: false,
      refusal: { code: "audit" },
    });
    flaky.failing = false;
    expect(codeOf(await service.release(r.id, HASH, T0 + 3))).toBe("already-used");
    expect((await store.approvals.get(r.id))?.status).toBe("used");
  });

  it("an expiry the log cannot record ends the wait denied", async () => {
    const { service, flaky } = await withFlakyAudit();
    const r = await ask(service, { quorum: 1, expiresSeconds: 1 });
    flaky.failing = true;
    const result = await service.wait(r.id, { pollMs: 2, clock: () => T0 + 1000 });
    expect(result).toMatchObject({ status: "denied" });
    expect(result.reason).toMatch(/disk full/);
  });
});
