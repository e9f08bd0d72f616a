import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAuditLog } from "../audit/verify.js";
import { openSqliteStore } from "../store/sqlite/open.js";
import {
  Approver,
  BIN,
  FS_SERVER,
  issueToken,
  redline,
  type Stdio,
  stdioGateway,
  testRoot,
  writePolicy,
} from "./test-support/harness.js";

/**
 * The gateway in front of the real filesystem MCP server over stdio. The server may touch the
 * whole test root; the policy's workspace is only `ws/`: what is refused below is refused by
 * Redline, not by the server.
 */

let root: string;
let ws: string;
let outside: string;
let state: string;
let policy: string;
let gw: Stdio;
let client: Client;

type Content = { type: string; text?: string }[];
const text = (r: Awaited<ReturnType<Client["callTool"]>>) =>
  ((r.content ?? []) as Content).map((c) => c.text ?? "").join("");
const decisionOf = (r: Awaited<ReturnType<Client["callTool"]>>) =>
  (
    r._meta as
      | Record<string, { decision: string; categories: string[]; rules: string[] }>
      | undefined
  )?.["dev.redline/decision"];

beforeAll(async () => {
  root = testRoot();
  ws = join(root, "ws");
  outside = join(root, "outside");
  state = join(root, "state");
  mkdirSync(ws);
  mkdirSync(outside);
  writeFileSync(join(ws, "notes.txt"), "hello from the workspace\n");
  writeFileSync(join(ws, "draft.txt"), "draft\n");
  symlinkSync(outside, join(ws, "link"));
  policy = writePolicy(
    root,
    `
agents:
  - id: coding-agent
    default: allow
redlines:
  - categories: [security.weaken, system.destroy, secret.access, opaque]
    effect: deny
rules:
  - id: moves-need-a-human
    match: { kind: mcp, server: filesystem, tool: move_file }
    effect: approval
    approval: { expires: 2m }
  - id: no-trees
    match: { kind: mcp, server: filesystem, tool: directory_tree }
    effect: deny
analysis:
  workspace: ${ws}
breaker: { denials: 100, per: 60s }   # this test is denied on purpose, often
`,
  );
  const token = issueToken(policy, state, "coding-agent");
  gw = await stdioGateway({
    policy,
    state,
    token,
    name: "filesystem",
    upstream: [process.execPath, FS_SERVER, root],
  });
  client = gw.client;
}, 60_000);

afterAll(async () => {
  await client?.close();
});

