import { describe, expect, it } from "vitest";
import { actionHash, parseAction } from "./envelope.js";
import { formatPath } from "./errors.js";

const errorsOf = (input: unknown) => {
  const r = parseAction(input);
  if (r.ok) throw new Error("expected invalid");
  return r.errors.map((e) => `${formatPath(e.path)}: ${e.message}`);
};

describe("action envelope", () => {
  it.each([
    { agent: "ops-bot", kind: "shell", command: "rm -rf /srv/data", cwd: "/workspace" },
    { agent: "ops-bot", kind: "sql", statement: "DROP TABLE users", database: "prod" },
    {
      agent: "ops-bot",
      kind: "http",
      method: "POST",
      url: "https://api.example.com/v1/x",
      headers: {},
      body: "...",
    },
    {
      agent: "ops-bot",
      kind: "mcp",
      server: "filesystem",
      tool: "write_file",
      arguments: { path: "a", content: "b" },
    },
    {
      agent: "ops-bot",
      kind: "tool",
      tool: "refund_customer",
      arguments: { charge: "ch_1", amount: 5000 },
    },
    {
      agent: "a",
      kind: "tool",
      tool: "t",
      environment: "prod",
      session: "s1",
      context: { ticket: 7 },
    },
  ])("accepts the DESIGN example of kind $kind", (input) => {
    expect(parseAction(input)).toEqual({ ok: true, action: input });
  });

  it.each([
    [null, ["(root): an action must be a JSON object"]],
    [[1], ["(root): an action must be a JSON object"]],
    [{ kind: "shell", command: "ls" }, ["agent: required field 'agent' is missing"]],
    [{ agent: "a" }, ["kind: required field 'kind' is missing"]],
    [
      { agent: "a", kind: "ftp" },
      ['kind: "ftp" is not allowed; expected one of: "shell", "sql", "http", "mcp", "tool"'],
    ],
    [{ agent: "", kind: "shell", command: "ls" }, ["agent: must not be empty"]],
    [{ agent: "a", kind: "shell" }, ["command: required field 'command' is missing"]],
    [{ agent: "a", kind: "shell", command: 42 }, ["command: expected string, got number"]],
    [{ agent: "a", kind: "sql", statement: "" }, ["statement: must not be empty"]],
    [
      { agent: "a", kind: "http", method: "GET", url: "ftp://x" },
      ['url: "ftp://x" does not match ^[hH][tT][tT][pP][sS]?://[^\\s/]+'],
    ],
    [{ agent: "a", kind: "mcp", tool: "t" }, ["server: required field 'server' is missing"]],
    [
      { agent: "a", kind: "tool", tool: "t", arguments: [] },
      ["arguments: expected object, got array"],
    ],
    [
      { agent: "a", kind: "http", method: "GET", url: "https://x", headers: { a: 1 } },
      ["headers.a: expected string, got number"],
    ],
  ])("rejects %j naming the field", (input, expected) => {
    expect(errorsOf(input)).toEqual(expected);
  });

  it("names an unknown field and suggests the right one", () => {
    expect(errorsOf({ agent: "a", kind: "shell", command: "ls", comand: "x" })).toEqual([
      "comand: unknown field 'comand' (did you mean 'command'?); expected one of: agent, environment, session, context, kind, command, cwd, env",
    ]);
  });

  it("hashes canonically: key order and whitespace do not change the hash, content does", () => {
    const a = parseAction(
      JSON.parse('{"agent":"a","kind":"tool","tool":"t","arguments":{"x":1,"y":[1,2]}}'),
    );
    const b = parseAction(
      JSON.parse('{ "arguments": {"y":[1,2], "x":1.0}, "tool":"t", "kind":"tool", "agent":"a" }'),
    );
    const c = parseAction({ agent: "a", kind: "tool", tool: "t", arguments: { x: 2, y: [1, 2] } });
    if (!a.ok || !b.ok || !c.ok) throw new Error("invalid fixture");
    expect(actionHash(a.action)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(actionHash(a.action)).toBe(actionHash(b.action));
    expect(actionHash(a.action)).not.toBe(actionHash(c.action));
    // A fixed vector: the canonical form {"agent":"a","arguments":{"x":1,"y":[1,2]},"kind":"tool","tool":"t"}.
    expect(actionHash(a.action)).toBe(
      "sha256:fc6a6ed20feee970958b8b88235d9ef138a4c3a83af0c4d7e54d2867e151fa89",
    );
  });
});
