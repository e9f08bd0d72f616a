import { describe, expect, it } from "vitest";
import { tempStateDir } from "../audit/test-support/fixtures.js";
import { analyzerFor } from "../cli/analysis.js";
import type { Action } from "../core/envelope.js";
import { compilePolicy } from "../core/policy/compile.js";
import type { Policy } from "../core/policy/model.js";
import { CircuitBreaker } from "../identity/breaker.js";
import type { StateStore } from "../store/ports.js";
import { openSqliteStore } from "../store/sqlite/open.js";
import { Enforcer } from "./enforcer.js";

const POLICY = `
agents: [{id: ops-bot, default: allow}]
limits:
  - {id: three-shells, agents: [ops-bot], match: {kind: shell}, max: 3, per: 1h}
  - id: refunds
    agents: [ops-bot]
    match: {kind: mcp, tool: refund}
    budget: {of: "action.arguments.amount", max: 100}
    per: 1d
# The denials here are the point: the breaker must not quarantine the agent meanwhile.
breaker: {denials: 1000, per: 1s}
`;

function policy(): Policy {
  const r = compilePolicy([{ file: "policy.yaml", text: POLICY }]);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.policy;
}

async function enforcerOn(store: StateStore) {
  const p = policy();
  const analyze = await analyzerFor(p);
  return new Enforcer({
    current: () => ({ policy: p, analyze }),
    counters: store.counters,
    sessions: store.sessions,
    breaker: new CircuitBreaker(p.breaker, store.counters, store.agents, store.audit),
    audit: store.audit,
  });
}

/** What an enforcement point does with one action: decide, and let it through if allowed. */
async function enforce(en: Enforcer, action: Action) {
  const e = await en.decide(action);
  if (e.decision.decision === "allow") await en.release(action, e);
  return e.decision.decision === "allow" ? "allow" : `${e.decision.decision}: ${e.decision.reason}`;
}

const shell = (i: number): Action => ({ agent: "ops-bot", kind: "shell", command: `ls ${i}` });
const refund = (amount: number): Action => ({
  agent: "ops-bot",
  kind: "mcp",
  server: "shop",
  tool: "refund",
  arguments: { amount },
});

describe("velocity caps and budgets under concurrent actions", () => {
  it("a cap of 3 lets exactly 3 of 10 concurrent actions through", async () => {
    const store = openSqliteStore({ dir: tempStateDir() });
    try {
      const en = await enforcerOn(store);
      const out = await Promise.all(Array.from({ length: 10 }, (_, i) => enforce(en, shell(i))));
      expect(out.filter((d) => d === "allow")).toHaveLength(3);
      for (const d of out.filter((x) => x !== "allow"))
        expect(d).toMatch(/^deny: velocity cap 'three-shells' reached: 3 of 3/);
      expect(await enforce(en, shell(99))).toMatch(/^deny: velocity cap 'three-shells'/);
      // Counted once each: at decision, not again at release.
      expect(await store.counters.sum("three-shells/ops-bot", 0)).toBe(3);
    } finally {
      await store.close();
    }
  });

  it("a budget of 100 is never overspent by concurrent refunds", async () => {
    const store = openSqliteStore({ dir: tempStateDir() });
    try {
      const en = await enforcerOn(store);
      const out = await Promise.all(Array.from({ length: 8 }, () => enforce(en, refund(30))));
      expect(out.filter((d) => d === "allow")).toHaveLength(3); // 90 of 100
      expect(await enforce(en, refund(10))).toBe("allow");
      expect(await enforce(en, refund(1))).toMatch(/^deny: budget 'refunds' exceeded: 100 used/);
      expect(await store.counters.sum("refunds/ops-bot", 0)).toBe(100);
    } finally {
      await store.close();
    }
  });

  it("two processes on one state directory share the cap", async () => {
    const dir = tempStateDir();
    const a = openSqliteStore({ dir });
    const b = openSqliteStore({ dir });
    try {
      const [ea, eb] = [await enforcerOn(a), await enforcerOn(b)];
      const out = await Promise.all(
        Array.from({ length: 10 }, (_, i) => enforce(i % 2 ? ea : eb, shell(i))),
      );
      expect(out.filter((d) => d === "allow")).toHaveLength(3);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