describe("redline mcp over stdio, in front of @modelcontextprotocol/server-filesystem", () => {
  it("lists the server's tools except one the policy denies by name", async () => {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["read_text_file", "write_file", "move_file"]));
    expect(names).not.toContain("directory_tree");
    const denied = await client.callTool({ name: "directory_tree", arguments: { path: ws } });
    expect(denied.isError).toBe(true);
    expect(decisionOf(denied)?.rules).toEqual(["no-trees"]);
  });

  it("allows reads in the workspace", async () => {
    const r = await client.callTool({
      name: "read_text_file",
      arguments: { path: join(ws, "notes.txt") },
    });
    expect(r.isError).toBeFalsy();
    expect(text(r)).toContain("hello from the workspace");
  });

  it("denies a write outside the workspace, never forwarding it", async () => {
    const target = join(outside, "planted.txt");
    const r = await client.callTool({
      name: "write_file",
      arguments: { path: target, content: "x" },
    });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/^Redline denied this call \(red line: security\.weaken\)/);
    expect(decisionOf(r)?.categories).toEqual(["security.weaken"]);
    expect(existsSync(target)).toBe(false);
  });

  it("denies path traversal out of the workspace", async () => {
    const r = await client.callTool({
      name: "write_file",
      arguments: { path: `${ws}/../outside/traversed.txt`, content: "x" },
    });
    expect(r.isError).toBe(true);
    expect(decisionOf(r)?.decision).toBe("deny");
    expect(existsSync(join(outside, "traversed.txt"))).toBe(false);
  });

  it("denies a write through a symlink that leads out of the workspace", async () => {
    const r = await client.callTool({
      name: "write_file",
      arguments: { path: join(ws, "link", "escaped.txt"), content: "x" },
    });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/outside the workspace/);
    expect(existsSync(join(outside, "escaped.txt"))).toBe(false);
  });

  it("denies reading a secret, even inside the workspace", async () => {
    writeFileSync(join(ws, ".env"), "API_KEY=sk-live-1234\n");
    const r = await client.callTool({
      name: "read_text_file",
      arguments: { path: join(ws, ".env") },
    });
    expect(r.isError).toBe(true);
    expect(decisionOf(r)?.categories).toEqual(["secret.access"]);
    expect(text(r)).not.toContain("sk-live");
  });

  it("holds a move for approval, releases it once when approved, and not for other arguments", {
    timeout: 30_000,
  }, async () => {
    const human = await Approver.open(state);
    try {
      const args = { source: join(ws, "draft.txt"), destination: join(ws, "final.txt") };
      const call = client.callTool({ name: "move_file", arguments: args });
      const req = await human.pending().catch((e) => {
        throw new Error(`${e.message}; gateway said: ${gw.stderr()}`);
      });
      expect(req.agent).toBe("coding-agent");
      expect(req.rules).toEqual(["moves-need-a-human"]);
      // Held: nothing happened yet.
      expect(existsSync(join(ws, "draft.txt"))).toBe(true);
      expect((await human.vote(req.id, "approve")).ok).toBe(true);
      const r = await call;
      expect(r.isError).toBeFalsy();
      expect(readFileSync(join(ws, "final.txt"), "utf8")).toBe("draft\n");
      expect((await human.store.approvals.get(req.id))?.status).toBe("used");

      // The same tool with other arguments is another action: a new request, here refused.
      writeFileSync(join(ws, "other.txt"), "other\n");
      const replay = client.callTool({
        name: "move_file",
        arguments: { source: join(ws, "other.txt"), destination: join(ws, "final2.txt") },
      });
      const second = await human.pending();
      expect(second.id).not.toBe(req.id);
      expect(second.actionHash).not.toBe(req.actionHash);
      await human.vote(second.id, "deny");
      const refused = await replay;
      expect(refused.isError).toBe(true);
      expect(text(refused)).toMatch(/denied/);
      expect(existsSync(join(ws, "other.txt"))).toBe(true);
      expect(existsSync(join(ws, "final2.txt"))).toBe(false);
    } finally {
      await human.close();
    }
  });

  it("records every decision and outcome in a chain that verifies", async () => {
    // Let the outcome entries (written after the reply) land.
    await new Promise((r) => setTimeout(r, 200));
    const store = openSqliteStore({ dir: state });
    try {
      const decisions = await store.audit.query({ kind: "decision" });
      const tools = decisions.map((e) => (e.action as { tool?: string }).tool);
      expect(tools).toEqual(
        expect.arrayContaining(["directory_tree", "read_text_file", "write_file", "move_file"]),
      );
      const kinds = new Set((await store.audit.query({})).map((e) => e.kind));
      for (const k of [
        "completed",
        "approval.requested",
        "approval.granted",
        "approval.used",
        "approval.denied",
      ])
        expect(kinds).toContain(k);
      // Secrets in arguments are redacted in the log.
      expect(JSON.stringify(decisions)).not.toContain("sk-live");
      expect((await verifyAuditLog(store.audit, undefined)).ok).toBe(true);
    } finally {
      await store.close();
    }
  });
});

describe("malformed frames from the agent", () => {
  it("are reported and skipped; the next request is served", { timeout: 30_000 }, async () => {
    const token = issueToken(policy, state, "coding-agent");
    const child = spawn(
      process.execPath,
      [
        BIN,
        "mcp",
        "--policy",
        policy,
        "--state-dir",
        state,
        "--name",
        "filesystem",
        "--",
        process.execPath,
        FS_SERVER,
        root,
      ],
      { env: { ...process.env, REDLINE_TOKEN: token }, stdio: ["pipe", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    try {
      child.stdin.write("this is not json\n");
      child.stdin.write(
        `${JSON.stringify({ jsonrpc: "2.0", id: 7, method: "nonsense-without-params" }).slice(0, 20)}\n`,
      );
      child.stdin.write(
        `${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } } })}\n`,
      );
      const end = Date.now() + 20_000;
      while (!out.includes('"id":1') && Date.now() < end)
        await new Promise((r) => setTimeout(r, 50));
      const answer = JSON.parse(out.trim().split("\n").at(-1) as string);
      expect(answer).toMatchObject({
        id: 1,
        result: { serverInfo: { name: "secure-filesystem-server" } },
      });
      expect(err).toMatch(/agent connection: .*JSON/i);
    } finally {
      child.kill();
    }
  });
});

describe("redline mcp without a valid credential", () => {
  it("serves nothing and says why", () => {
    const r = redline([
      "mcp",
      "--policy",
      policy,
      "--state-dir",
      state,
      "--",
      process.execPath,
      FS_SERVER,
      root,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no agent credential: set REDLINE_TOKEN/);
    const bad = redline([
      "mcp",
      "--policy",
      policy,
      "--state-dir",
      state,
      "--token-file",
      policy, // not a token
      "--",
      process.execPath,
      FS_SERVER,
      root,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/agent token refused: not a JWT/);
  });
});
