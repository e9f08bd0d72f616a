import { writeFileSync } from "node:fs";
import path from "node:path";
import { PassThrough, Readable } from "node:stream";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { T0, tempDir, tempStateDir } from "../audit/test-support/fixtures.js";
import { POLICY_YAML } from "../identity/test-support/policy.js";
import { openSqliteStore } from "../store/sqlite/open.js";
import { UsageError } from "./errors.js";
import { parseDuration, registerIdentityCommands } from "./identity.js";

interface Env {
  dir: string;
  policy: string;
  now: number;
}

function env(): Env {
  const policy = path.join(tempDir(), "policy.yaml");
  writeFileSync(policy, POLICY_YAML);
  return { dir: tempStateDir(), policy, now: T0 };
}

/** Runs `redline <args>` through commander as main.ts does, with stdin text and a fixed clock. */
async function cli(e: Env, args: string[], stdin = "") {
  let code = 0;
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = "";
  let stderr = "";
  out.on("data", (c) => {
    stdout += String(c);
  });
  err.on("data", (c) => {
    stderr += String(c);
  });
  const program = new Command("redline").exitOverride();
  registerIdentityCommands(
    program,
    (c) => {
      code = c;
    },
    { stdin: Readable.from([stdin]), stdout: out, stderr: err, clock: () => e.now },
  );
  const [group, ...rest] = args;
  await program.parseAsync([
    "node",
    "redline",
    group as string,
    "--state-dir",
    e.dir,
    "--policy",
    e.policy,
    "--by",
    "tester",
    ...rest,
  ]);
  return { code, stdout, stderr };
}

async function auditKinds(e: Env) {
  const store = openSqliteStore({ dir: e.dir, readonly: true });
  try {
    return (await store.audit.query({})).map((x) => [x.kind, x.agent, x.data?.code]);
  } finally {
    await store.close();
  }
}

describe("redline token", () => {
  it("issues a token and verifies it from stdin; another agent's use is refused and audited", async () => {
    const e = env();
    const issued = await cli(e, ["token", "issue", "--agent", "agent-a", "--ttl", "10m", "--json"]);
    expect(issued.code).toBe(0);
    const t = JSON.parse(issued.stdout);
    expect(t).toMatchObject({
      agent: "agent-a",
      issuedAt: new Date(T0).toISOString(),
      expiresAt: new Date(T0 + 600_000).toISOString(),
    });

    const ok = await cli(e, ["token", "verify", "--agent", "agent-a", "--json"], `${t.token}\n`);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      ok: true,
      agent: "agent-a",
      identity: { status: "active" },
    });

    const bad = await cli(e, ["token", "verify", "--agent", "agent-b"], t.token);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe(
      "refused [wrong-agent]: token of agent 'agent-a' presented as agent 'agent-b'\n",
    );
    expect(await auditKinds(e)).toEqual([
      ["token.issued", "agent-a", undefined],
      ["token.refused", "agent-a", "wrong-agent"],
    ]);
  });

  it("prints a bare token without --json, and refuses bad lifetimes and unknown agents", async () => {
    const e = env();
    expect((await cli(e, ["token", "issue", "--agent", "agent-b"])).stdout).toMatch(
      /^ey[\w-]+\.[\w-]+\.[\w-]+\n$/,
    );
    await expect(cli(e, ["token", "issue", "--agent", "agent-b", "--ttl", "2h"])).rejects.toThrow(
      /between 1s and 60m/,
    );
    await expect(
      cli(e, ["token", "issue", "--agent", "agent-b", "--ttl", "soon"]),
    ).rejects.toBeInstanceOf(UsageError);
    const ghost = await cli(e, ["token", "issue", "--agent", "ghost"]);
    expect(ghost.code).toBe(1);
    expect(ghost.stderr).toMatch(/refused \[unknown-agent\]: agent 'ghost' is not in the policy/);
  });

  it("exchanges a bootstrap secret from stdin for a token; a wrong secret is refused", async () => {
    const e = env();
    const b = await cli(e, ["agents", "bootstrap", "agent-a"]);
    expect(b.stderr).toMatch(/shown once/);
    const secret = b.stdout.trim();
    const ex = await cli(e, ["token", "exchange", "--agent", "agent-a", "--json"], `${secret}\n`);
    expect(ex.code).toBe(0);
    const token = JSON.parse(ex.stdout).token;
    expect((await cli(e, ["token", "verify", "--agent", "agent-a"], token)).stdout).toMatch(
      /^valid: agent agent-a/,
    );
    const wrong = await cli(e, ["token", "exchange", "--agent", "agent-a"], "rlb_nope");
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toBe("");
    expect(wrong.stderr).toMatch(/refused \[bad-secret\]/);
    await expect(cli(e, ["token", "exchange", "--agent", "agent-a"], "")).rejects.toThrow(
      /no bootstrap secret/,
    );
  });

  it("rotate-key keeps tokens signed by the previous key valid", async () => {
    const e = env();
    const old = (await cli(e, ["token", "issue", "--agent", "agent-a"])).stdout;
    const r = JSON.parse((await cli(e, ["token", "rotate-key", "--json"])).stdout);
    expect(r.keys).toHaveLength(2);
    expect(r.keys[0].verifiesUntil).toBe(T0 + 3_600_000);
    expect(JSON.stringify(r)).not.toMatch(/PRIVATE|PUBLIC KEY/);
    e.now += 60_000;
    expect((await cli(e, ["token", "verify"], old)).code).toBe(0);
  });
});

