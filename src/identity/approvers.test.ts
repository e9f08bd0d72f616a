import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { T0, tempStateDir } from "../audit/test-support/fixtures.js";
import { openSqliteStore, type SqliteStateStore } from "../store/sqlite/open.js";
import { AgentIdentity } from "./agents.js";
import {
  type AgentPrincipal,
  addApprover,
  authenticateApprover,
  canApprove,
  removeApprover,
} from "./approvers.js";
import { SigningKeys } from "./keys.js";
import { testPolicy } from "./test-support/policy.js";

let store: SqliteStateStore;
let id: AgentIdentity;

beforeEach(() => {
  const dir = tempStateDir();
  store = openSqliteStore({ dir });
  id = new AgentIdentity({
    agents: store.agents,
    audit: store.audit,
    keys: SigningKeys.open(dir, T0),
    policy: testPolicy(),
    clock: () => T0,
  });
});

afterEach(() => store.close());

const add = (approverId: string) =>
  addApprover(store.approvers, store.audit, {
    id: approverId,
    name: "Alice A.",
    by: "root",
    at: T0,
    agentIds: testPolicy().agents,
  });

describe("approver identities", () => {
  it("authenticates by a secret shown once and stored only as a hash", async () => {
    const { secret, approver } = await add("alice");
    expect(approver).toMatchObject({ id: "alice", name: "Alice A.", created: { by: "root" } });
    expect(secret).toMatch(/^rla_/);
    const stored = store.db.prepare("SELECT secret_hash FROM approvers").pluck().get();
    expect(stored).toMatch(/^scrypt\$/);
    expect(stored).not.toContain(secret.slice(-20));
    expect(await authenticateApprover(store.approvers, store.audit, secret, T0)).toEqual({
      ok: true,
      approver: { kind: "approver", id: "alice", name: "Alice A." },
    });
    const wrong = await authenticateApprover(
      store.approvers,
      store.audit,
      `${secret.slice(0, -2)}xx`,
      T0,
    );
    expect(wrong).toMatchObject({ ok: false, refusal: { code: "bad-secret" } });
    expect(await store.audit.query({ kind: "approver.refused" })).toHaveLength(1);
  });

  it("keeps agents and approvers apart: neither credential works as the other", async () => {
    const { secret } = await add("alice");
    const token = (await id.issue("agent-a")).token;
    const asApprover = await authenticateApprover(store.approvers, store.audit, token, T0);
    expect(asApprover).toMatchObject({
      ok: false,
      refusal: { code: "wrong-credential", reason: /agent token can never authenticate/ },
    });
    const bootstrap = await id.bootstrap("agent-a");
    expect(await authenticateApprover(store.approvers, store.audit, bootstrap, T0)).toMatchObject({
      ok: false,
      refusal: { code: "malformed" },
    });

    const asAgent = await id.verify(secret, "agent-a");
    expect(asAgent).toMatchObject({ ok: false, refusal: { code: "wrong-credential" } });
    expect(asAgent.identity.status).toBe("revoked");
    expect(
      (await store.audit.query({ kind: "approver.refused" })).map((e) => e.data?.code),
    ).toEqual(["wrong-credential", "malformed"]);
    expect((await store.audit.query({ kind: "token.refused" })).map((e) => e.data?.code)).toEqual([
      "wrong-credential",
    ]);
    // An approver may not take an agent's id.
    await expect(add("agent-a")).rejects.toThrow(/agent id/);
  });

  it("a removed approver can no longer authenticate; duplicates are refused", async () => {
    const { secret } = await add("bob");
    await expect(add("bob")).rejects.toThrow(/already exists/);
    expect(await removeApprover(store.approvers, store.audit, "bob", { by: "root", at: T0 })).toBe(
      true,
    );
    expect(await removeApprover(store.approvers, store.audit, "bob", { by: "root", at: T0 })).toBe(
      false,
    );
    expect(await authenticateApprover(store.approvers, store.audit, secret, T0)).toMatchObject({
      ok: false,
      refusal: { code: "bad-secret" },
    });
    expect((await store.audit.query({ agent: "-" })).map((e) => e.kind)).toEqual([
      "approver.added",
      "approver.removed",
      "approver.refused",
    ]);
  });
});

describe("canApprove", () => {
  it("refuses the request's own requester and any agent, and allows another human", async () => {
    const { secret: a } = await add("alice");
    const { secret: b } = await add("bob");
    const alice = await authenticateApprover(store.approvers, store.audit, a, T0);
    const bob = await authenticateApprover(store.approvers, store.audit, b, T0);
    if (!alice.ok || !bob.ok) throw new Error("approvers should authenticate");
    const request = { requester: "alice" };
    expect(canApprove(alice.approver, request)).toEqual({
      ok: false,
      reason: "'alice' requested this action and cannot approve it",
    });
    expect(canApprove(bob.approver, request)).toEqual({ ok: true });
    expect(canApprove(bob.approver, { requester: "agent-a", requestedBy: ["bob"] }).ok).toBe(false);
    const agent: AgentPrincipal = { kind: "agent", id: "agent-b" };
    expect(canApprove(agent, { requester: "agent-a" })).toMatchObject({
      ok: false,
      reason: /an agent can never approve/,
    });
  });
});
