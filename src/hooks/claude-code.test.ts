import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createAnalyzer, loadAnalyzerParts } from "../analyzers/index.js";
import { BASELINE_FILE, readSources } from "../cli/policy-files.js";
import { MCP_RESOURCE_READ, parseAction } from "../core/envelope.js";
import { compilePolicy } from "../core/policy/compile.js";
import {
  ANALYSIS_FILE,
  CLAUDE_CODE_ANALYSIS,
  failClosed,
  hookOutput,
  type PreToolUsePayload,
  parsePayload,
  toAction,
} from "./claude-code.js";

const FIXTURES = fileURLToPath(new URL("./fixtures", import.meta.url));
const fixture = (name: string) => readFileSync(join(FIXTURES, `${name}.json`), "utf8");
const payload = (name: string): PreToolUsePayload => {
  const p = parsePayload(fixture(name));
  if (!p.ok) throw new Error(`${name}: ${p.error}`);
  return p.value;
};
const map = (name: string) => {
  const a = toAction(payload(name), { agent: "claude-code" });
  if (!a.ok) throw new Error(`${name}: ${a.error}`);
  return a.value;
};

const SESSION = "5b0c2a7e-61f4-4d3b-9a8e-0c1d2e3f4a5b";
const CONTEXT = { harness: "claude-code", cwd: "/home/dev/project" };

describe("PreToolUse payload → action envelope", () => {
  it("Bash is a shell action in the payload's cwd", () => {
    expect(map("bash-ls")).toEqual({
      agent: "claude-code",
      session: SESSION,
      context: CONTEXT,
      kind: "shell",
      command: "ls -la src",
      cwd: "/home/dev/project",
    });
  });

  it("file tools are tool actions with the tool input unchanged", () => {
    for (const name of ["write-src", "edit-src", "multiedit-src", "notebookedit", "read-src"]) {
      const p = payload(name);
      expect(map(name)).toEqual({
        agent: "claude-code",
        session: SESSION,
        context: CONTEXT,
        kind: "tool",
        tool: p.tool_name,
        arguments: p.tool_input,
      });
    }
  });

  it("WebFetch is an HTTP GET of its url", () => {
    expect(map("webfetch")).toMatchObject({
      kind: "http",
      method: "GET",
      url: "https://docs.example.com/api/v1",
    });
  });

  it("mcp__<server>__<tool> is an mcp action; ReadMcpResourceTool reads a resource", () => {
    expect(map("mcp-create-issue")).toMatchObject({
      kind: "mcp",
      server: "github",
      tool: "create_issue",
      arguments: { owner: "acme", repo: "app" },
    });
    expect(map("mcp-resource")).toMatchObject({
      kind: "mcp",
      server: "files",
      tool: MCP_RESOURCE_READ,
      arguments: { uri: "file:///home/dev/.aws/credentials" },
    });
    const p = { ...payload("mcp-create-issue"), tool_name: "mcp__plugin_gh_github__list__all" };
    expect(toAction(p, { agent: "a" })).toMatchObject({
      value: { server: "plugin_gh_github", tool: "list__all" },
    });
  });

  it("any other tool, known or not, is a tool action for the policy to decide", () => {
    expect(map("unknown-tool")).toMatchObject({ kind: "tool", tool: "FutureTool" });
    expect(map("task")).toMatchObject({ kind: "tool", tool: "Task" });
  });

  it("adds the environment when given, and every envelope is valid", () => {
    const a = toAction(payload("bash-ls"), { agent: "claude-code", environment: "prod" });
    expect(a).toMatchObject({ ok: true, value: { environment: "prod" } });
    const names = readdirSync(FIXTURES).map((f) => f.replace(/\.json$/, ""));
    const invalid = new Set(["post-tool-use", "missing-tool-input", "relative-cwd"]);
    for (const name of names) {
      if (invalid.has(name)) continue;
      const mapped = toAction(payload(name), { agent: "claude-code" });
      if (name === "bash-no-command") {
        expect(mapped).toEqual({
          ok: false,
          error: "Bash tool_input.command: expected a non-empty string",
        });
        continue;
      }
      if (!mapped.ok) throw new Error(`${name}: ${mapped.error}`);
      const checked = parseAction(mapped.value);
      if (name === "webfetch-ftp") expect(checked.ok).toBe(false);
      else expect(checked, name).toMatchObject({ ok: true });
    }
  });
});