describe("redline agents, panic, resume", () => {
  it("lists policy agents, suspends one (its token dies), and resumes it", async () => {
    const e = env();
    const list = JSON.parse((await cli(e, ["agents", "list", "--json"])).stdout);
    expect(list).toEqual({
      panic: { active: false },
      agents: [
        { agent: "agent-a", status: "active", inPolicy: true, owner: "team-a" },
        { agent: "agent-b", status: "active", inPolicy: true },
      ],
    });
    const token = (await cli(e, ["token", "issue", "--agent", "agent-a"])).stdout;
    e.now += 1000;
    const s = await cli(e, ["agents", "suspend", "agent-a", "--reason", "leaked prompt"]);
    expect(s.stdout).toBe("agent-a is suspended; its tokens are revoked\n");
    const text = (await cli(e, ["agents", "list"])).stdout;
    expect(text).toMatch(/agent-a\s+suspended\s+owner=team-a by tester .*: leaked prompt/);
    const refused = await cli(e, ["token", "verify", "--json"], token);
    expect(JSON.parse(refused.stdout)).toMatchObject({
      ok: false,
      refusal: { code: "suspended" },
      identity: { status: "suspended" },
    });
    e.now += 1000;
    expect((await cli(e, ["agents", "resume", "agent-a"])).stdout).toBe("agent-a is active\n");
    const show = JSON.parse((await cli(e, ["agents", "show", "agent-a", "--json"])).stdout);
    expect(show).toMatchObject({ status: "active", revokedBefore: T0 + 1000, inPolicy: true });
    expect((await cli(e, ["token", "verify"], token)).stdout).toMatch(/^refused \[revoked\]/);
    const unknown = await cli(e, ["agents", "suspend", "ghost"]);
    expect(unknown.code).toBe(1);
    expect((await auditKinds(e)).map((k) => k[0])).toEqual([
      "token.issued",
      "agent.suspended",
      "token.refused",
      "agent.resumed",
      "token.refused",
    ]);
  });

  it("panic suspends all and revokes all tokens; resume --all clears it", async () => {
    const e = env();
    const token = (await cli(e, ["token", "issue", "--agent", "agent-b"])).stdout;
    e.now += 1000;
    const p = JSON.parse((await cli(e, ["panic", "--reason", "incident", "--json"])).stdout);
    expect(p).toMatchObject({ active: true, change: { by: "tester", reason: "incident" } });
    expect((await cli(e, ["agents", "list"])).stdout).toMatch(
      /PANIC: every agent is suspended[\s\S]*agent-b\s+suspended \(panic\)/,
    );
    expect((await cli(e, ["token", "verify"], token)).stdout).toMatch(/suspended \(panic/);
    expect((await cli(e, ["token", "issue", "--agent", "agent-a"])).code).toBe(1);
    await expect(cli(e, ["resume"])).rejects.toThrow(/either an agent id or --all/);
    e.now += 1000;
    expect((await cli(e, ["resume", "--all"])).stdout).toMatch(/panic cleared/);
    expect((await cli(e, ["token", "verify"], token)).stdout).toMatch(/refused \[revoked\].*panic/);
    e.now += 1000;
    const fresh = (await cli(e, ["token", "issue", "--agent", "agent-b"])).stdout;
    expect((await cli(e, ["token", "verify"], fresh)).code).toBe(0);
  });
});

describe("redline approvers", () => {
  it("adds (secret once), lists without secrets, removes; refuses an agent's id", async () => {
    const e = env();
    const add = await cli(e, ["approvers", "add", "alice@example.com", "--name", "Alice"]);
    expect(add.stdout).toMatch(/^rla_[\w-]+\.[\w-]{43}\n$/);
    expect(add.stderr).toMatch(/shown once/);
    const list = await cli(e, ["approvers", "list", "--json"]);
    expect(JSON.parse(list.stdout)).toEqual([
      { id: "alice@example.com", name: "Alice", created: { by: "tester", at: T0 } },
    ]);
    expect(list.stdout).not.toContain(add.stdout.trim().slice(-20));
    await expect(cli(e, ["approvers", "add", "agent-a"])).rejects.toThrow(/agent id/);
    expect((await cli(e, ["approvers", "remove", "alice@example.com"])).code).toBe(0);
    expect((await cli(e, ["approvers", "remove", "alice@example.com"])).code).toBe(1);
    expect((await cli(e, ["approvers", "list"])).stdout).toBe("no approvers\n");
  });
});

describe("help", () => {
  it("every command explains itself", () => {
    const program = new Command("redline");
    registerIdentityCommands(program, () => {});
    const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
    const commands = all(program).slice(1);
    expect(commands.map((c) => c.name()).sort()).toEqual(
      [
        "agents",
        "list",
        "show",
        "suspend",
        "resume",
        "bootstrap",
        "panic",
        "resume",
        "token",
        "issue",
        "verify",
        "exchange",
        "rotate-key",
        "approvers",
        "add",
        "list",
        "remove",
      ].sort(),
    );
    for (const c of commands) {
      expect(c.description().length, c.name()).toBeGreaterThan(20);
      expect(c.helpInformation()).toMatch(/--state-dir|Commands:/);
    }
  });

  it("parses durations", () => {
    expect(parseDuration("90s", "--ttl")).toBe(90_000);
    expect(parseDuration("10m", "--ttl")).toBe(600_000);
    expect(() => parseDuration("10", "--ttl")).toThrow(/like 90s, 10m or 1h/);
  });
});
