import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSqliteStore } from "../store/sqlite/open.js";
import {
  Approver,
  EVERYTHING,
  freePort,
  httpClient,
  httpGateway,
  issueToken,
  type Listening,
  redline,
  testRoot,
  until,
  writePolicy,
} from "./test-support/harness.js";

/**
 * The gateway serving streamable HTTP, in front of the real `server-everything`: spawned per
 * session (stdio upstream), and as a streamable HTTP server of its own (URL upstream).
 */

const POLICY = `
agents:
  - id: coding-agent
    default: allow
  - id: other-agent
    default: allow
rules:
  - id: no-env-dumps
    match: { kind: mcp, tool: get-env }
    effect: deny
  - id: human-echo
    match: { kind: mcp, tool: echo }
    when: action.arguments.message == "needs a human"
    effect: approval
breaker: { denials: 100, per: 60s }
`;

let root: string;
let state: string;
let policy: string;
let token: string;
const toStop: (() => Promise<void>)[] = [];

const pidFile = () => join(root, "upstream.pid");

beforeAll(async () => {
  root = testRoot();
  state = join(root, "state");
  policy = writePolicy(root, POLICY);
  token = issueToken(policy, state, "coding-agent");
  gw = await httpGateway([
    "--policy",
    policy,
    "--state-dir",
    state,
    "--name",
    "everything",
    "--",
    "sh",
    "-c",
    `echo $$ >> ${pidFile()}; exec ${process.execPath} ${EVERYTHING} stdio`,
  ]);
  toStop.push(gw.stop);
}, 60_000);

afterAll(async () => {
  for (const stop of toStop.splice(0).reverse()) await stop();
});

const text = (r: Awaited<ReturnType<Client["callTool"]>>) =>
  ((r.content ?? []) as { text?: string }[]).map((c) => c.text ?? "").join("");

