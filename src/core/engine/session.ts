import type { Facts } from "../facts.js";
import { type CompiledTaint, DEFAULT_APPROVAL } from "../policy/model.js";
import type { Effect } from "../policy/schema.js";
import type { Outcome } from "./decide.js";

const RANK: Record<Effect, number> = { allow: 0, approval: 1, deny: 2 };

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
    if (!gated || RANK[t.effect] < RANK[out.effect]) continue;
    const reason =
      t.reason ??
      `this session already did ${cause}, so ${gated} needs ${t.effect === "deny" ? "to be refused" : "a human"}`;
    out =
      RANK[t.effect] > RANK[out.effect] || out.rules.length === 0
        ? {
            effect: t.effect,
            rules: [t.id],
            reason,
            approval: t.effect === "approval" ? (out.approval ?? DEFAULT_APPROVAL) : undefined,
          }
        : { ...out, rules: [...out.rules, t.id] };
  }
  return out;
}
