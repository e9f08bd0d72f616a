import { describe, expect, it } from "vitest";
import type { Action } from "../envelope.js";
import { analyzeSafely, emptyFacts } from "../facts.js";
import { factsWith, policyOf } from "../test-support/policy.js";
import { decide } from "./decide.js";

const mcp = (
  agent: string,
  tool: string,
  args: Record<string, unknown> = {},
  extra: Partial<Action> = {},
): Action => ({ agent, kind: "mcp", server: "shop", tool, arguments: args, ...extra }) as Action;

const POLICY = policyOf(`
agents:
  - id: support-bot
    owner: support-eng
    environment: prod
    default: deny
  - id: coding-agent
    default: allow
  - id: reviewer
    default: approval
groups:
  - id: humans-in-loop
    agents: [support-bot, reviewer]
redlines:
  - agents: ["*"]
    categories: [data.destroy, backup.destroy, opaque]
    effect: deny
  - agents: [coding-agent]
    categories: [vcs.rewrite, secret.access]
    effect: approval
    approval: { quorum: 2, expires: 5m }
rules:
  - id: support-reads-orders
    agents: [support-bot]
    match: { kind: mcp, server: shop, tool: "get_*" }
    effect: allow
  - id: refunds-allowed
    agents: [support-bot]
    match: { kind: mcp, server: shop, tool: refund_order }
    effect: allow
  - id: big-refunds-need-a-human
    agents: [support-bot]
    match: { kind: mcp, server: shop, tool: refund_order }
    when: action.arguments.amount > 5000
    effect: approval
    approval: { expires: 10m }
  - id: no-refunds-to-self
    agents: [humans-in-loop]
    match: { tool: refund_order }
    when: has(action.context) && has(action.context.requester) && action.context.requester == action.arguments.customer
    effect: deny
    reason: an agent may not refund the customer who asked it
  - id: no-secrets-dir
    agents: [coding-agent]
    match: { targets: { paths: ["/etc/secrets/**"] } }
    effect: deny
  - id: deletes-in-prod
    match: { kind: mcp, tool: "delete_*", environment: prod }
    effect: approval
`);

