import { type ChildProcess, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll } from "vitest";
import { ApprovalService } from "../../approvals/service.js";
import { runChild } from "../../cli/child.js";
import { addApprover } from "../../identity/approvers.js";
import { listeningCli } from "../../mcp/test-support/harness.js";
import { openSqliteStore } from "../../store/sqlite/open.js";

/** The hook as Claude Code runs it: the built entry (`npm test` builds first), one process a call. */
export const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
export const ENTRY = join(ROOT, "dist/hooks/main.cjs");
export const BIN = join(ROOT, "bin/redline.js");
export const FIXTURES = join(ROOT, "src/hooks/fixtures");
/** The fixtures were recorded by a user whose home is /home/dev, in /home/dev/project. */
export const HOOK_ENV = { ...process.env, HOME: "/home/dev", REDLINE_TOKEN: "", REDLINE_AGENT: "" };

export const fixture = (name: string): string =>
  readFileSync(join(FIXTURES, `${name}.json`), "utf8");

const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A scratch directory where the MCP tests keep theirs (see testRoot in mcp/test-support). */
export function scratch(): string {
  const base = process.env.REDLINE_TEST_ROOT ?? join(homedir(), ".redline-tests");
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, "hook-"));
  made.push(dir);
  return dir;
}

export interface HookRun {
  code: number | null;
  stdout: string;
  stderr: string;
  decision?: string;
  reason: string;
}

function result(code: number | null, stdout: string, stderr: string): HookRun {
  let decision: string | undefined;
  let reason = "";
  try {
    const o = JSON.parse(stdout).hookSpecificOutput;
    decision = o.permissionDecision;
    reason = o.permissionDecisionReason;
  } catch {
    // not a decision (help, or a failure the test reports)
  }
  return { code, stdout, stderr, decision, reason };
}

/** One hook call: `node dist/hooks/main.cjs <args>` with `input` on stdin. */
export function hook(args: string[], input: string, env: NodeJS.ProcessEnv = HOOK_ENV): HookRun {
  const r = spawnSync(process.execPath, [ENTRY, ...args], {
    cwd: ROOT,
    input,
    env,
    encoding: "utf8",
  });
  return result(r.status, r.stdout, r.stderr);
}

/** The same call through the CLI: `redline hook <args>`. */
export function cliHook(args: string[], input: string, env: NodeJS.ProcessEnv = HOOK_ENV) {
  const r = spawnSync(process.execPath, [BIN, "hook", ...args], {
    cwd: ROOT,
    input,
    env,
    encoding: "utf8",
  });
  return result(r.status, r.stdout, r.stderr);
}

/** A hook call left running (it waits on an approval), resolved when it exits. */
export function hookAsync(
  args: string[],
  input: string,
  env: NodeJS.ProcessEnv = HOOK_ENV,
): Promise<HookRun> {
  return runChild(process.execPath, [ENTRY, ...args], { cwd: ROOT, env, input }).then((r) =>
    result(r.code, r.stdout, r.stderr),
  );
}

export function redline(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function issueToken(state: string, agent: string, policy: string[]): string {
  const r = redline([
    "token",
    "issue",
    "--agent",
    agent,
    "--state-dir",
    state,
    "--policy",
    ...policy,
  ]);
  if (r.code !== 0) throw new Error(`token issue failed: ${r.stderr}`);
  return r.stdout.trim();
}

export const approvalId = (reason: string): string | undefined =>
  /Approval request (apr_[a-z2-7]+) is pending/.exec(reason)?.[1];

/** A human approver voting on the state directory, as `redline approvals approve` does. */
export async function vote(state: string, id: string, verdict: "approve" | "deny") {
  const store = openSqliteStore({ dir: state });
  try {
    if (!(await store.approvers.get("alice")))
      await addApprover(store.approvers, store.audit, { id: "alice", by: "test", at: Date.now() });
    return await new ApprovalService(store).vote(id, "alice", verdict, "checked", Date.now());
  } finally {
    await store.close();
  }
}

/** Waits for a pending request of `agent` on the state directory. */
export async function pendingRequest(state: string, agent: string, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const store = openSqliteStore({ dir: state });
    try {
      const [r] = await store.approvals.list({ status: "pending", agent });
      if (r) return r;
    } finally {
      await store.close();
    }
    if (Date.now() > until) throw new Error("no approval request appeared");
    await new Promise((res) => setTimeout(res, 50));
  }
}

