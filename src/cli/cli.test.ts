import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

/** These run the built CLI (`npm test` builds first), exactly as a user or a script would. */
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(ROOT, "bin/redline.js");

function redline(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, input, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function tmp(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "redline-cli-"));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe("redline eval", () => {
  it("prints one decision per line for the five kinds, in order, on the baseline", () => {
    const r = redline(["eval", "--input", "examples/actions.jsonl"]);
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((d) => d.decision)).toEqual(["deny", "deny", "allow", "allow", "approval"]);
    for (const d of lines) {
      expect(Object.keys(d)).toEqual(
        expect.arrayContaining([
          "decision",
          "categories",
          "rules",
          "reason",
          "policyHash",
          "actionHash",
        ]),
      );
    }
    expect(lines[0]).toMatchObject({
      categories: ["data.destroy"],
      rules: ["baseline.irreversible"],
    });
    expect(lines[4]).toMatchObject({ categories: ["money.move"], rules: ["baseline.needs-human"] });
  });

  it("reads standard input and uses the given policy", () => {
    const r = redline(
      ["eval", "--policy", "examples/policy.yaml"],
      '{"agent":"support-bot","kind":"mcp","server":"shop","tool":"refund_order","arguments":{"amount":9000}}\n',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      decision: "approval",
      rules: ["big-refunds-need-a-human"],
      reason: "Refunds over 50.00 need a human.",
    });
  });

  it("answers a bad line with a deny naming the field, keeps going, and exits 2", () => {
    const r = redline(
      ["eval"],
      '{"agent":"a","kind":"shell","comand":"ls"}\nnot json\n{"agent":"a","kind":"tool","tool":"t"}\n',
    );
    expect(r.code).toBe(2);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((d) => d.decision)).toEqual(["deny", "deny", "allow"]);
    expect(lines[0].reason).toBe(
      "line 1: invalid action: command: required field 'command' is missing; comand: unknown field 'comand' (did you mean 'command'?); expected one of: agent, environment, session, context, kind, command, cwd, env",
    );
    expect(lines[1].reason).toMatch(/^line 2: not JSON: /);
    expect(r.stderr).toContain("line 1: invalid action");
  });

  it("refuses an invalid policy with every error placed, and decides nothing", () => {
    const dir = tmp({
      "bad.yaml":
        "agents:\n  - id: a\n    default: maybe\nrules:\n  - id: r\n    when: nope(\n    effect: deny\n",
    });
    const r = redline(
      ["eval", "--policy", join(dir, "bad.yaml")],
      '{"agent":"a","kind":"tool","tool":"t"}\n',
    );
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(
      `${join(dir, "bad.yaml")}:3:14: agents[0].default: "maybe" is not allowed`,
    );
  });

  it("with --record, writes each decision to the audit log before printing it", () => {
    const dir = join(tmp({}), "state");
    const r = redline([
      "eval",
      "--record",
      "--state-dir",
      dir,
      "--input",
      "examples/actions.jsonl",
    ]);
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((d) => d.auditSeq)).toEqual([1, 2, 3, 4, 5]);
    const verify = redline(["audit", "verify", "--state-dir", dir, "--json"]);
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, entries: 5 });
    const denied = redline([
      "audit",
      "query",
      "--state-dir",
      dir,
      "--decision",
      "deny",
      "--json",
    ]).stdout;
    expect(
      denied
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).seq),
    ).toEqual([1, 2]);
  });

  it("with --record, refuses a state directory it cannot open", () => {
    const file = join(tmp({ "not-a-dir": "x" }), "not-a-dir");
    const r = redline(
      ["eval", "--record", "--state-dir", file],
      '{"agent":"a","kind":"tool","tool":"t"}\n',
    );
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^redline: cannot open the state directory /);
  });

  it("counts released actions against the policy's velocity caps", () => {
    const dir = tmp({
      "p.yaml":
        "agents: [{id: a, default: allow}]\nlimits:\n  - {id: two-an-hour, match: {tool: refund}, max: 2, per: 1h}\n",
    });
    const line = '{"agent":"a","kind":"tool","tool":"refund","arguments":{}}\n';
    const r = redline(["eval", "--policy", join(dir, "p.yaml")], line.repeat(3));
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((d) => d.decision)).toEqual(["allow", "allow", "deny"]);
    expect(lines[2].reason).toBe("velocity cap 'two-an-hour' reached: 2 of 2 per 1h already used");
  });

  it("gates data leaving a session after that session read a secret, and only that session", () => {
    const read = (session: string) =>
      `{"agent":"a","kind":"mcp","server":"fs","tool":"read_file","arguments":{"path":"/home/dev/.aws/credentials"},"session":"${session}"}`;
    const send = (session: string) =>
      `{"agent":"a","kind":"http","method":"POST","url":"https://api.partner.example/upload","body":"report","session":"${session}"}`;
    const dir = tmp({
      "p.yaml":
        "agents: [{id: a, default: allow}]\nrules:\n  - {id: reads-ok, effect: allow, match: {categories: [secret.access]}}\n",
    });
    const r = redline(
      ["eval", "--policy", join(dir, "p.yaml")],
      [send("s1"), read("s1"), send("s1"), send("s2")].join("\n"),
    );
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((d) => d.decision)).toEqual(["allow", "allow", "approval", "allow"]);
    expect(lines[2]).toMatchObject({ rules: ["session.taint"] });
  });

  it("quarantines an agent after a burst of denials, until a human resumes it", () => {
    const dir = tmp({
      "p.yaml":
        "agents: [{id: a, default: allow}]\nbreaker: {denials: 2, per: 1m}\nrules: [{id: no, effect: deny, match: {tool: bad}}]\n",
    });
    const bad = '{"agent":"a","kind":"tool","tool":"bad"}';
    const ok = '{"agent":"a","kind":"tool","tool":"fine"}';
    const state = join(dir, "state");
    const run = (lines: string[]) =>
      redline(
        ["eval", "--record", "--state-dir", state, "--policy", join(dir, "p.yaml")],
        lines.join("\n"),
      );
    const r = run([ok, bad, bad, ok]);
    expect(
      r.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).decision),
    ).toEqual(["allow", "deny", "deny", "deny"]);
    expect(JSON.parse(r.stdout.trim().split("\n")[3] as string).reason).toBe(
      "agent 'a' is quarantined: circuit breaker: 2 denials within 60s",
    );
    expect(r.stderr).toContain("agent 'a' quarantined");
    // The quarantine is durable and audited; a human resumes the agent.
    expect(JSON.parse(run([ok]).stdout).decision).toBe("deny");
    expect(
      redline(["audit", "query", "--state-dir", state, "--kind", "agent.quarantined", "--json"])
        .stdout,
    ).toContain('"agent.quarantined"');
    expect(
      redline(["agents", "resume", "a", "--state-dir", state, "--policy", join(dir, "p.yaml")])
        .code,
    ).toBe(0);
    expect(JSON.parse(run([ok]).stdout).decision).toBe("allow");
  });

  it("names a missing file", () => {
    expect(redline(["eval", "--input", "/nonexistent.jsonl"])).toMatchObject({
      code: 2,
      stderr: "redline: cannot read --input /nonexistent.jsonl: ENOENT\n",
    });
    expect(redline(["eval", "--policy", "/nonexistent.yaml"], "")).toMatchObject({
      code: 2,
      stderr: "redline: cannot read policy file /nonexistent.yaml: ENOENT\n",
    });
  });
});