describe("decide: precedence", () => {
  it("allows what an allow rule matches", () => {
    const d = decide(POLICY, mcp("support-bot", "get_order"), emptyFacts());
    expect(d).toMatchObject({
      decision: "allow",
      rules: ["support-reads-orders"],
      categories: [],
      mode: "enforce",
    });
    expect(d.policyHash).toBe(POLICY.hash);
  });
  it("approval beats allow", () => {
    const d = decide(POLICY, mcp("support-bot", "refund_order", { amount: 6000 }), emptyFacts());
    expect(d).toMatchObject({
      decision: "approval",
      rules: ["big-refunds-need-a-human"],
      approval: { quorum: 1, expiresSeconds: 600 },
    });
  });
  it("deny beats approval and allow, with the rule's reason", () => {
    const d = decide(
      POLICY,
      mcp(
        "support-bot",
        "refund_order",
        { amount: 6000, customer: "c1" },
        { context: { requester: "c1" } },
      ),
      emptyFacts(),
    );
    expect(d).toMatchObject({
      decision: "deny",
      rules: ["no-refunds-to-self"],
      reason: "an agent may not refund the customer who asked it",
    });
  });
  it("a red line beats an allow rule", () => {
    const d = decide(
      POLICY,
      mcp("support-bot", "get_order"),
      factsWith(["data.destroy"], {
        findings: [{ category: "data.destroy", reason: "drops table orders" }],
      }),
    );
    expect(d).toMatchObject({
      decision: "deny",
      rules: ["redline.data.destroy"],
      categories: ["data.destroy"],
    });
    expect(d.reason).toBe("denied by red line data.destroy: drops table orders");
  });
  it("a red line's own reason comes with the finding, and names only the category crossed", () => {
    const p = policyOf(`agents: [{id: a, default: allow}]
redlines:
  - {id: hard, categories: [data.destroy, backup.destroy], effect: deny, reason: Never.}
  - {categories: [money.move, deploy.prod], effect: approval}
`);
    const findings = [
      { category: "data.destroy" as const, reason: "rm of /srv" },
      { category: "money.move" as const, reason: "refund" },
    ];
    expect(decide(p, mcp("a", "t"), factsWith(["data.destroy"], { findings })).reason).toBe(
      "Never. (data.destroy: rm of /srv)",
    );
    expect(decide(p, mcp("a", "t"), factsWith(["money.move"], { findings })).reason).toBe(
      "approval required by red line money.move: refund",
    );
  });

  it("lists every deciding rule in policy order", () => {
    const d = decide(POLICY, mcp("coding-agent", "x"), factsWith(["secret.access", "vcs.rewrite"]));
    expect(d).toMatchObject({
      decision: "approval",
      rules: ["redline.vcs.rewrite", "redline.secret.access"],
      approval: { quorum: 2, expiresSeconds: 300 },
    });
  });
  it("an allow and a deny on one action: deny, whichever comes first in the file", () => {
    const p = policyOf(
      "agents: [{id: a}]\nrules:\n  - {id: d, effect: deny, match: {tool: t}}\n  - {id: x, effect: allow, match: {tool: t}}\n",
    );
    const q = policyOf(
      "agents: [{id: a}]\nrules:\n  - {id: x, effect: allow, match: {tool: t}}\n  - {id: d, effect: deny, match: {tool: t}}\n",
    );
    for (const policy of [p, q])
      expect(decide(policy, mcp("a", "t"), emptyFacts())).toMatchObject({
        decision: "deny",
        rules: ["d"],
      });
  });
  it("targets, environment and server must all match", () => {
    expect(
      decide(
        POLICY,
        mcp("coding-agent", "read", {}),
        factsWith([], {
          targets: { paths: ["/etc/secrets/db/.pw"], tables: [], hosts: [], resources: [] },
        }),
      ),
    ).toMatchObject({ decision: "deny", rules: ["no-secrets-dir"] });
    expect(
      decide(
        POLICY,
        mcp("coding-agent", "read", {}),
        factsWith([], { targets: { paths: ["/etc/other"], tables: [], hosts: [], resources: [] } }),
      ),
    ).toMatchObject({ decision: "allow" });
    expect(
      decide(POLICY, mcp("coding-agent", "delete_user", {}, { environment: "prod" }), emptyFacts()),
    ).toMatchObject({ decision: "approval", rules: ["deletes-in-prod"] });
    expect(
      decide(POLICY, mcp("coding-agent", "delete_user", {}, { environment: "dev" }), emptyFacts()),
    ).toMatchObject({ decision: "allow" });
    // support-bot is registered in prod, so its actions are prod actions.
    expect(decide(POLICY, mcp("support-bot", "delete_user"), emptyFacts())).toMatchObject({
      decision: "approval",
      rules: ["deletes-in-prod"],
    });
    expect(
      decide(
        POLICY,
        { agent: "support-bot", kind: "mcp", server: "other", tool: "get_order" },
        emptyFacts(),
      ),
    ).toMatchObject({ decision: "deny", rules: [] });
  });
});