/** A raw initialize POST (node:http, which lets a test set the Host header as a browser would). */
function initialize(
  headers: Record<string, string>,
): Promise<{ status: number; body: string; auth?: string }> {
  const body = JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "raw", version: "1" },
    },
  });
  return new Promise((resolve, reject) => {
    const req = request(
      gw.url,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          ...headers,
        },
      },
      (res) => {
        // An accepted initialize answers on an SSE stream that may stay open: the status is enough.
        if (res.statusCode === 200) {
          res.destroy();
          return resolve({ status: 200, body: "" });
        }
        let text = "";
        res.on("data", (d: Buffer) => {
          text += d.toString();
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            body: text,
            auth: res.headers["www-authenticate"],
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

let gw: Listening;

describe("redline mcp --listen, upstream server-everything spawned per session", () => {
  let client: Client;

  beforeAll(async () => {
    client = await httpClient(gw.url, token);
    toStop.push(() => client.close());
  }, 60_000);

  it("refuses a request without a token, with a bad token, a foreign Host or Origin", async () => {
    const none = await initialize({});
    expect(none.status).toBe(401);
    expect(none.auth).toMatch(/^Bearer/);
    const forged = await initialize({ authorization: `Bearer ${token.slice(0, -4)}AAAA` });
    expect(forged.status).toBe(401);
    expect(forged.body).toMatch(/signature does not verify/);
    const host = await initialize({ authorization: `Bearer ${token}`, host: "attacker.example" });
    expect(host.status).toBe(403);
    const origin = await initialize({
      authorization: `Bearer ${token}`,
      origin: "http://attacker.example",
    });
    expect(origin.status).toBe(403);
    expect(origin.body).toMatch(/Origin 'http:\/\/attacker.example' is not allowed/);
    const allowed = await initialize({ authorization: `Bearer ${token}`, origin: gw.url.origin });
    expect(allowed.status).toBe(200);
  });

  it("lists tools without the one the policy denies by name", async () => {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toContain("echo");
    expect(names).toContain("trigger-long-running-operation");
    expect(names).not.toContain("get-env");
    const denied = await client.callTool({ name: "get-env", arguments: {} });
    expect(denied.isError).toBe(true);
    expect(text(denied)).toMatch(/^Redline denied this call/);
  });

  it("forwards allowed calls and passes the server's progress through", async () => {
    const echo = await client.callTool({ name: "echo", arguments: { message: "hi" } });
    expect(text(echo)).toContain("hi");
    const progress: number[] = [];
    const r = await client.callTool(
      { name: "trigger-long-running-operation", arguments: { duration: 0.4, steps: 4 } },
      undefined,
      { onprogress: (p) => progress.push(p.progress) },
    );
    expect(text(r)).toMatch(/completed/);
    expect(progress).toEqual([1, 2, 3, 4]);
  });

  it("holds a call for approval, telling the agent it waits, then releases it", {
    timeout: 30_000,
  }, async () => {
    const human = await Approver.open(state);
    try {
      const notes: string[] = [];
      const call = client.callTool(
        { name: "echo", arguments: { message: "needs a human" } },
        undefined,
        {
          onprogress: (p) => notes.push(p.message ?? ""),
          timeout: 30_000,
        },
      );
      const req = await human.pending();
      await human.vote(req.id, "approve");
      const r = await call;
      expect(text(r)).toContain("needs a human");
      expect(notes[0]).toMatch(new RegExp(`waiting for a human to approve \\(request ${req.id}`));
    } finally {
      await human.close();
    }
  });

  it("an agent that gives up waiting and retries waits on the same request; the approval runs it once", {
    timeout: 30_000,
  }, async () => {
    const human = await Approver.open(state);
    try {
      const args = { name: "echo", arguments: { message: "needs a human" } };
      const abort = new AbortController();
      const first = client.callTool(args, undefined, { signal: abort.signal, timeout: 30_000 });
      const req = await human.pending();
      abort.abort("gave up");
      await expect(first).rejects.toThrow(/gave up|abort/i);
      const notes: string[] = [];
      const retry = client.callTool(args, undefined, {
        onprogress: (p) => notes.push(p.message ?? ""),
        timeout: 30_000,
      });
      await until(() => notes.length > 0);
      expect(notes[0]).toContain(req.id);
      expect(await human.store.approvals.list({ status: "pending" })).toHaveLength(1);
      await human.vote(req.id, "approve");
      expect(text(await retry)).toContain("needs a human");
      expect((await human.store.approvals.get(req.id))?.status).toBe("used");
    } finally {
      await human.close();
    }
  });

  it("binds a session to its agent: another agent's token cannot use it", async () => {
    const other = issueToken(policy, state, "other-agent");
    const sessionId = (client.transport as StreamableHTTPClientTransport).sessionId as string;
    const r = await fetch(gw.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        authorization: `Bearer ${other}`,
        "mcp-session-id": sessionId,
        "mcp-protocol-version": "2025-06-18",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 9, method: "tools/list" }),
    });
    expect(r.status).toBe(403);
  });

  it("fails a call whose upstream dies mid-call, and keeps serving", {
    timeout: 30_000,
  }, async () => {
    let killed = false;
    const call = client
      .callTool(
        { name: "trigger-long-running-operation", arguments: { duration: 20, steps: 20 } },
        undefined,
        {
          onprogress: () => {
            if (killed) return;
            killed = true;
            // Every session has its own upstream: kill them all.
            for (const pid of readFileSync(pidFile(), "utf8").trim().split("\n")) {
              try {
                process.kill(Number(pid), "SIGKILL");
              } catch {
                // already gone
              }
            }
          },
        },
      )
      .then(
        (r) => ({ ok: true as const, r }),
        (e: Error) => ({ ok: false as const, e }),
      );
    const started = Date.now();
    const out = await call;
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.e.message).toMatch(/upstream server 'everything' exited/);
    expect(Date.now() - started).toBeLessThan(10_000);
    // The next call reconnects to a fresh upstream.
    const echo = await client.callTool({ name: "echo", arguments: { message: "still here" } });
    expect(text(echo)).toContain("still here");
  });

  it("stops serving an agent the moment it is suspended", { timeout: 30_000 }, async () => {
    const s = redline([
      "agents",
      "suspend",
      "coding-agent",
      "--policy",
      policy,
      "--state-dir",
      state,
      "--reason",
      "test",
    ]);
    expect(s.code).toBe(0);
    try {
      // The token is refused at the door (401) for every request, audited as token.refused.
      await expect(client.callTool({ name: "echo", arguments: { message: "hi" } })).rejects.toThrow(
        /not authorised: agent 'coding-agent' is suspended: test/,
      );
      await expect(client.listTools()).rejects.toThrow(/not authorised/);
      const store = openSqliteStore({ dir: state, readonly: true });
      try {
        const refused = await store.audit.query({ kind: "token.refused", agent: "coding-agent" });
        expect(refused.at(-1)?.data).toMatchObject({ code: "suspended" });
      } finally {
        await store.close();
      }
    } finally {
      redline(["agents", "resume", "coding-agent", "--policy", policy, "--state-dir", state]);
      token = issueToken(policy, state, "coding-agent");
    }
  });
});

