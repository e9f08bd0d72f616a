import { describe, expect, it } from "vitest";
import { CATEGORY_IDS, type CategoryId } from "../catalogue.js";
import type { Action } from "../envelope.js";
import type { CompiledAgent, Policy } from "../policy/model.js";
import { factsWith, policyOf } from "../test-support/policy.js";
import { decide } from "./decide.js";

/** A tiny seeded PRNG so failures reproduce. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The same policy with every agent's index flattened into one list: the linear reference. */
function linear(policy: Policy): Policy {
  const flat = (a: CompiledAgent): CompiledAgent => ({
    ...a,
    index: {
      byCategory: new Map(),
      byKind: new Map(),
      anyKind: {
        byTool: new Map(),
        other: policy.rules.filter((r) => r.agents === "*" || r.agents.has(a.id)),
      },
    },
  });
  const agents = new Map([...policy.agents].map(([id, a]) => [id, flat(a)]));
  return { ...policy, agents, wildcard: agents.get("*") };
}

describe("rule index", () => {
  it("decides exactly as a linear scan of every rule, on random policies and actions", () => {
    const r = rng(42);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
    const kinds = ["mcp", "tool", "shell"] as const;
    const tools = ["t0", "t1", "t2", "get_a", "get_b", "delete_x"];
    const toolPatterns = [...tools, "get_*", "*_x", "t?"];
    for (let round = 0; round < 40; round++) {
      const rules: string[] = [];
      for (let i = 0; i < 30; i++) {
        const m: string[] = [];
        if (r() < 0.5) m.push(`kind: ${pick(kinds)}`);
        if (r() < 0.6) m.push(`tool: "${pick(toolPatterns)}"`);
        if (r() < 0.3)
          m.push(
            `categories: [${[...new Set([pick(CATEGORY_IDS), pick(CATEGORY_IDS)])].join(", ")}]`,
          );

        if (r() < 0.2) m.push(`flags: [recursive]`);
        const agents = r() < 0.5 ? "" : `agents: [${pick(["a", "b", "g"])}], `;
        const when = r() < 0.15 ? `when: "action.kind == '${pick(kinds)}'", ` : "";
        rules.push(
          `  - {id: r${i}, ${agents}${when}effect: ${pick(["allow", "deny", "approval"])}, match: {${m.join(", ")}}}`,
        );
      }
      const yaml = `agents: [{id: a, default: deny}, {id: b, default: allow}, {id: "*", default: approval}]
groups: [{id: g, agents: [a, b]}]
rules:
${rules.join("\n")}
`;
      const indexed = policyOf(yaml);
      const reference = linear(indexed);
      for (let k = 0; k < 60; k++) {
        const kind = pick(kinds);
        const agent = pick(["a", "b", "c"]);
        const action = (
          kind === "shell"
            ? { agent, kind, command: "x" }
            : kind === "mcp"
              ? { agent, kind, server: "s", tool: pick(tools) }
              : { agent, kind, tool: pick(tools) }
        ) as Action;
        const cats = CATEGORY_IDS.filter(() => r() < 0.1) as CategoryId[];
        const facts = factsWith(cats, { flags: r() < 0.3 ? ["recursive"] : [] });
        expect(decide(indexed, action, facts), yaml).toEqual(decide(reference, action, facts));
      }
    }
  });

  it("visits only the rules a tool name can reach", () => {
    const rules = Array.from(
      { length: 1000 },
      (_, i) => `  - {id: r${i}, effect: deny, match: {kind: mcp, tool: tool_${i}}}`,
    ).join("\n");
    const p = policyOf(`agents: [{id: a, default: allow}]\nrules:\n${rules}\n`);
    const index = p.agents.get("a")?.index;
    expect(
      index?.byKind
        .get("mcp")
        ?.byTool.get("tool_7")
        ?.map((x) => x.id),
    ).toEqual(["r7"]);
    expect(index?.byKind.get("mcp")?.other).toEqual([]);
  });
});
