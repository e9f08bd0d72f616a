import { describe, expect, it } from "vitest";
import type { Action } from "../core/envelope.js";
import { policyOf } from "../core/test-support/policy.js";
import { carriedArguments, isUntrusted, opaqueBecause } from "./arguments.js";

const call = (tool: string, args: Record<string, unknown>, server = "srv"): Action => ({
  agent: "a",
  kind: "mcp",
  server,
  tool,
  arguments: args,
});
const NONE = policyOf("agents: []\n").analysis.tools;

describe("tool arguments that carry commands, SQL, paths or URLs", () => {
  it("finds them by key name and value shape when undeclared", () => {
    const found = carriedArguments(
      call("x", {
        command: "rm -rf /",
        sql: "DROP TABLE t",
        url: "https://e.com",
        path: "a.txt",
        note: "/etc/passwd",
        query: "cats",
        cwd: "/w",
      }),
      NONE,
    );
    expect(found.map((c) => [c.key, c.type, c.declared])).toEqual([
      ["command", "shell", false],
      ["sql", "sql", false],
      ["url", "url", false],
      ["path", "path", false],
      ["note", "path", false],
      ["cwd", "cwd", false],
    ]);
  });

  it("treats `query` as SQL only when it reads as SQL", () => {
    expect(
      carriedArguments(call("x", { query: "select * from users" }), NONE).map((c) => c.type),
    ).toEqual(["sql"]);
    expect(carriedArguments(call("x", { query: "how to delete a user" }), NONE)).toEqual([]);
  });

  it("visits nested objects and arrays", () => {
    const found = carriedArguments(
      call("x", { edits: [{ file: "/etc/hosts" }], opts: { target: { url: "http://x" } } }),
      NONE,
    );
    expect(found.map((c) => [c.key, c.type])).toEqual([
      ["edits[0].file", "path"],
      ["opts.target.url", "url"],
    ]);
  });

  it("uses the policy's declarations first, and `ignore` silences an argument", () => {
    const tools = policyOf(`analysis:
  tools:
    - server: db
      tool: run
      arguments: { text: sql, path: ignore }
    - tool: "exec_*"
      arguments: { payload: shell }
`).analysis.tools;
    expect(
      carriedArguments(call("run", { text: "DELETE FROM t", path: "/etc/shadow" }, "db"), tools),
    ).toEqual([{ key: "text", type: "sql", value: "DELETE FROM t", declared: true }]);
    expect(carriedArguments(call("run", { text: "DELETE FROM t" }, "other"), tools)).toEqual([]);
    expect(
      carriedArguments(
        { agent: "a", kind: "tool", tool: "exec_job", arguments: { payload: "ls" } },
        tools,
      ).map((c) => c.type),
    ).toEqual(["shell"]);
  });

  it("ignores actions that are not tool calls", () => {
    expect(carriedArguments({ agent: "a", kind: "shell", command: "ls" }, NONE)).toEqual([]);
  });
});

describe("declarations by kind, and tools declared opaque", () => {
  const tools = policyOf(`agents: []
analysis:
  tools:
    - kind: tool
      tool: "!(Read|Write)"
      opaque: not a tool this policy knows
    - kind: mcp
      tool: fetch
      untrusted: true
`).analysis.tools;
  const fn = (tool: string): Action => ({ agent: "a", kind: "tool", tool, arguments: {} });

  it("a function tool outside the list is opaque, with the policy's reason; a listed one is not", () => {
    expect(opaqueBecause(fn("FutureTool"), tools)).toBe("not a tool this policy knows");
    expect(opaqueBecause(fn("Read"), tools)).toBeUndefined();
  });

  it("a later declaration of the tool lifts the catch-all", () => {
    const later = policyOf(`agents: []
analysis:
  tools:
    - { kind: tool, tool: "!(Read)", opaque: unknown }
    - { tool: FutureTool, arguments: { target: ignore } }
`).analysis.tools;
    expect(opaqueBecause(fn("FutureTool"), later)).toBeUndefined();
    expect(opaqueBecause(fn("OtherTool"), later)).toBe("unknown");
  });

  it("kind: tool never applies to MCP tools, kind: mcp never to function tools", () => {
    expect(opaqueBecause(call("FutureTool", {}), tools)).toBeUndefined();
    expect(isUntrusted(call("fetch", {}), tools)).toBe(true);
    expect(isUntrusted(fn("fetch"), tools)).toBe(false);
  });
});