describe("what passes through unchanged: sampling, elicitation, logging, cancellation", () => {
  let client: Client;

  beforeAll(async () => {
    client = new Client(
      { name: "test-agent", version: "1.0.0" },
      { capabilities: { sampling: {}, elicitation: {} } },
    );
    client.setRequestHandler(CreateMessageRequestSchema, async (req) => ({
      model: "test-model",
      role: "assistant",
      content: {
        type: "text",
        text: `sampled: ${JSON.stringify(req.params.messages[0]?.content)}`,
      },
    }));
    client.setRequestHandler(ElicitRequestSchema, async () => ({
      action: "accept",
      content: {
        name: "Ada",
        check: true,
        email: "ada@example.com",
        integer: 3,
        number: 3.5,
        enums: "value1",
      },
    }));
    await client.connect(
      new StreamableHTTPClientTransport(gw.url, {
        requestInit: { headers: { Authorization: `Bearer ${token}` } },
      }),
    );
    toStop.push(() => client.close());
  });

  it("a server's sampling and elicitation requests reach the agent, and its answers the server", async () => {
    await until(async () =>
      (await client.listTools()).tools.some((t) => t.name === "trigger-sampling-request"),
    );
    const sampled = await client.callTool({
      name: "trigger-sampling-request",
      arguments: { prompt: "ping" },
    });
    expect(text(sampled)).toMatch(/sampled: .*ping/);
    const elicited = await client.callTool({ name: "trigger-elicitation-request", arguments: {} });
    expect(text(elicited)).toMatch(/Ada/);
  });

  it("logging levels reach the server and its log messages reach the agent", async () => {
    const messages: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, async (n) => {
      messages.push(n.params.data);
    });
    await client.setLoggingLevel("debug");
    await client.callTool({ name: "toggle-simulated-logging", arguments: {} });
    await until(() => messages.length > 0);
    await client.callTool({ name: "toggle-simulated-logging", arguments: {} });
  });

  it("an agent's cancellation ends the call; the session goes on", async () => {
    const abort = new AbortController();
    const call = client.callTool(
      { name: "trigger-long-running-operation", arguments: { duration: 20, steps: 20 } },
      undefined,
      { signal: abort.signal, onprogress: () => abort.abort("enough") },
    );
    await expect(call).rejects.toThrow(/enough|abort/i);
    expect(text(await client.callTool({ name: "echo", arguments: { message: "next" } }))).toContain(
      "next",
    );
  });
});

describe("redline mcp --listen --url: a streamable HTTP upstream", () => {
  let upstream: ChildProcess;
  let port: number;
  let client: Client;

  const startUpstream = () => {
    upstream = spawn(process.execPath, [EVERYTHING, "streamableHttp"], {
      env: { ...process.env, PORT: String(port) },
      stdio: ["ignore", "ignore", "pipe"],
    });
    return new Promise<void>((resolve, reject) => {
      let err = "";
      upstream.stderr?.on("data", (d: Buffer) => {
        err += d.toString();
        if (/listening on port/.test(err)) resolve();
      });
      upstream.once("exit", (c) => reject(new Error(`upstream exited ${c}: ${err}`)));
    });
  };

  beforeAll(async () => {
    port = await freePort();
    await startUpstream();
    toStop.push(async () => void upstream.kill());
    const g = await httpGateway([
      "--policy",
      policy,
      "--state-dir",
      join(root, "state2"),
      "--url",
      `http://127.0.0.1:${port}/mcp`,
      "--name",
      "everything",
    ]);
    toStop.push(g.stop);
    const t = issueToken(policy, join(root, "state2"), "coding-agent");
    client = await httpClient(g.url, t);
    toStop.push(() => client.close());
  }, 60_000);

  it("filters and forwards as with a spawned one", async () => {
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain("echo");
    expect(names).not.toContain("get-env");
    expect(
      text(await client.callTool({ name: "echo", arguments: { message: "over http" } })),
    ).toContain("over http");
  });

  it("fails the call in flight when the upstream dies, and reconnects when it is back", {
    timeout: 30_000,
  }, async () => {
    let killed = false;
    const out = await client
      .callTool(
        { name: "trigger-long-running-operation", arguments: { duration: 20, steps: 20 } },
        undefined,
        {
          onprogress: () => {
            if (killed) return;
            killed = true;
            upstream.kill("SIGKILL");
          },
        },
      )
      .then(
        () => "answered",
        (e: Error) => e.message,
      );
    expect(out).toMatch(/upstream server 'everything'/);
    await startUpstream();
    expect(text(await client.callTool({ name: "echo", arguments: { message: "back" } }))).toContain(
      "back",
    );
  });
});
