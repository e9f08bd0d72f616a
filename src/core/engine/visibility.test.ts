import { describe, expect, it } from "vitest";
import { policyOf } from "../test-support/policy.js";
import { mayEverCall } from "./visibility.js";

const POLICY = policyOf(`
agents:
  - id: support-bot
    environment: prod
    default: deny
  - id: coding-agent
    default: allow
  - id: watcher
    default: deny
    mode: shadow
redlines:
  - agents: ["*"]
    categories: [data.destroy]
    effect: deny
rules:
  - id: reads
    agents: [support-bot]
    match: { kind: mcp, server: shop, tool: "get_*" }
    effect: allow
  - id: refunds-small
    agents: [support-bot]
    match: { server: shop, tool: refund_order }
    when: action.arguments.amount < 100
    effect: allow
  - id: no-shell-tool
    match: { kind: mcp, tool: run_command }
    effect: deny
  - id: no-prod-deploys
    agents: [coding-agent]
    match: { kind: mcp, tool: deploy, environment: prod }
    effect: deny
  - id: never-wipe
    agents: [coding-agent]
    match: { kind: mcp, tool: wipe, targets: { paths: ["/srv/**"] } }
    effect: deny
  - id: function-tools-only
    agents: [support-bot]
    match: { kind: tool, tool: lookup }
    effect: allow
  - id: shadow-deny
    agents: [coding-agent]
    match: { kind: mcp, tool: fancy }
    effect: deny
    mode: shadow
`);

describe("mayEverCall", () => {
  it("a least-privilege agent sees only what a rule may let through", () => {
    expect(mayEverCall(POLICY, "support-bot", "shop", "get_order")).toBe(true);
    // A condition on the arguments may hold: the tool stays listed.
    expect(mayEverCall(POLICY, "support-bot", "shop", "refund_order")).toBe(true);
    expect(mayEverCall(POLICY, "support-bot", "shop", "delete_order")).toBe(false);
    expect(mayEverCall(POLICY, "support-bot", "other", "get_order")).toBe(false);
    // A rule for function tools (kind: tool) does not open an MCP tool of that name.
    expect(mayEverCall(POLICY, "support-bot", "shop", "lookup")).toBe(false);
  });

  it("hides a tool denied by name alone, for every agent it applies to", () => {
    expect(mayEverCall(POLICY, "coding-agent", "fs", "run_command")).toBe(false);
    expect(mayEverCall(POLICY, "support-bot", "shop", "run_command")).toBe(false);
    expect(mayEverCall(POLICY, "coding-agent", "fs", "read_file")).toBe(true);
  });

  it("keeps a tool whose deny depends on targets, categories or an unknown environment", () => {
    expect(mayEverCall(POLICY, "coding-agent", "fs", "wipe")).toBe(true);
    expect(mayEverCall(POLICY, "coding-agent", "fs", "delete_everything")).toBe(true);
    expect(mayEverCall(POLICY, "coding-agent", "ci", "deploy")).toBe(true);
    expect(mayEverCall(POLICY, "coding-agent", "ci", "deploy", "prod")).toBe(false);
    expect(mayEverCall(POLICY, "coding-agent", "ci", "deploy", "staging")).toBe(true);
  });

  it("an agent acting outside its environment, or unknown, sees nothing", () => {
    expect(mayEverCall(POLICY, "support-bot", "shop", "get_order", "staging")).toBe(false);
    expect(mayEverCall(POLICY, "stranger", "shop", "get_order")).toBe(false);
  });

  it("shadow mode and shadow rules hide nothing", () => {
    expect(mayEverCall(POLICY, "watcher", "shop", "anything")).toBe(true);
    expect(mayEverCall(POLICY, "coding-agent", "x", "fancy")).toBe(true);
  });
});