describe("redline analyze", () => {
  it("prints facts per line, and an error line for a bad one", () => {
    const r = redline(
      ["analyze"],
      '{"agent":"a","kind":"shell","command":"sudo rm -rf /srv/data","cwd":"/home/dev/app"}\n{"agent":"a"}\n{"agent":"a","kind":"sql","statement":"select 1"}\n',
    );
    expect(r.code).toBe(2);
    const [rm, bad, select] = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rm).toMatchObject({ categories: ["data.destroy"], targets: { paths: ["/srv/data"] } });
    expect(rm.flags).toContain("recursive");
    expect(bad).toEqual({
      error: "line 2: invalid action: kind: required field 'kind' is missing",
    });
    expect(select).toMatchObject({ categories: [], targets: { tables: [] } });
  });
});

describe("redline check", () => {
  it("exits 0 on a clean policy", () => {
    expect(redline(["check", "examples/policy.yaml"])).toMatchObject({ code: 0 });
    expect(redline(["check", "presets/baseline.yaml"]).code).toBe(0);
  });

  it("reads several files as one policy", () => {
    const r = redline(["check", "examples/policy.yaml", "examples/policy.yaml"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      "duplicate agent id 'support-bot' (first defined at examples/policy.yaml:5)",
    );
  });

  it("exits 1 with findings, as text and as JSON", () => {
    const dir = tmp({
      "p.yaml":
        "agents: [{id: a, default: allow}]\nrules:\n  - {id: r, effect: deny, match: {kind: sql, tool: x}}\n",
    });
    const text = redline(["check", join(dir, "p.yaml")]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(
      `${join(dir, "p.yaml")}:3:5: rule 'r' can never match: \`tool\` applies only to kinds mcp and tool [never-matches]`,
    );
    const json = JSON.parse(redline(["check", "--json", join(dir, "p.yaml")]).stdout);
    expect(json.findings.map((f: { code: string }) => f.code)).toEqual([
      "never-matches",
      "uncovered",
    ]);
  });

  it("exits 2 on an invalid policy", () => {
    const dir = tmp({ "p.yaml": "rules:\n  - id: r\n    efect: deny\n" });
    const r = redline(["check", join(dir, "p.yaml")]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      "p.yaml:2:5: rules[0].effect: required field 'effect' is missing [error]",
    );
    expect(r.stdout).toContain(
      "p.yaml:3:12: rules[0].efect: unknown field 'efect' (did you mean 'effect'?)",
    );
  });
});

describe("redline test", () => {
  it("passes the example suite", () => {
    const r = redline(["test", "examples/policy.test.yaml"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("13 passed, 0 failed");
  });

  it("fails with what differed, and exits 1", () => {
    const dir = tmp({
      "p.yaml":
        "agents: [{id: a, default: allow}]\nrules: [{id: r, effect: deny, match: {tool: bad}}]\n",
      "t.yaml":
        "policy: p.yaml\ncases:\n  - name: ok\n    action: {agent: a, kind: tool, tool: fine}\n    decision: allow\n  - name: wrong\n    action: {agent: a, kind: tool, tool: bad}\n    decision: allow\n    rule: r\n",
    });
    const r = redline(["test", join(dir, "t.yaml")]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`FAIL ${join(dir, "t.yaml")}:6 wrong`);
    expect(r.stdout).toContain("decision: expected allow, got deny (denied by rule 'r')");
    expect(r.stdout).toContain("1 passed, 1 failed");
    const json = JSON.parse(redline(["test", "--json", join(dir, "t.yaml")]).stdout);
    expect(json).toMatchObject({ passed: 1, failed: 1 });
  });

  it("exits 2 on an invalid test file, naming the place", () => {
    const dir = tmp({
      "t.yaml": "cases:\n  - name: x\n    action: {agent: a, kind: tool}\n    decision: allow\n",
    });
    const r = redline(["test", join(dir, "t.yaml")]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      `INVALID ${join(dir, "t.yaml")}:3:13: cases[0].action.tool: invalid action: required field 'tool' is missing`,
    );
  });
});

describe("redline --help", () => {
  it.each([[[]], [["eval"]], [["check"]], [["test"]]])("helps for %j", (args) => {
    const r = redline([...args, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: redline/);
  });
  it("an unknown command is a usage error", () => {
    expect(redline(["evaluate"]).code).toBe(2);
  });
});
