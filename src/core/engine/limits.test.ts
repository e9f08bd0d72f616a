import { describe, expect, it } from "vitest";
import type { Action } from "../envelope.js";
import { emptyFacts } from "../facts.js";
import { errorsOf, policyOf } from "../test-support/policy.js";
import { decide, limitUsage } from "./decide.js";

const POLICY = policyOf(`
agents: [{id: support-bot, default: allow}, {id: other, default: allow}]
rules:
  - {id: no-drop, effect: deny, match: {tool: drop_all}}
limits:
  - id: refunds-per-hour
    agents: [support-bot]
    match: { kind: mcp, tool: refund_order }
    max: 3
    per: 1h
  - id: refund-budget
    agents: [support-bot]
    match: { tool: refund_order }
    budget: { of: action.arguments.amount, max: 10000 }
    per: 1d
    effect: approval
  - id: drops
    match: { tool: drop_all }
    max: 100
    per: 1m
`);
const refund = (amount: unknown, agent = "support-bot"): Action => ({
  agent,
  kind: "mcp",
  server: "shop",
  tool: "refund_order",
  arguments: { amount },
});
const usage = (count: number, sum: number) => ({
  usage: { "refunds-per-hour/support-bot": count, "refund-budget/support-bot": sum },
});

describe("velocity caps and budgets", () => {
  it("a cap of N per window allows exactly N and refuses the N+1th", () => {
    const decisions = [0, 1, 2, 3, 4].map((used) =>
      decide(POLICY, refund(10), emptyFacts(), usage(used, 0)),
    );
    expect(decisions.map((d) => d.decision)).toEqual(["allow", "allow", "allow", "deny", "deny"]);
    expect(decisions[3]).toMatchObject({
      rules: ["refunds-per-hour"],
      reason: "velocity cap 'refunds-per-hour' reached: 3 of 3 per 1h already used",
    });
  });

  it("a budget holds the amount it would exceed, with the effect the limit names", () => {
    expect(decide(POLICY, refund(5000), emptyFacts(), usage(0, 5000)).decision).toBe("allow");
    const over = decide(POLICY, refund(5001), emptyFacts(), usage(0, 5000));
    expect(over).toMatchObject({
      decision: "approval",
      rules: ["refund-budget"],
      reason: "budget 'refund-budget' exceeded: 5000 used + 5001 > 10000 per 1d",
    });
  });

  it("a budget on rows: the rows an action will touch, as the enforcement point estimates them", () => {
    const p = policyOf(`agents: [{id: etl, default: allow}]
limits:
  - {id: rows-per-hour, match: {kind: sql}, budget: {of: action.context.rows, max: 10000}, per: 1h}
`);
    const sql = (rows: number): Action => ({
      agent: "etl",
      kind: "sql",
      statement: "UPDATE t SET x = 1 WHERE id < $1",
      context: { rows },
    });
    const used = { usage: { "rows-per-hour/etl": 9000 } };
    expect(decide(p, sql(1000), emptyFacts(), used).decision).toBe("allow");
    expect(decide(p, sql(1001), emptyFacts(), used)).toMatchObject({
      decision: "deny",
      reason: "budget 'rows-per-hour' exceeded: 9000 used + 1001 > 10000 per 1h",
    });
  });

  it("the stronger limit wins when several are exceeded", () => {
    expect(decide(POLICY, refund(9999), emptyFacts(), usage(3, 9000))).toMatchObject({
      decision: "deny",
      rules: ["refunds-per-hour"],
    });
  });

  it("reports what the action counts against, for the adapter to add once released", () => {
    expect(limitUsage(POLICY, refund(250), emptyFacts())).toEqual([
      {
        limit: "refunds-per-hour",
        key: "refunds-per-hour/support-bot",
        amount: 1,
        windowSeconds: 3600,
      },
      {
        limit: "refund-budget",
        key: "refund-budget/support-bot",
        amount: 250,
        windowSeconds: 86400,
      },
    ]);
    expect(decide(POLICY, refund(250), emptyFacts(), usage(0, 0)).usage).toEqual(
      limitUsage(POLICY, refund(250), emptyFacts()),
    );
    expect(limitUsage(POLICY, refund(250, "other"), emptyFacts())).toEqual([]);
  });

  it("a limit without a counter read holds (fail closed)", () => {
    expect(decide(POLICY, refund(1), emptyFacts())).toMatchObject({
      decision: "deny",
      reason: "limit 'refunds-per-hour' cannot be checked: no counter was read, so it holds",
    });
  });

  it("a budget amount that cannot be computed counts as over budget", () => {
    const d = decide(POLICY, refund("lots"), emptyFacts(), usage(0, 0));
    expect(d).toMatchObject({ decision: "approval", rules: ["refund-budget"] });
    expect(d.errors?.[0]).toMatch(/^limit 'refund-budget': amount failed/);
  });

  it("never weakens a deny", () => {
    const drop: Action = { agent: "other", kind: "mcp", server: "s", tool: "drop_all" };
    expect(decide(POLICY, drop, emptyFacts(), { usage: { "drops/other": 0 } })).toMatchObject({
      decision: "deny",
      rules: ["no-drop"],
    });
    expect(decide(POLICY, drop, emptyFacts(), { usage: { "drops/other": 100 } })).toMatchObject({
      decision: "deny",
      rules: ["no-drop", "drops"],
    });
  });

  it("invalid limits are policy errors with a place", () => {
    expect(errorsOf("limits:\n  - {id: x, per: 1h}\n")).toEqual([
      "test.yaml:2:5: limits[0]: a limit needs exactly one of `max` (a velocity cap) or `budget` (a sum per window)",
    ]);
    expect(
      errorsOf("limits:\n  - {id: x, per: 1h, budget: {of: \"'lots'\", max: 5}}\n")[0],
    ).toMatch(/limits\[0\]\.budget\.of: invalid CEL expression: a budget amount must be a number/);
    expect(errorsOf("limits:\n  - {id: x, per: soon, max: 1}\n")[0]).toMatch(
      /limits\[0\]\.per: "soon" does not match/,
    );
  });
});
