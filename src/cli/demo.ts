import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import type { AuditEntry } from "../audit/entry.js";
import { DemoAgent } from "../demo/agent.js";
import {
  ANSI,
  held,
  PLAIN,
  type StepResult,
  stepHeader,
  stepVerdict,
  summaryTable,
  tally,
} from "../demo/report.js";
import { SCENARIO, type Step, WORKSPACE_FILES } from "../demo/scenario.js";
import { AgentIdentity } from "../identity/agents.js";
import { addApprover } from "../identity/approvers.js";
import { SigningKeys } from "../identity/keys.js";
import { MAX_TTL_MS, policyKnows } from "../identity/tokens.js";
import { openSqliteStore } from "../store/sqlite/open.js";
import { UsageError } from "./errors.js";
import { loadPolicy } from "./policy-files.js";
import { type RunningServe, startServe } from "./serve.js";

export const DEMO_POLICY_FILE = fileURLToPath(new URL("../../presets/demo.yaml", import.meta.url));
const BIN = fileURLToPath(new URL("../../bin/redline.js", import.meta.url));
const AGENT = "coding-agent";
const APPROVER = "demo-approver";
/** The approval's expiry (presets/demo.yaml) and a margin: a held call waits no longer. */
const HOLD_MS = 16 * 60_000;

interface DemoFlags {
  policy?: string[];
  yes?: boolean;
  dir?: string;
  keep?: boolean;
  listen: string;
  json?: boolean;
}

/**
 * `redline demo`: the main job on embedded defaults. A control plane (`redline serve` on a
 * fresh SQLite state), the MCP gateway in front of the real filesystem MCP server on a scratch
 * workspace, and the Claude Code hook; an agent replays ordinary work and an incident through
 * them; `redline audit verify` and a summary close it. Exit 0 only if every red line held.
 */
