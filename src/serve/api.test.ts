import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApprovalService } from "../approvals/service.js";
import { ENTRY_KINDS } from "../audit/entry.js";
import { tempStateDir } from "../audit/test-support/fixtures.js";
import { analyzerFor } from "../cli/analysis.js";
import { loadPolicy } from "../cli/policy-files.js";
import { Enforcer } from "../enforce/enforcer.js";
import { AgentIdentity } from "../identity/agents.js";
import { addApprover } from "../identity/approvers.js";
import { CircuitBreaker } from "../identity/breaker.js";
import { SigningKeys } from "../identity/keys.js";
import { AgentTokenVerifier } from "../identity/tokens.js";
import { openSqliteStore, type SqliteStateStore } from "../store/sqlite/open.js";
import { Callers } from "./auth.js";
import { AuditFollower } from "./follow.js";
import { Metrics } from "./metrics.js";
import { ControlPlane } from "./server.js";

/** The control plane's API over real HTTP, assembled as `redline serve` assembles it. */

const POLICY = `
agents:
  - id: ops-bot
    default: allow
  - id: other-bot
    default: allow
redlines:
  - categories: [system.destroy]
    effect: deny
  - categories: [data.destroy]
    effect: approval
    approval: { quorum: 2, expires: 5m }
  - categories: [vcs.rewrite]
    effect: approval
`;

let dir: string;
let store: SqliteStateStore;
let plane: ControlPlane;
let base: URL;
let follower: AuditFollower;
const tokens: Record<string, string> = {};
const secrets: Record<string, string> = {};

beforeAll(async () => {
  dir = tempStateDir();
  const file = join(dirname(dir), "policy.yaml");
  writeFileSync(file, POLICY);
  const policy = loadPolicy([file]);
  const analyze = await analyzerFor(policy);
  store = openSqliteStore({ dir });
  const keys = SigningKeys.open(dir, Date.now());
  const id = new AgentIdentity({ agents: store.agents, audit: store.audit, keys, policy });
  for (const a of ["ops-bot", "other-bot"]) tokens[a] = (await id.issue(a)).token;
  for (const h of ["alice", "bob"])
    secrets[h] = (
      await addApprover(store.approvers, store.audit, { id: h, by: "test", at: Date.now() })
    ).secret;
  const breaker = new CircuitBreaker(policy.breaker, store.counters, store.agents, store.audit);
  const view = () => ({ policy, analyze });
  follower = new AuditFollower(store.audit, { pollMs: 20 });
  const metrics = new Metrics(store);
  follower.subscribe((e) => metrics.saw(e));
  await follower.start();
  plane = new ControlPlane({
    host: "127.0.0.1",
    port: 0,
    store,
    enforcer: new Enforcer({
      current: view,
      counters: store.counters,
      sessions: store.sessions,
      breaker,
      audit: store.audit,
    }),
    view,
    approvals: new ApprovalService(store),
    keys,
    callers: new Callers({
      verifier: new AgentTokenVerifier({
        keys,
        agents: store.agents,
        audit: store.audit,
        verifiedCacheSize: 16,
      }),
      approverStore: store.approvers,
      audit: store.audit,
    }),
    metrics,
    publicKey: undefined,
    follower,
    dashboardDir: join(dir, "no-dashboard"),
    log: () => undefined,
  });
  base = await plane.listen();
});

afterAll(async () => {
  follower?.stop();
  await plane.close();
  await store.close();
});

