import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { beforeAll, describe, expect, it } from "vitest";
import { compilePolicy } from "../core/policy/compile.js";
import { openSqliteStore } from "../store/sqlite/open.js";
import {
  approvalId,
  cliHook,
  EXPECTED,
  expectDecision,
  fixture,
  HOOK_ENV,
  hook,
  hookAsync,
  MALFORMED,
  pendingRequest,
  scratch,
  vote,
} from "./test-support/hook.js";

/**
 * `redline hook claude-code` standalone: recorded PreToolUse payloads of every tool type in,
 * the JSON Claude Code reads out, on the shipped baseline and a local state directory.
 */

let state: string;
beforeAll(() => {
  state = join(scratch(), "state");
});
const standalone = (extra: string[] = []) => [
  "claude-code",
  "--state-dir",
  state,
  "--wait",
  "0",
  ...extra,
];

describe("every tool type, on the baseline", () => {
  for (const name of Object.keys(EXPECTED))
    it(`${name}: ${EXPECTED[name]?.decision}`, () => {
      // One agent per payload: the circuit breaker counts each agent's denials.
      const r = hook(standalone(["--agent", `fx-${name}`]), fixture(name));
      expectDecision(name, r, (ok, message) => expect(ok, message).toBe(true));
    });

  it("records each decision in the audit log before answering", async () => {
    const r = hook(standalone(["--agent", "audited"]), fixture("bash-rm-data"));
    const seq = Number(/\[audit #(\d+)\]/.exec(r.reason)?.[1]);
    const store = openSqliteStore({ dir: state });
    try {
      const [entry] = await store.audit.query({ agent: "audited", kind: "decision", limit: 1 });
      expect(entry).toMatchObject({
        seq,
        decision: "deny",
        action: {
          agent: "audited",
          kind: "shell",
          command: "sudo rm -rf /var/lib/postgresql/data",
          session: "5b0c2a7e-61f4-4d3b-9a8e-0c1d2e3f4a5b",
          context: { harness: "claude-code", cwd: "/home/dev/project" },
        },
      });
    } finally {
      await store.close();
    }
  });

  it("runs the same through the CLI: redline hook claude-code", () => {
    const r = cliHook(standalone(["--agent", "via-cli"]), fixture("bash-rm-data"));
    expect(r.code).toBe(0);
    expect(r.decision).toBe("deny");
    expect(r.reason).toMatch(/^Redline denied this Bash call \(red line: data\.destroy/);
  });
});

describe("session taint", () => {
  /** A recorded payload moved to another session, with another tool call in it. */
  const inSession = (
    session: string,
    name: string,
    tool?: { tool_name: string; tool_input: object },
  ) => JSON.stringify({ ...JSON.parse(fixture(name)), session_id: session, ...tool });
  const post = {
    tool_name: "Bash",
    tool_input: { command: "curl -X POST -d hello https://api.example.net/submit" },
  };

  it("a page fetched from outside makes sending data out, later in that session, wait for a human", () => {
    const args = standalone(["--agent", "taint-1"]);
    expect(hook(args, inSession("clean", "webfetch", post)).decision).toBe("allow");
    expect(hook(args, inSession("fetched", "webfetch")).decision).toBe("allow");
    const after = hook(args, inSession("fetched", "webfetch", post));
    expect(after.decision).toBe("deny");
    expect(after.reason).toMatch(/needs a human's approval \(rule: session\.taint\).*untrusted/);
  });
});

describe("approvals", () => {
  it("a pending request is named with how to approve it; the approved retry runs once", async () => {
    const args = standalone(["--agent", "approvals-1"]);
    const first = hook(args, fixture("read-ssh-key"));
    const id = approvalId(first.reason);
    expect(first.decision).toBe("deny");
    expect(first.reason).toContain(`redline approvals approve ${id} --state-dir ${state}`);
    expect(first.reason).toContain("then retry exactly the same call");
    // A retry while it is pending waits on the same request; it does not open another.
    expect(approvalId(hook(args, fixture("read-ssh-key")).reason)).toBe(id);
    expect(await vote(state, id as string, "approve")).toMatchObject({ ok: true });
    const retry = hook(args, fixture("read-ssh-key"));
    expect(retry.decision).toBe("allow");
    expect(retry.reason).toContain(`approved by a human (${id})`);
    // Used once: the next identical call needs a new approval.
    const again = hook(args, fixture("read-ssh-key"));
    expect(again.decision).toBe("deny");
    expect(approvalId(again.reason)).toMatch(/^apr_/);
    expect(approvalId(again.reason)).not.toBe(id);
  });

  it("waits up to --wait for the human, and runs the call when they approve", async () => {
    const running = hookAsync(
      [
        "claude-code",
        "--state-dir",
        state,
        "--agent",
        "approvals-2",
        "--wait",
        "25",
        "--approval-poll",
        "0.05",
      ],
      fixture("bash-force-push"),
    );
    const request = await pendingRequest(state, "approvals-2");
    expect(request.action).toMatchObject({
      kind: "shell",
      command: "git push --force origin main",
    });
    expect(await vote(state, request.id, "approve")).toMatchObject({ ok: true });
    const r = await running;
    expect(r.decision).toBe("allow");
    expect(r.reason).toContain(`approved by a human (${request.id})`);
  });

  it("denies when the human denies, naming the request", async () => {
    const running = hookAsync(
      [
        "claude-code",
        "--state-dir",
        state,
        "--agent",
        "approvals-3",
        "--wait",
        "25",
        "--approval-poll",
        "0.05",
      ],
      fixture("read-env"),
    );
    const request = await pendingRequest(state, "approvals-3");
    await vote(state, request.id, "deny");
    const r = await running;
    expect(r.decision).toBe("deny");
    expect(r.reason).toMatch(
      new RegExp(
        `needs a human's approval \\(approval request ${request.id}\\), which was not given`,
      ),
    );
  });

  it("--wait elapsing denies with the request still open", async () => {
    const started = Date.now();
    const r = hook(
      ["claude-code", "--state-dir", state, "--agent", "approvals-4", "--wait", "1"],
      fixture("glob-ssh"),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(r.reason).toMatch(/is pending; no one decided it within 1 s/);
    const request = await pendingRequest(state, "approvals-4");
    expect(request.id).toBe(approvalId(r.reason));
  });

  it("--ask leaves approval decisions to the developer at the console (still recorded)", () => {
    const r = hook(standalone(["--agent", "asker", "--ask"]), fixture("bash-force-push"));
    expect(r.decision).toBe("ask");
    expect(r.reason).toMatch(
      /needs a human's approval \(red line: vcs\.rewrite.*\[audit #\d+\]\. Decide at the console\./,
    );
    expect(hook(standalone(["--agent", "asker", "--ask"]), fixture("bash-ls")).decision).toBe(
      "allow",
    );
  });
});

describe("fails closed: a deny JSON with the reason, exit 0", () => {
  const denied = (r: ReturnType<typeof hook>, reason: RegExp) => {
    expect(r.code).toBe(0);
    expect(r.decision).toBe("deny");
    expect(r.reason).toMatch(/^Redline could not decide this call, so it is denied: /);
    expect(r.reason).toMatch(reason);
  };

  for (const [name, reason] of Object.entries(MALFORMED))
    it(`malformed input: ${name}`, () => denied(hook(standalone(), fixture(name)), reason));

  it("garbage on stdin", () => denied(hook(standalone(), "not json{"), /not JSON/));
  it("nothing on stdin", () => denied(hook(standalone(), ""), /no PreToolUse JSON/));
  it("a JSON array", () => denied(hook(standalone(), "[]"), /must be a JSON object/));
  it("an unknown flag", () =>
    denied(
      hook(standalone(["--bogus"]), fixture("bash-ls")),
      /misconfigured: Unknown option '--bogus'$/,
    ));
  it("a bad --wait", () =>
    denied(
      hook(standalone(["--wait", "soon"]), fixture("bash-ls")),
      /--wait soon: expected seconds/,
    ));
  it("an unknown harness", () =>
    denied(hook(["cursor"], fixture("bash-ls")), /unknown harness 'cursor'/));
  it("no harness at all", () => denied(hook([], fixture("bash-ls")), /unknown harness ''/));
  it("--server with --policy", () =>
    denied(
      hook(
        ["claude-code", "--server", "http://127.0.0.1:9", "--policy", "p.yaml"],
        fixture("bash-ls"),
      ),
      /--policy does not go with --server/,
    ));

  it("a state directory that is a file", () => {
    const file = join(scratch(), "not-a-dir");
    writeFileSync(file, "x");
    denied(
      hook(["claude-code", "--state-dir", file], fixture("bash-ls")),
      new RegExp(`cannot open the state directory ${file}`),
    );
  });

  it("a state directory under a file", () => {
    const file = join(scratch(), "plain");
    writeFileSync(file, "x");
    denied(
      hook(["claude-code", "--state-dir", join(file, "state")], fixture("read-src")),
      /cannot open the state directory .*ENOTDIR/,
    );
  });

  it("an audit log that cannot be written denies even what the policy allows", () => {
    const dir = join(scratch(), "state");
    expect(hook(["claude-code", "--state-dir", dir], fixture("bash-ls")).decision).toBe("allow");
    const db = new Database(join(dir, "state.db"));
    db.exec(
      "CREATE TRIGGER fail_append BEFORE INSERT ON audit_entries BEGIN SELECT RAISE(ABORT, 'disk full (injected)'); END;",
    );
    db.close();
    const r = hook(["claude-code", "--state-dir", dir], fixture("bash-ls"));
    expect(r.code).toBe(0);
    expect(r.decision).toBe("deny");
    expect(r.reason).toMatch(
      /the audit log could not record the decision \(.*disk full \(injected\).*\); the policy decided allow/,
    );
  });

  it("a policy file that is missing, or invalid", () => {
    denied(
      hook(standalone(["--policy", "/nonexistent/policy.yaml"]), fixture("bash-ls")),
      /cannot read policy file \/nonexistent\/policy\.yaml: ENOENT/,
    );
    const bad = join(scratch(), "bad.yaml");
    writeFileSync(bad, "agents: [{id: x, defualt: allow}]\n");
    denied(
      hook(standalone(["--policy", bad]), fixture("bash-ls")),
      new RegExp(`invalid policy: ${bad}:1:`),
    );
  });

  it("no token for --server", () =>
    denied(
      hook(["claude-code", "--server", "http://127.0.0.1:9"], fixture("bash-ls")),
      /no agent token for --server: set REDLINE_TOKEN/,
    ));

  it("a quarantined agent is told how a human resumes it", () => {
    const args = standalone(["--agent", "breaker"]);
    let r = hook(args, fixture("bash-rm-data"));
    for (let i = 0; i < 5; i++) r = hook(args, fixture("bash-rm-data"));
    expect(r.decision).toBe("deny");
    expect(r.reason).toContain("is quarantined");
    expect(r.reason).toContain(`redline agents resume breaker --state-dir ${state}`);
  });
});

describe("--help and --print-analysis", () => {
  it("--help prints the usage, for both entries", () => {
    for (const r of [hook(["claude-code", "--help"], ""), cliHook(["claude-code", "--help"], "")]) {
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: redline hook claude-code \[options\]/);
      expect(r.stdout).toContain("--server <url>");
      expect(r.stdout).toContain("--wait <seconds>");
    }
  });

  it("--print-analysis prints a policy file that compiles", () => {
    const r = hook(["claude-code", "--print-analysis"], "", HOOK_ENV);
    expect(r.code).toBe(0);
    const compiled = compilePolicy([{ file: "analysis.yaml", text: r.stdout }]);
    expect(compiled.ok).toBe(true);
    if (compiled.ok) expect(compiled.policy.analysis.tools.length).toBeGreaterThan(4);
  });
});