describe("decide: defaults and identity", () => {
  it("falls back to each agent's default", () => {
    expect(decide(POLICY, mcp("support-bot", "cancel_order"), emptyFacts())).toMatchObject({
      decision: "deny",
      rules: [],
      reason: "no rule matched; the default for agent 'support-bot' is deny",
    });
    expect(decide(POLICY, mcp("coding-agent", "cancel_order"), emptyFacts())).toMatchObject({
      decision: "allow",
      rules: [],
    });
    expect(decide(POLICY, mcp("reviewer", "cancel_order"), emptyFacts())).toMatchObject({
      decision: "approval",
      approval: { quorum: 1, expiresSeconds: 900 },
    });
  });
  it("an agent without a default is least-privilege", () => {
    const p = policyOf("agents: [{id: a}]\n");
    expect(decide(p, mcp("a", "anything"), emptyFacts()).decision).toBe("deny");
  });
  it("denies an unknown agent when the policy has no wildcard", () => {
    expect(decide(POLICY, mcp("intruder", "get_order"), emptyFacts())).toMatchObject({
      decision: "deny",
      rules: [],
      reason: "unknown agent 'intruder': not declared in the policy, which has no wildcard agent",
    });
  });
  it("gives undeclared agents the wildcard agent, with rules for every agent", () => {
    const p = policyOf(
      'agents: [{id: "*", default: allow}, {id: a, default: deny}]\nrules:\n  - {id: all, effect: deny, match: {tool: boom}}\n  - {id: only-a, agents: [a], effect: allow, match: {tool: ok}}\n  - {id: who, effect: deny, when: agent.id == "eve"}\n',
    );
    expect(decide(p, mcp("newcomer", "anything"), emptyFacts())).toMatchObject({
      decision: "allow",
    });
    expect(decide(p, mcp("newcomer", "boom"), emptyFacts())).toMatchObject({
      decision: "deny",
      rules: ["all"],
    });
    expect(decide(p, mcp("eve", "anything"), emptyFacts())).toMatchObject({
      decision: "deny",
      rules: ["who"],
    });
    expect(decide(p, mcp("a", "ok"), emptyFacts())).toMatchObject({
      decision: "allow",
      rules: ["only-a"],
    });
    expect(decide(p, mcp("a", "other"), emptyFacts())).toMatchObject({
      decision: "deny",
      rules: [],
    });
  });
  it.each(["suspended", "quarantined", "revoked", "expired"] as const)(
    "denies a %s agent before any rule",
    (status) => {
      const d = decide(POLICY, mcp("coding-agent", "get_order"), emptyFacts(), {
        identity: { status, reason: "by on-call" },
      });
      expect(d).toMatchObject({
        decision: "deny",
        rules: [],
        reason: `agent 'coding-agent' is ${status}: by on-call`,
      });
    },
  );
  it("denies an agent acting outside the environment it is registered for", () => {
    expect(
      decide(POLICY, mcp("support-bot", "get_order", {}, { environment: "staging" }), emptyFacts()),
    ).toMatchObject({
      decision: "deny",
      reason: "agent 'support-bot' is registered for environment 'prod', not 'staging'",
    });
  });
});

describe("decide: CEL conditions", () => {
  it("evaluates conditions over action, facts and agent", () => {
    const p = policyOf(`agents: [{id: a, owner: ops, default: allow}]
groups: [{id: g, agents: [a]}]
rules:
  - {id: amount, effect: deny, when: "action.arguments.amount >= 100"}
  - {id: facts, effect: deny, when: '"recursive" in facts.flags && facts.targets.paths.exists(p, p.startsWith("/srv"))'}
  - {id: agent, effect: approval, when: '"g" in agent.groups && agent.owner == "ops" && action.tool.startsWith("prod_")'}
`);
    expect(decide(p, mcp("a", "t", { amount: 100 }), emptyFacts()).rules).toEqual(["amount"]);
    expect(decide(p, mcp("a", "t", { amount: 99.5 }), emptyFacts()).decision).toBe("allow");
    expect(
      decide(
        p,
        mcp("a", "t", { amount: 0 }),
        factsWith([], {
          flags: ["recursive"],
          targets: { paths: ["/srv/x"], tables: [], hosts: [], resources: [] },
        }),
      ).rules,
    ).toEqual(["facts"]);
    expect(decide(p, mcp("a", "prod_deploy", { amount: 0 }), emptyFacts()).decision).toBe(
      "approval",
    );
  });
  it("a condition that fails to evaluate counts as matched for deny and approval, never for allow", () => {
    const p = policyOf(`agents: [{id: a, default: approval}]
rules:
  - {id: deny-big, effect: deny, when: "action.arguments.amount > 10"}
  - {id: allow-small, effect: allow, when: "action.arguments.amount < 10"}
`);
    const d = decide(p, mcp("a", "t", {}), emptyFacts());
    expect(d).toMatchObject({ decision: "deny", rules: ["deny-big"] });
    expect(d.errors).toEqual([
      "rule 'deny-big': condition failed (No such key: amount); treated as matched",
      "rule 'allow-small': condition failed (No such key: amount); treated as not matched",
    ]);
    const q = policyOf(
      `agents: [{id: a, default: deny}]\nrules:\n  - {id: allow-small, effect: allow, when: "action.arguments.amount < 10"}\n`,
    );
    expect(decide(q, mcp("a", "t", { amount: "lots" }), emptyFacts())).toMatchObject({
      decision: "deny",
      rules: [],
    });
  });
});