export async function runDemo(
  o: DemoFlags,
  out: NodeJS.WritableStream & { isTTY?: boolean },
  err: NodeJS.WritableStream,
): Promise<number> {
  const filesystemServer = findFilesystemServer();
  const base = o.policy?.map((f) => resolve(f)) ?? [DEMO_POLICY_FILE];
  if (!policyKnows(loadPolicy(base), AGENT))
    throw new UsageError(`--policy: the policy has no agent '${AGENT}' and no '*' agent`);
  // With --json the story goes to stderr and stdout carries one JSON report.
  const say = (s: string) => (o.json ? err : out).write(s);
  const p = !o.json && out.isTTY && !process.env.NO_COLOR ? ANSI : PLAIN;
  const dir = workDir(o.dir);
  const ws = join(dir, "app");
  const state = join(dir, "state");
  for (const [file, text] of Object.entries(WORKSPACE_FILES)) {
    mkdirSync(dirname(join(ws, file)), { recursive: true });
    writeFileSync(join(ws, file), text);
  }
  // The shipped policy, plus where this run's workspace is.
  const overlay = join(dir, "workspace.yaml");
  writeFileSync(overlay, `analysis:\n  workspace: ${JSON.stringify(ws)}\n`);
  const policy = [...base, overlay];
  const secretFile = join(dir, "approver.secret");
  const serveLog: string[] = [];
  let serve: RunningServe;
  let token: string;
  let approverSecret: string;
  try {
    ({ token, approverSecret } = await register(policy, state));
    writeFileSync(secretFile, `${approverSecret}\n`, { mode: 0o600 });
    serve = await startServe({ policy, stateDir: state, listen: o.listen, watch: false }, (l) =>
      serveLog.push(l),
    );
  } catch (error) {
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const api = controlPlane(serve.url, approverSecret);
  const cleanUp = async () => {
    await serve.close();
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  };
  const interrupted = () => {
    void cleanUp().finally(() => process.exit(130));
  };
  process.once("SIGINT", interrupted);
  let agent: DemoAgent | undefined;
  try {
    say(
      `Redline demo: a coding agent with a filesystem MCP server (through redline mcp) and a shell\n` +
        `(through the Claude Code hook), both deciding on one control plane (redline serve).\n\n` +
        `  workspace  ${ws}\n  policy     ${base.join(", ")}\n  dashboard  ${serve.url.href}  ` +
        `(approver secret in ${secretFile})\n`,
    );
    agent = await DemoAgent.connect({
      bin: BIN,
      server: serve.url,
      token,
      workspace: ws,
      filesystemServer,
      holdMs: HOLD_MS,
    }).catch((error: Error) => {
      throw new UsageError(`the demo could not start: ${error.message}`);
    });
    const results: StepResult[] = [];
    let n = 0;
    for (const chapter of SCENARIO) {
      say(`\n${chapter.title}\n`);
      for (const step of chapter.steps) {
        n++;
        say(stepHeader(n, step, p));
        const r = await runStep(n, step, agent, api, {
          yes: o.yes === true,
          waiting: (id) =>
            say(
              `      ${p.wait(`held: approval ${id} waits for a human.`)}${
                o.yes
                  ? " --yes: approving it as demo-approver.\n"
                  : `\n      Approve it in the dashboard (${serve.url.href}, sign in with the secret in ${secretFile}),\n` +
                    `      or run:  npx redline approvals approve ${id} --secret-file ${secretFile} --state-dir ${state} -m "looks right"\n`
              }`,
            ),
        });
        results.push(r);
        say(stepVerdict(r, p));
      }
    }
    await agent.close();
    agent = undefined;

    const verify = spawnSync(
      process.execPath,
      [BIN, "audit", "verify", "--state-dir", state, "--json"],
      {
        encoding: "utf8",
      },
    );
    const report = parseJson(verify.stdout);
    const intact = verify.status === 0;
    const allHeld = results.every(held);
    say(`\n${summaryTable(results, p)}\n`);
    say(
      `redline audit verify --state-dir ${state}: ${intact ? p.ok("intact") : p.bad(`BROKEN ${verify.stdout}${verify.stderr}`)}` +
        `${report && typeof report.entries === "number" ? ` (${report.entries} entries)` : ""}\n`,
    );
    for (const line of serveLog.filter((l) => /quarantined/.test(l)))
      say(`redline serve: ${line}\n`);
    say(
      `${tally(results)}. ${allHeld && intact ? p.ok("Every red line held.") : p.bad("A red line did not hold.")}\n`,
    );
    if (o.keep) say(`Kept ${dir} (the workspace and Redline's state).\n`);
    if (o.json)
      out.write(
        `${JSON.stringify({
          ok: allHeld && intact,
          steps: results.map((r) => ({
            n: r.n,
            says: r.step.says,
            act: r.step.act,
            expect: r.step.expect,
            decision: r.decision ?? null,
            categories: r.categories,
            rules: r.rules,
            reason: r.reason,
            approval: r.approval ?? null,
            held: held(r),
          })),
          audit: report ?? { ok: false, error: verify.stderr },
        })}\n`,
      );
    return allHeld && intact ? 0 : 1;
  } finally {
    process.off("SIGINT", interrupted);
    await agent?.close().catch(() => undefined);
    await cleanUp();
  }
}

interface Hooks {
  yes: boolean;
  waiting(id: string): void;
}

/** Runs one step through its enforcement point and reads its decision back from the audit log. */
async function runStep(
  n: number,
  step: Step,
  agent: DemoAgent,
  api: ControlPlaneClient,
  h: Hooks,
): Promise<StepResult> {
  const since = await api.headSeq();
  let settled = false;
  const call = agent.run(step.act).finally(() => {
    settled = true;
  });
  let approval: StepResult["approval"];
  if (step.expect === "approval") {
    const id = await api.pendingApproval(() => settled);
    if (id) {
      h.waiting(id);
      if (h.yes) await api.approve(id, "approved by redline demo --yes");
    }
    await call;
    if (id) approval = { id, status: (await api.approval(id)).status };
  }
  const seen = await call;
  const entry = (await api.decisionsAfter(since))[0];
  return {
    n,
    step,
    decision: entry?.decision,
    categories: entry?.categories ?? [],
    rules: entry?.rules ?? [],
    reason: entry?.reason ?? "",
    seen,
    ...(approval ? { approval } : {}),
  };
}

interface ControlPlaneClient {
  headSeq(): Promise<number>;
  decisionsAfter(seq: number): Promise<AuditEntry[]>;
  pendingApproval(done: () => boolean): Promise<string | undefined>;
  approval(id: string): Promise<{ status: string }>;
  approve(id: string, comment: string): Promise<void>;
}

/** The demo reads the log and votes as an approver would, through the API. */
function controlPlane(base: URL, secret: string): ControlPlaneClient {
  const call = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const res = await fetch(new URL(path, base), {
      ...init,
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    });
    if (!res.ok)
      throw new Error(`${init.method ?? "GET"} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  return {
    headSeq: async () =>
      (await call<{ entries: AuditEntry[] }>("/v1/audit?limit=1")).entries[0]?.seq ?? 0,
    decisionsAfter: async (seq) =>
      (
        await call<{ entries: AuditEntry[] }>(
          `/v1/audit?kind=decision&agent=${AGENT}&afterSeq=${seq}&limit=10`,
        )
      ).entries,
    pendingApproval: async (done) => {
      for (;;) {
        const { approvals } = await call<{ approvals: { id: string }[] }>(
          `/v1/approvals?status=pending&agent=${AGENT}`,
        );
        if (approvals[0]) return approvals[0].id;
        if (done()) return undefined;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    approval: (id) => call(`/v1/approvals/${id}`),
    approve: async (id, comment) => {
      await call(`/v1/approvals/${id}/approve`, {
        method: "POST",
        body: JSON.stringify({ comment }),
      });
    },
  };
}

/** The agent's token (the longest a token lives) and the demo approver's secret, on a fresh state. */
async function register(policy: string[], state: string) {
  const store = openSqliteStore({ dir: state });
  try {
    const keys = SigningKeys.open(state, Date.now());
    const identity = new AgentIdentity({
      agents: store.agents,
      audit: store.audit,
      keys,
      policy: loadPolicy(policy),
      actor: "redline demo",
    });
    const { token } = await identity.issue(AGENT, MAX_TTL_MS);
    const { secret } = await addApprover(store.approvers, store.audit, {
      id: APPROVER,
      by: "redline demo",
      at: Date.now(),
    });
    return { token, approverSecret: secret };
  } finally {
    await store.close();
  }
}

function workDir(dir: string | undefined): string {
  if (!dir) return mkdtempSync(join(tmpdir(), "redline-demo-"));
  const abs = resolve(dir);
  mkdirSync(abs, { recursive: true });
  if (readdirSync(abs).length > 0) throw new UsageError(`--dir ${dir}: not empty`);
  return abs;
}

function findFilesystemServer(): string {
  try {
    return createRequire(import.meta.url).resolve(
      "@modelcontextprotocol/server-filesystem/dist/index.js",
    );
  } catch {
    throw new UsageError(
      "the demo runs the filesystem MCP server from npm: npm install @modelcontextprotocol/server-filesystem",
    );
  }
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export function registerDemoCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command("demo")
    .description(
      "See Redline hold the red lines: an agent replays a real incident through the MCP gateway and the Claude Code hook",
    )
    .option(
      "-p, --policy <file...>",
      "replay the incident against these policy files instead of the shipped presets/demo.yaml",
    )
    .option("-y, --yes", "approve the one action that waits for a human (for unattended runs)")
    .option("--listen <[host:]port>", "where the control plane and dashboard listen", "127.0.0.1:0")
    .option(
      "--dir <dir>",
      "an empty directory for the workspace and state (default: a new temporary one)",
    )
    .option("--keep", "keep the workspace and state afterwards (to look at with redline audit)")
    .option("--json", "print the story on stderr and one JSON report on stdout")
    .addHelpText(
      "after",
      `
Needs nothing running: the control plane uses a fresh SQLite state, the filesystem MCP server
comes from npm, and everything listens on 127.0.0.1 only. Without --yes, one step waits for a
human: approve it in the dashboard or with the printed redline approvals approve command.
Exit codes: 0 every red line held and the audit log verifies, 1 otherwise, 2 bad arguments
(or the demo could not start: a port in use, the filesystem MCP server missing).

Examples:
  npx redline demo --yes
  npx redline demo --keep --dir ./demo-run   # then: npx redline audit tail --state-dir ./demo-run/state`,
    )
    .action(async (opts: DemoFlags) =>
      setExit(await runDemo(opts, process.stdout, process.stderr)),
    );
}
