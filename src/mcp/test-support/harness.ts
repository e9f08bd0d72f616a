import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  getDefaultEnvironment,
  StdioClientTransport,
} from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll } from "vitest";
import { ApprovalService } from "../../approvals/service.js";
import { addApprover } from "../../identity/approvers.js";
import { openSqliteStore, type SqliteStateStore } from "../../store/sqlite/open.js";
import { listening, stderrOf } from "./listening.js";

/** The gateway as a user runs it: the built CLI (`npm test` builds first), real servers from npm. */
export const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
export const BIN = join(ROOT, "bin/redline.js");
const require = createRequire(import.meta.url);
export const FS_SERVER = require.resolve("@modelcontextprotocol/server-filesystem/dist/index.js");
export const EVERYTHING = require.resolve("@modelcontextprotocol/server-everything/dist/index.js");

const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * A scratch tree outside /tmp (which the analyzers treat as scratch space that anyone may
 * write), so "outside the workspace" means what it does on a real machine. Under the home
 * directory, not the checkout: a checkout may itself live under /tmp.
 */
export function testRoot(): string {
  const base = process.env.REDLINE_TEST_ROOT ?? join(homedir(), ".redline-tests");
  if (/^\/(tmp|var\/tmp|dev\/shm)(\/|$)/.test(base))
    throw new Error(
      `test root ${base} is under a scratch directory: set REDLINE_TEST_ROOT elsewhere`,
    );
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, "mcp-"));
  made.push(dir);
  return dir;
}

export function redline(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function writePolicy(dir: string, yaml: string): string {
  const file = join(dir, "policy.yaml");
  writeFileSync(file, yaml);
  return file;
}

export function issueToken(policy: string, state: string, agent: string): string {
  const r = redline(["token", "issue", "--agent", agent, "--policy", policy, "--state-dir", state]);
  if (r.code !== 0) throw new Error(`token issue failed: ${r.stderr}`);
  return r.stdout.trim();
}

export interface Stdio {
  client: Client;
  transport: StdioClientTransport;
  stderr: () => string;
}

/** An SDK client talking to `redline mcp` over stdio, which spawns `upstream`. */
export async function stdioGateway(args: {
  policy: string;
  state: string;
  token?: string;
  name: string;
  upstream: string[];
  extra?: string[];
}): Promise<Stdio> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [
      BIN,
      "mcp",
      "--policy",
      args.policy,
      "--state-dir",
      args.state,
      "--name",
      args.name,
      "--approval-poll",
      "0.05",
      ...(args.extra ?? []),
      "--",
      ...args.upstream,
    ],
    env: { ...getDefaultEnvironment(), ...(args.token ? { REDLINE_TOKEN: args.token } : {}) },
    stderr: "pipe",
    cwd: ROOT,
  });
  let err = "";
  transport.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const client = new Client({ name: "test-agent", version: "1.0.0" });
  await client.connect(transport);
  return { client, transport, stderr: () => err };
}

export interface Listening {
  url: URL;
  child: ChildProcess;
  stderr: () => string;
  stop(): Promise<void>;
}

/** `redline <args>` (the built CLI), resolved once it says on stderr where it listens. */
export async function listeningCli(args: string[]): Promise<Listening> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
  });
  const url = await listening(child, `redline ${args[0]}`);
  return {
    url,
    child,
    stderr: () => stderrOf(child),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** `redline mcp --listen 127.0.0.1:0 ...`. */
export function httpGateway(args: string[]): Promise<Listening> {
  return listeningCli(["mcp", "--listen", "127.0.0.1:0", "--approval-poll", "0.05", ...args]);
}

export async function httpClient(url: URL, token: string): Promise<Client> {
  const client = new Client({ name: "test-agent", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(url, {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

/** A human approver working on the same state directory, as another process would. */
export class Approver {
  readonly store: SqliteStateStore;
  readonly service: ApprovalService;

  private constructor(state: string) {
    this.store = openSqliteStore({ dir: state });
    this.service = new ApprovalService(this.store);
  }

  static async open(state: string, id = "alice"): Promise<Approver> {
    const a = new Approver(state);
    if (!(await a.store.approvers.get(id)))
      await addApprover(a.store.approvers, a.store.audit, { id, by: "test", at: Date.now() });
    return a;
  }

  /** Waits for a pending request (the held call) and returns it. */
  async pending(timeoutMs = 15_000) {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const [r] = await this.store.approvals.list({ status: "pending" });
      if (r) return r;
      if (Date.now() > until) throw new Error("no approval request appeared");
      await new Promise((res) => setTimeout(res, 25));
    }
  }

  vote(id: string, verdict: "approve" | "deny", approver = "alice") {
    return this.service.vote(id, approver, verdict, "checked by the test", Date.now());
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

export { listening, stderrOf };

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

export async function until(f: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