describe("decide: shadow mode", () => {
  const yaml = `agents: [{id: a, default: allow}, {id: s, default: allow, mode: shadow}]
rules:
  - {id: trial-deny, effect: deny, mode: shadow, match: {tool: drop}}
  - {id: real-deny, effect: deny, match: {tool: rm}}
`;
  const p = policyOf(yaml);
  it("a shadow rule is reported, not enforced", () => {
    expect(decide(p, mcp("a", "drop"), emptyFacts())).toMatchObject({
      decision: "allow",
      mode: "enforce",
      rules: [],
      shadow: { decision: "deny", rules: ["trial-deny"] },
    });
    expect(decide(p, mcp("a", "rm"), emptyFacts())).not.toHaveProperty("shadow");
  });
  it("a shadow agent is never blocked, and the decision says what would have happened", () => {
    expect(decide(p, mcp("s", "rm"), emptyFacts())).toMatchObject({
      decision: "allow",
      mode: "shadow",
      shadow: { decision: "deny", rules: ["real-deny"] },
    });
    expect(decide(p, mcp("s", "rm"), emptyFacts()).reason).toMatch(/^shadow mode, not enforced: /);
  });
  it("a shadow policy shadows every agent, but identity is still enforced", () => {
    const all = policyOf(`mode: shadow\n${yaml}`);
    expect(decide(all, mcp("a", "rm"), emptyFacts())).toMatchObject({
      decision: "allow",
      mode: "shadow",
      shadow: { decision: "deny" },
    });
    expect(decide(all, mcp("nobody", "rm"), emptyFacts())).toMatchObject({
      decision: "deny",
      mode: "enforce",
    });
  });
});

describe("decide: unknown is not safe", () => {
  const baselineLike = policyOf(`agents: [{id: "*", default: allow}]
redlines: [{categories: [opaque], effect: deny}]
`);
  it("an analyzer that throws yields opaque facts, which the policy denies", () => {
    const facts = analyzeSafely(
      () => {
        throw new Error("parser crashed");
      },
      mcp("x", "t"),
    );
    expect(facts.categories).toEqual(["opaque"]);
    expect(decide(baselineLike, mcp("x", "t"), facts)).toMatchObject({
      decision: "deny",
      rules: ["redline.opaque"],
      reason: "denied by red line opaque: analyzer failed: parser crashed",
    });
  });
  it("an analyzer that returns garbage yields opaque facts", () => {
    const facts = analyzeSafely(() => ({ categories: "none" }) as never, mcp("x", "t"));
    expect(decide(baselineLike, mcp("x", "t"), facts).decision).toBe("deny");
  });
});

describe("decide: determinism", () => {
  it("same input, same policy, same decision", () => {
    const a = mcp("support-bot", "refund_order", { amount: 6000 });
    const first = JSON.stringify(decide(POLICY, a, emptyFacts()));
    for (let i = 0; i < 50; i++)
      expect(JSON.stringify(decide(POLICY, a, emptyFacts()))).toBe(first);
  });
});
