import { emptyFacts } from "../../core/facts.js";
import type { AuditInput } from "../entry.js";

/** Test inputs without Vitest imports: the crash test's child process uses them too. */
export const T0 = Date.parse("2026-11-26T00:00:00.000Z");

export function decisionInput(i: number, over: Partial<AuditInput> = {}): AuditInput {
  return {
    kind: "decision",
    at: T0 + i * 1000,
    agent: i % 2 === 0 ? "ops-bot" : "support-bot",
    session: `s${i % 3}`,
    actionHash: `sha256:${String(i).padStart(64, "0")}`,
    action: { agent: "ops-bot", kind: "shell", command: `echo ${i}` },
    facts: emptyFacts(),
    decision: i % 5 === 0 ? "deny" : "allow",
    categories: i % 5 === 0 ? ["data.destroy"] : [],
    rules: i % 5 === 0 ? ["baseline.irreversible"] : [],
    reason: `reason ${i}`,
    policyHash: "sha256:policy",
    ...over,
  };
}
