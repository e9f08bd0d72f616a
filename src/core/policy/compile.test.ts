import { describe, expect, it } from "vitest";
import { errorsOf, policyOf } from "../test-support/policy.js";
import { compilePolicy } from "./compile.js";

describe("policy compiler: malformed policies name file, line, column and what was expected", () => {
  it.each([
    ["YAML syntax", "agents: [\n", /^test\.yaml:2:1: YAML: /],
    ["empty file", "", /^test\.yaml:1:1: the file holds no policy document$/],
    [
      "top-level typo",
      "agnets: []\n",
      /^test\.yaml:1:9: agnets: unknown field 'agnets' \(did you mean 'agents'\?\)/,
    ],
    ["wrong type", "agents: {}\n", /^test\.yaml:1:9: agents: expected array, got object$/],
    [
      "missing effect",
      "rules:\n  - id: r1\n    match: { kind: mcp }\n",
      /^test\.yaml:2:5: rules\[0\]\.effect: required field 'effect' is missing$/,
    ],
    [
      "bad effect",
      "rules:\n  - id: r1\n    effect: alow\n",
      /^test\.yaml:3:13: rules\[0\]\.effect: "alow" is not allowed \(did you mean 'allow'\?\); expected one of: "allow", "deny", "approval"$/,
    ],
    [
      "unknown category",
      "redlines:\n  - categories: [data.destory]\n    effect: deny\n",
      /^test\.yaml:2:18: redlines\[0\]\.categories\[0\]: "data\.destory" is not allowed \(did you mean 'data\.destroy'\?\)/,
    ],
    [
      "allow red line",
      "redlines:\n  - categories: [data.destroy]\n    effect: allow\n",
      /^test\.yaml:3:13: redlines\[0\]\.effect: "allow" is not allowed; expected one of: "deny", "approval"$/,
    ],
    [
      "match typo",
      "rules:\n  - id: r\n    effect: deny\n    match: { tol: x }\n",
      /^test\.yaml:4:19: rules\[0\]\.match\.tol: unknown field 'tol' \(did you mean 'tool'\?\)/,
    ],
    [
      "bad kind",
      "rules:\n  - id: r\n    effect: deny\n    match: { kind: ftp }\n",
      /^test\.yaml:4:20: rules\[0\]\.match\.kind: "ftp" is not allowed/,
    ],
    [
      "bad duration",
      "rules:\n  - id: r\n    effect: approval\n    approval: { expires: 15 minutes }\n",
      /^test\.yaml:4:26: rules\[0\]\.approval\.expires: "15 minutes" does not match/,
    ],
    [
      "duplicate category",
      "redlines:\n  - categories: [opaque, opaque]\n    effect: deny\n",
      /^test\.yaml:2:17: redlines\[0\]\.categories: items 0 and 1 are the same; list each once$/,
    ],
    ["duplicate key", "agents: []\nagents: []\n", /^test\.yaml:2:1: YAML: Map keys must be unique/],
  ])("%s", (_name, yaml, expected) => {
    const errors = errorsOf(yaml);
    expect(errors[0]).toMatch(expected);
  });

  it("reports CEL errors at the condition", () => {
    const errors = errorsOf(
      "rules:\n  - id: big\n    when: actoin.arguments.amount > 5\n    effect: deny\n",
    );
    expect(errors).toEqual([
      "test.yaml:3:11: rules[0].when: invalid CEL condition: Unknown variable: actoin",
    ]);
    expect(errorsOf("rules:\n  - id: r\n    when: action.tool +\n    effect: deny\n")[0]).toMatch(
      /rules\[0\]\.when: invalid CEL condition: Unexpected token/,
    );
    expect(errorsOf("rules:\n  - id: r\n    when: size(action.tool)\n    effect: deny\n")).toEqual([
      "test.yaml:3:11: rules[0].when: invalid CEL condition: a condition must be a bool, this expression is int",
    ]);
  });

  it("reports references to unknown agents and groups, and duplicate ids across files", () => {
    expect(
      errorsOf("agents: [{ id: a }]\nrules:\n  - id: r\n    agents: [a, b]\n    effect: deny\n"),
    ).toEqual(["test.yaml:4:17: rules[0].agents[1]: unknown agent or group 'b'"]);
    const r = compilePolicy([
      { file: "one.yaml", text: "agents: [{ id: a }]\nrules: [{ id: r, effect: deny }]\n" },
      { file: "two.yaml", text: "agents:\n  - id: a\nrules: [{ id: r, effect: allow }]\n" },
    ]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`)).toEqual([
      "two.yaml:2:9: duplicate agent id 'a' (first defined at one.yaml:1)",
      "two.yaml:3:15: duplicate rule id 'r' (first defined at one.yaml:2)",
    ]);
  });

  it("rejects approval settings on a rule that does not ask for approval", () => {
    expect(errorsOf("rules:\n  - id: r\n    effect: deny\n    approval: { quorum: 2 }\n")).toEqual([
      "test.yaml:4:15: rules[0].approval: approval settings apply only to effect 'approval', this rule's effect is 'deny'",
    ]);
  });

  it("rejects conflicting policy modes across files", () => {
    const r = compilePolicy([
      { file: "a.yaml", text: "mode: shadow\n" },
      { file: "b.yaml", text: "mode: enforce\n" },
    ]);
    expect(!r.ok && r.errors[0]?.message).toBe("conflicts with mode 'shadow' set in another file");
  });

  it("merges several files into one policy", () => {
    const r = compilePolicy([
      {
        file: "agents.yaml",
        text: "agents: [{ id: a, default: allow }]\ngroups: [{ id: ops, agents: [a] }]\n",
      },
      {
        file: "rules.yaml",
        text: "rules: [{ id: r, agents: [ops], effect: deny, match: { tool: x } }]\n",
      },
    ]);
    expect(r.ok && [...r.policy.agents.keys()]).toEqual(["a"]);
    expect(r.ok && r.policy.rules.map((x) => x.id)).toEqual(["r"]);
  });
});

describe("analysis settings", () => {
  it("are merged across files", () => {
    const r = compilePolicy([
      {
        file: "a.yaml",
        text: "analysis:\n  workspace: /w\n  egress: { allow: [a.com] }\n  tools: [{tool: run, arguments: {cmd: shell}}]\n",
      },
      {
        file: "b.yaml",
        text: "analysis:\n  egress: { allow: [b.com] }\n  internal: [corp.example]\n",
      },
    ]);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.policy.analysis).toMatchObject({
      workspace: "/w",
      egressAllow: ["a.com", "b.com"],
      internal: ["corp.example"],
    });
    expect(r.policy.analysis.tools[0]?.arguments).toEqual({ cmd: "shell" });
  });
  it("reject a relative workspace, an unknown argument type, and conflicting workspaces", () => {
    expect(errorsOf("analysis:\n  workspace: project\n")[0]).toMatch(
      /^test\.yaml:2:14: analysis\.workspace: "project" does not match \^\/$/,
    );
    expect(errorsOf("analysis:\n  tools: [{tool: t, arguments: {x: bash}}]\n")[0]).toMatch(
      /analysis\.tools\[0\]\.arguments\.x: "bash" is not allowed; expected one of: "shell", "sql"/,
    );
    const r = compilePolicy([
      { file: "a.yaml", text: "analysis: { workspace: /a }\n" },
      { file: "b.yaml", text: "analysis: { workspace: /b }\n" },
    ]);
    expect(!r.ok && r.errors.map((e) => `${e.file}:${e.line}: ${e.message}`)).toEqual([
      "b.yaml:1: conflicts with workspace '/a' set in another file",
    ]);
  });
});

describe("policy hash", () => {
  const base =
    "agents:\n  - id: a\n    default: allow\nrules:\n  - id: r\n    match: { kind: mcp, tool: t }\n    effect: deny\n";
  it("is stable across formatting and comments", () => {
    const reformatted =
      "# comment\nagents: [{id: a, default: allow}]   # same\nrules: [{effect: deny, id: r, match: {tool: t, kind: mcp}}]\n";
    expect(policyOf(base).hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(policyOf(reformatted).hash).toBe(policyOf(base).hash);
  });
  it("changes when the meaning changes", () => {
    expect(policyOf(base.replace("effect: deny", "effect: allow")).hash).not.toBe(
      policyOf(base).hash,
    );
  });
});
