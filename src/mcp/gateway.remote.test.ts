import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BIN,
  EVERYTHING,
  freePort,
  issueToken,
  listening,
  ROOT,
  redline,
  type Stdio,
  stdioGateway,
  testRoot,
  writePolicy,
} from "./test-support/harness.js";

/**
 * `redline mcp --server URL`: the gateway keeps no state and holds no policy; `redline serve`
 * decides, records, filters and holds approvals, with the same semantics as a local store.
 */

const POLICY = `
agents:
  - id: coding-agent
    default: allow
rules:
  - id: no-env-dumps
    match: { kind: mcp, tool: get-env }
    effect: deny
  - id: human-echo
    match: { kind: mcp, tool: echo }
    when: action.arguments.message == "needs a human"
    effect: approval
`;

let root: string;
let state: string;
let policy: string;
let serve: ChildProcess;
let base: string;
let gw: Stdio;
let client: Client;
let secret: string;

beforeAll(async () => {
  root = testRoot();
  state = join(root, "state");
  policy = writePolicy(root, POLICY);
  const token = issueToken(policy, state, "coding-agent");
  secret = JSON.parse(
    redline(["approvers", "add", "alice", "--state-dir", state, "--json"]).stdout,
  ).secret;
  const port = await freePort();
  serve = spawn(
    process.execPath,
    [BIN, "serve", "--policy", policy, "--state-dir", state, "--listen", `127.0.0.1:${port}`],
    {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  base = (await listening(serve, "redline serve")).href;
  gw = await stdioGateway({
    policy,
    state: join(root, "unused-state"),
    token,
    name: "everything",
    upstream: [process.execPath, EVERYTHING, "stdio"],
    extra: ["--server", base],
  });
  client = gw.client;
}, 60_000);

afterAll(async () => {
  await client?.close();
  serve?.kill("SIGTERM");
});

const text = (r: Awaited<ReturnType<Client["callTool"]>>) =>
  ((r.content ?? []) as { text?: string }[]).map((c) => c.text ?? "").join("");

async function api(method: string, path: string, body?: unknown) {
  const r = await fetch(new URL(path, base), {
    method,
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return r.json() as Promise<Record<string, unknown>>;
}

describe("redline mcp --server", () => {
  it("filters lists and decides calls by the server's policy, recorded in the server's log", async () => {
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain("echo");
    expect(names).not.toContain("get-env");
    expect(
      text(await client.callTool({ name: "echo", arguments: { message: "remote" } })),
    ).toContain("remote");
    const denied = await client.callTool({ name: "get-env", arguments: {} });
    expect(denied.isError).toBe(true);
    expect(text(denied)).toMatch(/no-env-dumps|Redline denied/);
    const { entries } = (await api("GET", "/v1/audit?kind=decision&limit=10")) as {
      entries: { action: { tool: string } }[];
    };
    expect(entries.map((e) => e.action.tool)).toEqual(expect.arrayContaining(["echo", "get-env"]));
  });

  it("holds a call on the server's approval request and releases it once approved there", async () => {
    const call = client.callTool({ name: "echo", arguments: { message: "needs a human" } });
    let pending: { id: string }[] = [];
    for (let i = 0; i < 200 && pending.length === 0; i++) {
      pending = ((await api("GET", "/v1/approvals")) as { approvals: { id: string }[] }).approvals;
      if (pending.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(pending).toHaveLength(1);
    const id = pending[0]?.id as string;
    expect((await api("POST", `/v1/approvals/${id}/approve`, { comment: "fine" })).status).toBe(
      "granted",
    );
    expect(text(await call)).toContain("needs a human");
    expect((await api("GET", `/v1/approvals/${id}`)).status).toBe("used");
  });

  it("denies every call when the control plane is unreachable, and shows no tools", async () => {
    serve.kill("SIGKILL");
    await new Promise((r) => serve.once("exit", r));
    const r = await client
      .callTool({ name: "echo", arguments: { message: "x" } })
      .catch((e: Error) => e);
    // Either the credential check or the decision fails closed; nothing reaches the server.
    expect(r instanceof Error ? r.message : text(r)).toMatch(
      /not authorised|unreachable|ECONNREFUSED/,
    );
    await expect(client.listTools()).rejects.toThrow(/not authorised/);
  });
});