describe("parsePayload fails closed, naming what is wrong", () => {
  const cases: [string, string, RegExp][] = [
    ["garbage", "not json{", /not JSON/],
    ["empty", "  \n", /no PreToolUse JSON/],
    ["an array", "[1,2]", /must be a JSON object/],
    ["another event", fixture("post-tool-use"), /"PostToolUse" is not PreToolUse/],
    [
      "no event",
      JSON.stringify({ ...payload("bash-ls"), hook_event_name: undefined }),
      /hook_event_name is missing/,
    ],
    ["no tool_input", fixture("missing-tool-input"), /tool_input: expected an object/],
    ["a relative cwd", fixture("relative-cwd"), /cwd: expected an absolute path/],
    ["no session", JSON.stringify({ ...payload("bash-ls"), session_id: "" }), /session_id/],
    ["no tool name", JSON.stringify({ ...payload("bash-ls"), tool_name: 3 }), /tool_name/],
  ];
  for (const [what, text, error] of cases)
    it(what, () => {
      const r = parsePayload(text);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(error);
    });
});

describe("hook output", () => {
  it("is Claude Code's PreToolUse decision control", () => {
    expect(hookOutput("ask", "why")).toEqual({
      hookSpecificOutput: {
        hookEventName: "PreToolUse",
        permissionDecision: "ask",
        permissionDecisionReason: "why",
      },
    });
    expect(failClosed("boom").hookSpecificOutput).toMatchObject({
      permissionDecision: "deny",
      permissionDecisionReason: "Redline could not decide this call, so it is denied: boom",
    });
  });
});

describe("the built-in analysis: what the analyzers see in Claude Code's tools", async () => {
  const compiled = compilePolicy([
    { file: ANALYSIS_FILE, text: CLAUDE_CODE_ANALYSIS },
    ...readSources([BASELINE_FILE]),
  ]);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  const analyze = createAnalyzer(await loadAnalyzerParts(), compiled.policy.analysis, {
    home: "/home/dev",
    now: () => performance.now(),
  });
  const facts = (name: string) => analyze(map(name));

  const expected: [string, string[]][] = [
    ["read-ssh-key", ["secret.access"]],
    ["read-env", ["secret.access"]],
    ["read-aws-tilde", ["secret.access"]],
    ["grep-aws", ["secret.access"]],
    ["mcp-resource", ["secret.access"]],
    ["write-cron", ["security.weaken"]],
    ["write-outside", ["security.weaken"]],
    ["edit-bashrc", ["security.weaken"]],
    ["edit-git-hook", ["security.weaken"]],
    ["read-src", []],
    ["write-src", []],
    ["write-relative", []],
    ["multiedit-src", []],
    ["notebookedit", []],
    ["glob-ts", []],
    ["grep-src", []],
    ["task", []],
    ["todowrite", []],
    ["websearch", []],
    ["unknown-tool", ["opaque"]],
  ];
  for (const [name, categories] of expected)
    it(`${name}: ${categories.join(", ") || "no red line"}`, () => {
      expect(facts(name).categories).toEqual(categories);
    });

  it("resolves relative paths against cwd, the workspace", () => {
    expect(facts("write-relative").targets.paths).toEqual(["/home/dev/project/notes/todo.md"]);
  });

  it("never reads file content as a path: an Edit to /usr/bin/python3 writes one file", () => {
    expect(facts("edit-src").targets.paths).toEqual(["/home/dev/project/scripts/run.sh"]);
    expect(facts("grep-pattern-path").targets.paths).toEqual([]);
  });

  it("marks a web search as untrusted content (it taints the session)", () => {
    expect(facts("websearch").flags).toContain("untrusted");
  });

  it("an unknown built-in tool is opaque; another agent's function tool on the same policy is not", () => {
    const tool = (name: string) => analyze({ agent: "a", kind: "tool", tool: name, arguments: {} });
    expect(facts("unknown-tool").findings[0]?.reason).toMatch(/FutureTool.*does not know/);
    expect(tool("NotebookRun").categories).toEqual(["opaque"]);
    expect(tool("refund_order").categories).not.toContain("opaque");
    expect(tool("sendEmail").categories).not.toContain("opaque");
  });

  it("is needed: without it, the same Edit would be a write outside the workspace", async () => {
    const bare = compilePolicy(readSources([BASELINE_FILE]));
    if (!bare.ok) throw new Error("baseline");
    const plain = createAnalyzer(await loadAnalyzerParts(), bare.policy.analysis, {
      home: "/home/dev",
      now: () => performance.now(),
    });
    expect(plain(map("edit-src")).categories).toEqual(["security.weaken"]);
  });
});
