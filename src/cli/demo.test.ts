import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { WORKSPACE_FILES } from "../demo/scenario.js";
import { BIN, ROOT, testRoot } from "../mcp/test-support/harness.js";
import { openSqliteStore } from "../store/sqlite/open.js";

/** `redline demo` as a newcomer runs it: the built CLI, real servers, nothing mocked. */

interface Report {
  ok: boolean;
  steps: {
    n: number;
    expect: string;
    decision: string | null;
    held: boolean;
    approval: { status: string } | null;
  }[];
  audit: { ok: boolean; entries: number };
}

function demo(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, "demo", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("redline demo", () => {
  it("--yes: every red line holds, the approved change runs once, the log verifies, exit 0", async () => {
    const dir = join(testRoot(), "run");
    const r = demo(["--yes", "--json", "--keep", "--dir", dir]);
    expect(r.stderr).toContain("Every red line held.");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.ok).toBe(true);
    expect(report.steps.every((s) => s.held)).toBe(true);
    expect(report.steps.filter((s) => s.decision === "deny").length).toBeGreaterThanOrEqual(9);
    expect(report.steps.find((s) => s.expect === "approval")?.approval?.status).toBe("used");
    expect(report.audit.ok).toBe(true);

    // What was allowed really ran through the filesystem server; what was denied never did.
    const ws = join(dir, "app");
    expect(readFileSync(join(ws, "src/pagination.js"), "utf8")).toContain("n * size + size);");
    expect(readFileSync(join(ws, "deploy/production.yaml"), "utf8")).toContain("replicas: 3");
    expect(readFileSync(join(ws, ".claude/settings.json"), "utf8")).toBe(
      WORKSPACE_FILES[".claude/settings.json"],
    );

    const store = openSqliteStore({ dir: join(dir, "state") });
    try {
      const used = await store.audit.query({ kind: "approval.used", limit: 10 });
      expect(used).toHaveLength(1);
      const quarantined = await store.audit.query({ kind: "agent.quarantined", limit: 10 });
      expect(quarantined.map((e) => e.agent)).toEqual(["coding-agent"]);
    } finally {
      await store.close();
    }
    const verify = spawnSync(
      process.execPath,
      [BIN, "audit", "verify", "--state-dir", join(dir, "state")],
      {
        encoding: "utf8",
      },
    );
    expect(verify.status).toBe(0);
  }, 120_000);

  it("without --yes: waits for the approval, says how to give it, and goes on once given", async () => {
    const child = spawn(process.execPath, [BIN, "demo"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const command = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no approve command printed:\n${out}`)),
        60_000,
      );
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /run: {2}npx redline (approvals approve .+)$/m.exec(out);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.once("exit", (code) => reject(new Error(`demo exited ${code} before asking:\n${out}`)));
    });
    expect(out).toMatch(/held: approval apr_\w+ waits for a human/);
    expect(out).toMatch(/Approve it in the dashboard \(http:\/\/127\.0\.0\.1:\d+\//);
    // Still waiting: the next step has not started.
    await new Promise((r) => setTimeout(r, 500));
    expect(out).not.toContain("6. commit");

    const args = command.match(/"[^"]*"|\S+/g)?.map((a) => a.replace(/^"|"$/g, "")) ?? [];
    const approve = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
    expect(approve.stderr).toBe("");
    expect(approve.status).toBe(0);

    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(out).toContain("approved by a human: released once");
    expect(out).toContain("Every red line held.");
    expect(code).toBe(0);
  }, 120_000);

  it("exits 1 and names each line that did not hold, against a policy that allows everything", () => {
    const root = testRoot();
    const open = join(root, "open.yaml");
    writeFileSync(open, 'agents: [{id: "*", default: allow}]\n');
    const r = demo(["--yes", "--policy", open]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("A red line did not hold.");
    expect(r.stdout).toMatch(
      /Bash: rm -rf \/var\/backups\/shop\s+deny\s+allow\s+backup\.destroy\s+NO/,
    );
    expect(r.stdout).toContain("NOT AS EXPECTED: expected deny (secret.access)");
  }, 120_000);

  it("refuses a policy without the demo's agent, naming the flag, and leaves nothing behind", () => {
    const root = testRoot();
    const other = join(root, "other.yaml");
    writeFileSync(other, "agents: [{id: support-bot}]\n");
    const dir = join(root, "run");
    const r = demo(["--policy", other, "--dir", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--policy: the policy has no agent 'coding-agent'");
    expect(existsSync(join(dir, "state"))).toBe(false);
  });
});
