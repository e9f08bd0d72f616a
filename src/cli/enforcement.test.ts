import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tempStateDir } from "../audit/test-support/fixtures.js";
import type { Action } from "../core/envelope.js";
import { type Enforcement, openEnforcement } from "./enforcement.js";

/** What a long-running enforcement point is made of, across a policy reload. */

const opened: Enforcement[] = [];
afterEach(async () => {
  for (const en of opened.splice(0)) await en.close();
});

const policyWith = (denials: number) =>
  `agents: [{id: bot, default: allow}]\nredlines: [{categories: [data.destroy], effect: deny}]\nbreaker: { denials: ${denials}, per: 60s }\n`;
const destroy: Action = { agent: "bot", kind: "sql", statement: "DROP TABLE users" };

describe("openEnforcement", () => {
  it("a reloaded policy's breaker applies to the next denials", async () => {
    const state = tempStateDir();
    const file = join(dirname(state), "policy.yaml");
    writeFileSync(file, policyWith(100));
    const en = await openEnforcement({
      policy: [file],
      stateDir: state,
      watch: false,
      log: () => {},
    });
    opened.push(en);
    expect((await en.enforcer.decide(destroy)).decision.decision).toBe("deny");
    writeFileSync(file, policyWith(2));
    expect(en.policy.reload()).toBe(true);
    await en.enforcer.decide(destroy);
    expect((await en.store.agents.view("bot")).status).toBe("quarantined");
    const after = await en.enforcer.decide({ agent: "bot", kind: "sql", statement: "SELECT 1" });
    expect(after.decision.reason).toMatch(/quarantined: circuit breaker: 2 denials within 60s/);
  });
});
