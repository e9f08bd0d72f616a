import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ENTRY, fixture, HOOK_ENV, redline, scratch } from "../hooks/test-support/hook.js";

/** `redline hook install claude-code`, the built CLI on real settings files. */

/** A settings file as people have them: permissions, another PreToolUse hook, other events. */
const EXISTING = `{
  "$schema": "https://json.schemastore.org/claude-code-settings.json",
  "permissions": { "allow": ["Bash(npm test)"], "deny": ["Read(./.env)"] },
  "hooks": {
    "PreToolUse": [
      { "matcher": "Bash", "hooks": [{ "type": "command", "command": "~/.claude/hooks/log-bash.sh" }] }
    ],
    "PostToolUse": [
      { "matcher": "Edit|Write", "hooks": [{ "type": "command", "command": "npx prettier --write", "timeout": 30 }] }
    ],
    "Stop": [{ "hooks": [{ "type": "command", "command": "notify-send done" }] }]
  },
  "env": { "DISABLE_TELEMETRY": "1" },
  "model": "opus"
}
`;

function settingsFile(text = EXISTING): string {
  const dir = join(scratch(), ".claude");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "settings.json");
  writeFileSync(file, text);
  return file;
}

const backups = (file: string) =>
  readdirSync(join(file, "..")).filter((f) => f.startsWith("settings.json.bak-"));

const install = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
  redline(["hook", "install", "claude-code", ...args], env);

