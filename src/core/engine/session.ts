import type { Facts } from "../facts.js";
import type { CompiledTaint } from "../policy/model.js";
import { type Outcome, raise } from "./outcome.js";

/**
 * Session taint (DESIGN.md step 5): facts the session acquired earlier (`state.session`, kept
 * by the adapter) gate this action's matching categories or flags. Never weakens an outcome.
 */
export function withTaint(
  o: Outcome,
  taints: readonly CompiledTaint[],
  agentId: string,
  facts: Facts,
  session: readonly string[] | undefined,
): Outcome {
  if (!session || session.length === 0) return o;
  let out = o;
  for (const t of taints) {
    if (t.agents !== "*" && !t.agents.has(agentId)) continue;
    const cause = t.after.find((f) => session.includes(f));
    if (!cause) continue;
    const gated = t.gates.find(
      (f) => (facts.categories as string[]).includes(f) || facts.flags.includes(f),
    );
    if (!gated) continue;
    const needs = t.effect === "deny" ? "to be refused" : "a human";
    out = raise(
      out,
      t.effect,
      t.id,
      () => t.reason ?? `this session already did ${cause}, so ${gated} needs ${needs}`,
    );
  }
  return out;
}