async function call(method: string, path: string, who: string | undefined, body?: unknown) {
  const credential = who === undefined ? undefined : (tokens[who] ?? secrets[who] ?? who);
  const res = await fetch(new URL(path, base), {
    method,
    headers: {
      "content-type": "application/json",
      ...(credential ? { authorization: `Bearer ${credential}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text.startsWith("{") ? JSON.parse(text) : text };
}

const shell = (agent: string, command: string) => ({ agent, kind: "shell", command });

describe("POST /v1/decisions", () => {
  it("decides, records durably, and answers with the contract fields", async () => {
    const r = await call("POST", "/v1/decisions", "ops-bot", shell("ops-bot", "ls -la"));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ decision: "allow", categories: [], rules: [] });
    const entry = (await store.audit.query({ afterSeq: r.body.auditSeq - 1, limit: 1 }))[0];
    expect(entry).toMatchObject({
      kind: "decision",
      decision: "allow",
      actionHash: r.body.actionHash,
    });
    const denied = await call(
      "POST",
      "/v1/decisions",
      "ops-bot",
      shell("ops-bot", "mkfs.ext4 /dev/sda"),
    );
    expect(denied.body).toMatchObject({ decision: "deny", categories: ["system.destroy"] });
  });

  it("names the field of an invalid action", async () => {
    const r = await call("POST", "/v1/decisions", "ops-bot", {
      agent: "ops-bot",
      kind: "shell",
      comand: "ls",
    });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/invalid action: .*comand/);
  });

  it("refuses a missing token, an approver secret, and another agent's token", async () => {
    expect((await call("POST", "/v1/decisions", undefined, shell("ops-bot", "ls"))).status).toBe(
      401,
    );
    const human = await call("POST", "/v1/decisions", "alice", shell("ops-bot", "ls"));
    expect(human.status).toBe(401);
    expect(human.body.error).toMatch(/approver secret never authenticates an agent/);
    const other = await call("POST", "/v1/decisions", "other-bot", shell("ops-bot", "ls"));
    expect(other.status).toBe(403);
  });
});

describe("approvals over the API", () => {
  it("quorum of two, the agent waits on its own request, releases the exact action once", async () => {
    const action = shell("ops-bot", "rm -rf /srv/data");
    const d = await call("POST", "/v1/decisions", "ops-bot", action);
    expect(d.body).toMatchObject({
      decision: "approval",
      approval: { status: "pending", quorum: 2 },
    });
    const id = d.body.approval.id as string;

    // The agent long-polls its own request; another agent cannot see it; an agent cannot vote.
    const waiting = call("GET", `/v1/approvals/${id}?wait=10`, "ops-bot");
    expect((await call("GET", `/v1/approvals/${id}`, "other-bot")).status).toBe(404);
    const agentVote = await call("POST", `/v1/approvals/${id}/approve`, "ops-bot", {});
    expect(agentVote.status).toBe(401);
    expect(agentVote.body.error).toMatch(/an agent token can never authenticate an approver/);

    const first = await call("POST", `/v1/approvals/${id}/approve`, "alice", { comment: "ok" });
    expect(first.body.status).toBe("pending");
    expect((await call("POST", `/v1/approvals/${id}/approve`, "alice", {})).body.code).toBe(
      "duplicate-vote",
    );
    const second = await call("POST", `/v1/approvals/${id}/approve`, "bob", {});
    expect(second.body.status).toBe("granted");
    expect((await waiting).body.status).toBe("granted");

    const other = await call("POST", `/v1/approvals/${id}/release`, "ops-bot", {
      action: shell("ops-bot", "rm -rf /srv/other"),
    });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe("hash-mismatch");
    const used = await call("POST", `/v1/approvals/${id}/release`, "ops-bot", { action });
    expect(used.body).toMatchObject({ released: true, approval: { status: "used" } });
    const twice = await call("POST", `/v1/approvals/${id}/release`, "ops-bot", { action });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe("already-used");
  });

  it("a denial vetoes; a grant is used by the agent's retry of the same action", async () => {
    const veto = await call(
      "POST",
      "/v1/decisions",
      "ops-bot",
      shell("ops-bot", "git push --force origin main"),
    );
    const vid = veto.body.approval.id as string;
    expect(
      (await call("POST", `/v1/approvals/${vid}/deny`, "alice", { comment: "no" })).body.status,
    ).toBe("denied");
    expect((await call("POST", `/v1/approvals/${vid}/approve`, "bob", {})).body.code).toBe(
      "not-pending",
    );

    const action = shell("ops-bot", "git push --force origin release");
    const asked = await call("POST", "/v1/decisions", "ops-bot", action);
    await call("POST", `/v1/approvals/${asked.body.approval.id}/approve`, "bob", {});
    const retry = await call("POST", "/v1/decisions", "ops-bot", action);
    expect(retry.body).toMatchObject({
      decision: "approval",
      approval: { id: asked.body.approval.id, status: "used" },
    });
    const again = await call("POST", "/v1/decisions", "ops-bot", action);
    expect(again.body.approval.status).toBe("pending");
    expect(again.body.approval.id).not.toBe(asked.body.approval.id);
  });

  it("lists requests for approvers only", async () => {
    const r = await call("GET", "/v1/approvals?status=all", "alice");
    expect(r.body.approvals.length).toBeGreaterThan(2);
    expect((await call("GET", "/v1/approvals", "ops-bot")).status).toBe(401);
    expect((await call("GET", "/v1/approvals?status=bogus", "alice")).status).toBe(400);
  });
});

describe("agents and the kill switch", () => {
  it("a suspension through the API stops the agent's next decision; resume restores it", async () => {
    expect(
      (await call("POST", "/v1/agents/other-bot/suspend", "alice", { reason: "incident" })).body
        .status,
    ).toBe("suspended");
    const d = await call("POST", "/v1/decisions", "other-bot", shell("other-bot", "ls"));
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({ decision: "deny" });
    expect(d.body.reason).toMatch(/suspended/);
    await call("POST", "/v1/agents/other-bot/resume", "alice", {});
    const list = await call("GET", "/v1/agents", "alice");
    expect(list.body.agents.find((a: { agent: string }) => a.agent === "other-bot").status).toBe(
      "active",
    );
    expect((await call("POST", "/v1/agents/nobody/suspend", "alice", {})).status).toBe(404);
  });
});

describe("events, metrics, health, OpenAPI", () => {
  it("streams audit entries live and replays what a reconnecting client missed", async () => {
    const command = (e: SseEvent) => JSON.parse(e.data ?? "{}").action?.command;
    const seen = await sse(
      "alice",
      undefined,
      (e) => command(e) === "echo streamed",
      async () => {
        await call("POST", "/v1/decisions", "ops-bot", shell("ops-bot", "echo streamed"));
      },
    );
    expect(seen.at(-1)).toMatchObject({ event: "decision" });
    const last = Number(seen.at(-1)?.id);
    await call("POST", "/v1/decisions", "ops-bot", shell("ops-bot", "echo missed"));
    const replay = await sse(
      "alice",
      last,
      () => true,
      async () => undefined,
    );
    expect(Number(replay[0]?.id)).toBe(last + 1);
    expect(command(replay[0] ?? {})).toBe("echo missed");
    const refused = await fetch(new URL("/v1/events", base));
    expect(refused.status).toBe(401);
  });

  it("exposes metrics, health and the OpenAPI document", async () => {
    await follower.poll();
    const m = await fetch(new URL("/metrics", base)).then((r) => r.text());
    expect(m).toMatch(/redline_audit_entries_total\{kind="decision",decision="allow"\} \d+/);
    expect(m).toMatch(/redline_approvals_pending \d+/);
    expect((await call("GET", "/healthz", undefined)).body).toMatchObject({ ok: true });
    const doc = (await call("GET", "/openapi.json", undefined)).body;
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.components.schemas.AuditEntry.properties.kind.enum).toEqual([...ENTRY_KINDS]);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/v1/decisions", "/v1/approvals/{id}/approve", "/v1/events"]),
    );
  });
});

type SseEvent = { id?: string; event?: string; data?: string };

/** Reads /v1/events while `during` runs, until an event satisfies `done`. */
async function sse(
  who: string,
  lastId: number | undefined,
  done: (e: SseEvent) => boolean,
  during: () => Promise<void>,
) {
  const abort = new AbortController();
  const res = await fetch(new URL("/v1/events", base), {
    headers: {
      authorization: `Bearer ${secrets[who]}`,
      ...(lastId === undefined ? {} : { "last-event-id": String(lastId) }),
    },
    signal: abort.signal,
  });
  const reader = (res.body as ReadableStream<Uint8Array>)
    .pipeThrough(new TextDecoderStream())
    .getReader();
  const events: SseEvent[] = [];
  let buffer = "";
  const started = during();
  const until = Date.now() + 10_000;
  while (!events.some(done) && Date.now() < until) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let cut = buffer.indexOf("\n\n");
    while (cut >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const e: Record<string, string> = {};
      for (const line of block.split("\n")) {
        const m = /^(id|event|data): (.*)$/.exec(line);
        if (m) e[m[1] as string] = m[2] as string;
      }
      if (e.event) events.push(e);
      cut = buffer.indexOf("\n\n");
    }
  }
  await started;
  abort.abort();
  return events;
}