describe("redline hook install claude-code", () => {
  it("adds the hook to a settings file with hooks, keeping everything, after a backup", () => {
    const file = settingsFile();
    const state = join(scratch(), "state");
    const r = install(["--settings", file, "--state-dir", state, "--wait", "5", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const command = `${process.execPath} ${ENTRY} claude-code --state-dir ${state} --wait 5`;
    expect(out).toEqual({
      file,
      status: "added",
      backup: expect.any(String),
      command,
      timeout: 35,
      codeCache: "present", // made by the build, for this node
    });
    expect(readFileSync(out.backup, "utf8")).toBe(EXISTING);

    const before = JSON.parse(EXISTING);
    const after = JSON.parse(readFileSync(file, "utf8"));
    expect(after).toEqual({
      ...before,
      hooks: {
        ...before.hooks,
        PreToolUse: [
          ...before.hooks.PreToolUse,
          { matcher: "*", hooks: [{ type: "command", command, timeout: 35 }] },
        ],
      },
    });
  });

  it("a second install changes nothing; other flags update the one entry in place", () => {
    const file = settingsFile();
    const state = join(scratch(), "state");
    expect(install(["--settings", file, "--state-dir", state]).code).toBe(0);
    const once = readFileSync(file, "utf8");
    const again = install(["--settings", file, "--state-dir", state]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already in .*; nothing changed/);
    expect(readFileSync(file, "utf8")).toBe(once);
    expect(backups(file)).toHaveLength(1);

    const updated = install(["--settings", file, "--state-dir", state, "--ask", "--json"]);
    expect(JSON.parse(updated.stdout)).toMatchObject({ status: "updated", timeout: 50 });
    const pre = JSON.parse(readFileSync(file, "utf8")).hooks.PreToolUse;
    expect(pre).toHaveLength(2);
    expect(pre[1].hooks).toEqual([
      {
        type: "command",
        command: `${process.execPath} ${ENTRY} claude-code --state-dir ${state} --ask`,
        timeout: 50,
      },
    ]);
    expect(backups(file).length).toBeGreaterThanOrEqual(2);
  });

  it("writes a command that works: the installed hook decides a recorded payload", () => {
    const file = settingsFile("{}");
    const state = join(scratch(), "state");
    expect(install(["--settings", file, "--state-dir", state, "--wait", "0"]).code).toBe(0);
    const { command } = JSON.parse(readFileSync(file, "utf8")).hooks.PreToolUse[0].hooks[0];
    const run = (name: string) => {
      const r = spawnSync("/bin/sh", ["-c", command], {
        input: fixture(name),
        env: HOOK_ENV,
        encoding: "utf8",
      });
      expect(r.status).toBe(0);
      return JSON.parse(r.stdout).hookSpecificOutput;
    };
    expect(run("write-cron")).toMatchObject({
      permissionDecision: "deny",
      permissionDecisionReason: expect.stringContaining("red line: security.weaken"),
    });
    expect(run("read-src").permissionDecision).toBe("allow");
  });

  it("refuses a settings file that is not JSON, naming the line and column, and changes nothing", () => {
    const broken = '{\n  "hooks": {\n    "PreToolUse": [],\n  }\n}\n';
    const file = settingsFile(broken);
    const r = install(["--settings", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:4:3: not valid JSON (unexpected "}")`);
    expect(readFileSync(file, "utf8")).toBe(broken);
    expect(backups(file)).toEqual([]);
  });

  it("refuses hooks it does not understand", () => {
    const file = settingsFile('{"hooks": {"PreToolUse": {"matcher": "*"}}}');
    const r = install(["--settings", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"hooks.PreToolUse" is not an array; not touching it');
  });

  it("--user writes ~/.claude/settings.json under $HOME, creating it", () => {
    const home = scratch();
    const r = install(["--user", "--json"], { ...process.env, HOME: home });
    expect(r.code).toBe(0);
    const file = join(home, ".claude", "settings.json");
    expect(JSON.parse(r.stdout)).toMatchObject({ file, status: "added", backup: null });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // The state directory is written out: ~/.redline of this user, outside any workspace.
    expect(JSON.parse(readFileSync(file, "utf8")).hooks.PreToolUse[0].hooks[0].command).toContain(
      `--state-dir ${join(home, ".redline")}`,
    );
  });

  it("--project and --local write the project's settings files", () => {
    const project = scratch();
    expect(install(["--project", "--project-dir", project]).code).toBe(0);
    expect(existsSync(join(project, ".claude", "settings.json"))).toBe(true);
    expect(install(["--local", "--project-dir", project]).code).toBe(0);
    expect(existsSync(join(project, ".claude", "settings.local.json"))).toBe(true);
  });

  it("makes paths absolute and checks the policy compiles before installing", () => {
    const dir = scratch();
    const policy = join(dir, "policy.yaml");
    writeFileSync(policy, "agents: [{id: claude-code, default: allow}]\n");
    const file = settingsFile("{}");
    const r = redline(
      ["hook", "install", "claude-code", "--settings", file, "--policy", "policy.yaml", "--json"],
      {
        ...process.env,
      },
    );
    // relative to the CLI's cwd (the repository): there is no policy.yaml there
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--policy .*policy\.yaml: no such file/);
    const ok = install(["--settings", file, "--policy", policy, "--json"]);
    expect(JSON.parse(ok.stdout).command).toContain(`--policy ${policy}`);
    writeFileSync(policy, "agents: [{id: claude-code, defualt: allow}]\n");
    const bad = install(["--settings", file, "--policy", policy]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("invalid policy");
  });

  it("--server: no state directory, no policy; the token stays out of the file", () => {
    const file = settingsFile("{}");
    const r = install(["--settings", file, "--server", "http://127.0.0.1:7878"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("reads the agent token from $REDLINE_TOKEN");
    const { command } = JSON.parse(readFileSync(file, "utf8")).hooks.PreToolUse[0].hooks[0];
    expect(command).toBe(`${process.execPath} ${ENTRY} claude-code --server http://127.0.0.1:7878`);
    const both = install(["--settings", file, "--server", "http://x:1", "--state-dir", "/s"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--state-dir does not go with --server");
  });

  it("has --help, and refuses an unknown harness or two targets", () => {
    const help = redline(["hook", "install", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--project");
    expect(help.stdout).toContain("--user");
    expect(redline(["hook", "install", "cursor"]).stderr).toContain("unknown harness 'cursor'");
    expect(install(["--user", "--project"]).code).toBe(2);
  });
});
