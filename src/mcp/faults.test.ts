import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AuditInput } from "../audit/entry.js";
import type { AuditLog } from "../store/ports.js";
import { openSqliteStore, type SqliteStateStore } from "../store/sqlite/open.js";
import { Approver, EVERYTHING, testRoot, until } from "./test-support/harness.js";
import { fixtureUpstream, type InProcess, inProcessGateway } from "./test-support/in-process.js";

/** Every failure the gateway can meet, injected: the affected call fails closed, the rest go on. */

const POLICY = `
agents:
  - id: coding-agent
    default: allow
rules:
  - id: risky-echo
    match: { kind: mcp, tool: echo }
    when: action.arguments.message == "risky"
    effect: approval
    approval: { expires: 1s }
breaker: { denials: 100, per: 60s }
`;

let root: string;
let store: SqliteStateStore;
let gw: InProcess | undefined;

beforeAll(() => {
  root = testRoot();
  store = openSqliteStore({ dir: join(root, "state") });
});
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});
afterAll(async () => {
  await store.close();
});

const text = (r: unknown) =>
  (((r as { content?: unknown }).content ?? []) as { text?: string }[])
    .map((c) => c.text ?? "")
    .join("");

function policyFile(yaml = POLICY): string {
  const file = join(root, `policy-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  return file;
}

/** The real audit log, until told to fail like a full disk. */
class FailingAudit implements AuditLog {
  failing = false;
  constructor(private readonly real: AuditLog) {}
  append(input: AuditInput) {
    return this.failing
      ? Promise.reject(new Error("disk full (injected)"))
      : this.real.append(input);
  }
  appendDeferred(input: AuditInput) {
    return this.failing
      ? Promise.reject(new Error("disk full (injected)"))
      : this.real.appendDeferred(input);
  }
  checkpoint() {
    return this.real.checkpoint();
  }
  head() {
    return this.real.head();
  }
  readSealed(from: number, limit: number) {
    return this.real.readSealed(from, limit);
  }
  query(q: Parameters<AuditLog["query"]>[0]) {
    return this.real.query(q);
  }
  checkpoints() {
    return this.real.checkpoints();
  }
  scanSealed(from?: number) {
    return this.real.scanSealed(from);
  }
}

describe("fail closed", () => {
  it("an audit log that cannot write denies the call and never forwards it", async () => {
    const audit = new FailingAudit(store.audit);
    gw = await inProcessGateway({
      store,
      policyFile: policyFile(),
      upstreams: [fixtureUpstream("fx")],
      audit,
    });
    const marker = join(root, "forwarded.txt");
    audit.failing = true;
    const r = await gw.client.callTool({ name: "touch", arguments: { path: marker } });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(
      /the audit log could not record the decision \(disk full \(injected\)\)/,
    );
    expect(existsSync(marker)).toBe(false);
    audit.failing = false;
    const ok = await gw.client.callTool({ name: "touch", arguments: { path: marker } });
    expect(ok.isError).toBeFalsy();
    expect(existsSync(marker)).toBe(true);
  });

  it("a hung upstream fails that call after the timeout; the others are served", async () => {
    gw = await inProcessGateway({
      store,
      policyFile: policyFile(),
      upstreams: [fixtureUpstream("fx")],
      timeoutMs: 400,
    });
    const started = Date.now();
    await expect(gw.client.callTool({ name: "hang", arguments: {} })).rejects.toThrow(
      /upstream server 'fx' did not answer tools\/call within 0.4s; the call was cancelled/,
    );
    expect(Date.now() - started).toBeLessThan(3000);
    expect(text(await gw.client.callTool({ name: "echo", arguments: { message: "alive" } }))).toBe(
      "alive",
    );
  });

  it("garbage from the upstream is skipped; the call and the next still answer", async () => {
    gw = await inProcessGateway({
      store,
      policyFile: policyFile(),
      upstreams: [fixtureUpstream("fx")],
    });
    expect(text(await gw.client.callTool({ name: "garble", arguments: {} }))).toBe(
      "said something odd first",
    );
    expect(text(await gw.client.callTool({ name: "echo", arguments: { message: "after" } }))).toBe(
      "after",
    );
  });

  it("an upstream that crashes fails its call; the next call gets a fresh one", async () => {
    gw = await inProcessGateway({
      store,
      policyFile: policyFile(),
      upstreams: [fixtureUpstream("fx")],
    });
    await expect(gw.client.callTool({ name: "crash", arguments: {} })).rejects.toThrow(
      /upstream server 'fx' exited/,
    );
    expect(text(await gw.client.callTool({ name: "echo", arguments: { message: "again" } }))).toBe(
      "again",
    );
    const failed = await store.audit.query({ kind: "failed", newest: true, limit: 1 });
    expect(failed[0]?.data).toMatchObject({ error: { message: "upstream server 'fx' exited" } });
  });

  it("an approval nobody gives in time is a denial", { timeout: 15_000 }, async () => {
    gw = await inProcessGateway({
      store,
      policyFile: policyFile(),
      upstreams: [fixtureUpstream("fx")],
    });
    const r = await gw.client.callTool({ name: "echo", arguments: { message: "risky" } });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/approval apr_[a-z2-7]+: .*expired/);
  });

  it("a grant given after the agent stopped waiting is used by its retry, once", {
    timeout: 15_000,
  }, async () => {
    const file = policyFile(POLICY.replace("expires: 1s", "expires: 1m"));
    gw = await inProcessGateway({ store, policyFile: file, upstreams: [fixtureUpstream("fx")] });
    const human = await Approver.open(join(root, "state"));
    try {
      const first = gw.client.callTool(
        { name: "echo", arguments: { message: "risky" } },
        undefined,
        { timeout: 300 },
      );
      await expect(first).rejects.toThrow(/timed out/i);
      const req = await human.pending();
      expect((await human.vote(req.id, "approve")).ok).toBe(true);
      const retry = await gw.client.callTool({ name: "echo", arguments: { message: "risky" } });
      expect(text(retry)).toBe("risky");
      expect((await store.approvals.get(req.id))?.status).toBe("used");
    } finally {
      await human.close();
    }
  });

  it("an approval store that fails denies the held call", async () => {
    const broken = openSqliteStore({ dir: join(root, "state-broken") });
    gw = await inProcessGateway({
      store: broken,
      policyFile: policyFile(),
      upstreams: [fixtureUpstream("fx")],
    });
    broken.db.exec("DROP TABLE approval_requests");
    const r = await gw.client.callTool({ name: "echo", arguments: { message: "risky" } });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/the approval could not be requested/);
    await gw.close();
    gw = undefined;
    await broken.close();
  });

  it("a revoked credential mid-session stops every request", async () => {
    let ok = true;
    gw = await inProcessGateway({
      store,
      policyFile: policyFile(),
      upstreams: [fixtureUpstream("fx")],
      credential: async () =>
        ok
          ? { ok: true }
          : { ok: false, reason: "token revoked (test)", identity: { status: "revoked" } },
    });
    expect((await gw.client.listTools()).tools.length).toBeGreaterThan(0);
    ok = false;
    const r = await gw.client.callTool({ name: "echo", arguments: { message: "x" } });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/revoked/);
    await expect(gw.client.listTools()).rejects.toThrow(/not authorised: token revoked/);
  });
});

describe("policy hot reload", () => {
  it("a changed policy re-filters lists and tells the agent; a bad file keeps the last good one", {
    timeout: 20_000,
  }, async () => {
    const file = policyFile();
    gw = await inProcessGateway({ store, policyFile: file, upstreams: [fixtureUpstream("fx")] });
    const names = async () => ((await gw?.client.listTools())?.tools ?? []).map((t) => t.name);
    expect(await names()).toContain("touch");
    let changed = 0;
    gw.client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
      changed++;
    });
    const noTouch =
      "  - id: no-touch\n    match: { kind: mcp, tool: touch }\n    effect: deny\nbreaker:";
    writeFileSync(file, POLICY.replace("breaker:", noTouch));
    await until(() => changed > 0);
    expect(await names()).not.toContain("touch");
    const denied = await gw.client.callTool({
      name: "touch",
      arguments: { path: join(root, "nope") },
    });
    expect(denied.isError).toBe(true);

    writeFileSync(file, "agents: [ this is not a policy");
    await until(() => gw?.log.some((l) => l.startsWith("kept:")) ?? false);
    expect(await names()).not.toContain("touch");
    expect(
      (await gw.client.callTool({ name: "touch", arguments: { path: join(root, "nope") } }))
        .isError,
    ).toBe(true);
  });
});

describe("several upstreams", () => {
  it("namespaces tools and prompts, routes calls and resources, and pages across servers", async () => {
    gw = await inProcessGateway({
      store,
      policyFile: policyFile(),
      upstreams: [
        fixtureUpstream("alpha"),
        { name: "everything", command: process.execPath, args: [EVERYTHING, "stdio"] },
      ],
    });
    const { client } = gw;
    expect(client.getServerVersion()?.name).toBe("redline-mcp-gateway");
    const tools: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await client.listTools(cursor ? { cursor } : {});
      tools.push(...page.tools.map((t) => t.name));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    expect(tools).toEqual(
      expect.arrayContaining([
        "alpha__echo",
        "alpha__touch",
        "everything__echo",
        "everything__get-sum",
      ]),
    );
    expect(text(await client.callTool({ name: "alpha__echo", arguments: { message: "a" } }))).toBe(
      "a",
    );
    expect(
      text(await client.callTool({ name: "everything__echo", arguments: { message: "b" } })),
    ).toMatch(/b/);
    await expect(client.callTool({ name: "nobody__echo", arguments: {} })).rejects.toThrow(
      /unknown tool: nobody__echo/,
    );
    const prompts = (await client.listPrompts()).prompts.map((p) => p.name);
    expect(prompts).toContain("alpha__prompt-0");
    const resources = (await client.listResources()).resources.map((r) => r.uri);
    expect(resources).toContain("fixture://notes");
    const notes = await client.readResource({ uri: "fixture://notes" });
    expect((notes.contents[0] as { text?: string }).text).toBe("the notes");
    const decisions = await store.audit.query({ kind: "decision", newest: true, limit: 3 });
    expect(decisions.map((d) => (d.action as { server: string }).server)).toContain("alpha");
  });
});