export interface Serving {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** `redline serve --listen 127.0.0.1:0`, resolved once it says where it listens. */
export async function serve(args: string[]): Promise<Serving> {
  const l = await listeningCli(["serve", "--listen", "127.0.0.1:0", ...args]);
  return { url: l.url.href, child: l.child, stop: l.stop };
}

export { freePort } from "../../mcp/test-support/harness.js";

/**
 * What the shipped baseline (with the built-in analysis of Claude Code's tools) decides for each
 * recorded payload. `approval` is answered as a deny naming the pending request (no --wait).
 */
export const EXPECTED: Record<
  string,
  { decision: "allow" | "deny" | "approval"; categories?: string[] }
> = {
  "bash-ls": { decision: "allow" },
  "bash-npm-test": { decision: "allow" },
  "bash-rm-data": { decision: "deny", categories: ["data.destroy"] },
  "bash-force-push": { decision: "approval", categories: ["vcs.rewrite"] },
  "bash-curl-sh": { decision: "deny", categories: ["code.remote_exec"] },
  "write-src": { decision: "allow" },
  "write-relative": { decision: "allow" },
  "write-cron": { decision: "deny", categories: ["security.weaken"] },
  "write-outside": { decision: "deny", categories: ["security.weaken"] },
  "edit-src": { decision: "allow" },
  "edit-bashrc": { decision: "deny", categories: ["security.weaken"] },
  "edit-git-hook": { decision: "deny", categories: ["security.weaken"] },
  "multiedit-src": { decision: "allow" },
  notebookedit: { decision: "allow" },
  "read-src": { decision: "allow" },
  "read-ssh-key": { decision: "approval", categories: ["secret.access"] },
  "read-env": { decision: "approval", categories: ["secret.access"] },
  "read-aws-tilde": { decision: "approval", categories: ["secret.access"] },
  "grep-src": { decision: "allow" },
  "grep-pattern-path": { decision: "allow" },
  "grep-aws": { decision: "approval", categories: ["secret.access"] },
  "glob-ts": { decision: "allow" },
  "glob-ssh": { decision: "approval", categories: ["secret.access"] },
  webfetch: { decision: "allow" },
  websearch: { decision: "allow" },
  "mcp-create-issue": { decision: "allow" },
  "mcp-delete-repo": { decision: "deny", categories: ["data.destroy"] },
  "mcp-sql-drop": { decision: "deny", categories: ["data.destroy"] },
  "mcp-resource": { decision: "approval", categories: ["secret.access"] },
  task: { decision: "allow" },
  todowrite: { decision: "allow" },
  // A built-in tool the analysis does not know (Claude Code added it later): what it does cannot
  // be known, so it is opaque, and the baseline asks a human.
  "unknown-tool": { decision: "approval", categories: ["opaque"] },
};

/** Payloads the hook must refuse before deciding anything, and what the reason names. */
export const MALFORMED: Record<string, RegExp> = {
  "post-tool-use": /hook event "PostToolUse" is not PreToolUse/,
  "missing-tool-input": /tool_input: expected an object/,
  "relative-cwd": /cwd: expected an absolute path/,
  "bash-no-command": /Bash tool_input\.command: expected a non-empty string/,
  "webfetch-ftp": /url: "ftp:\/\/files\.example\.com\/x" does not match/,
};

/** Checks one answer against EXPECTED; returns the pending approval id, if any. */
export function expectDecision(
  name: string,
  r: HookRun,
  check: (ok: boolean, message: string) => void,
): string | undefined {
  const want = EXPECTED[name];
  if (!want) throw new Error(`no expectation for ${name}`);
  check(r.code === 0, `${name}: exit ${r.code}: ${r.stderr}`);
  const lines = r.stdout.trim().split("\n");
  check(lines.length === 1, `${name}: one JSON line, got ${JSON.stringify(r.stdout)}`);
  const out = JSON.parse(r.stdout);
  check(
    Object.keys(out).join() === "hookSpecificOutput" &&
      out.hookSpecificOutput.hookEventName === "PreToolUse",
    `${name}: output shape ${r.stdout}`,
  );
  for (const c of want.categories ?? [])
    check(r.reason.includes(c), `${name}: reason names ${c}: ${r.reason}`);
  if (want.decision === "approval") {
    const id = approvalId(r.reason);
    check(r.decision === "deny" && id !== undefined, `${name}: pending approval: ${r.reason}`);
    check(r.reason.includes(`redline approvals approve ${id}`), `${name}: how to approve`);
    return id;
  }
  check(r.decision === want.decision, `${name}: ${want.decision}, got ${r.decision}: ${r.reason}`);
  if (want.decision === "deny")
    check(r.reason.startsWith("Redline denied this "), `${name}: names Redline: ${r.reason}`);
  return undefined;
}
