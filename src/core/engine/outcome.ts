import { DEFAULT_APPROVAL } from "../policy/model.js";
import { EFFECT_RANK, type Effect } from "../policy/schema.js";
import type { Decision } from "./decision.js";

/** A decision in the making: the effect, the ids that decided it, and why. */
export interface Outcome {
  effect: Effect;
  rules: string[];
  reason: string;
  approval: Decision["approval"];
}

/**
 * Lets a limit or a taint rule hold the outcome: a stronger effect takes over with its own
 * reason, an equal one adds its id, a weaker one changes nothing (never weakens a decision).
 */
export function raise(out: Outcome, effect: Effect, id: string, reason: () => string): Outcome {
  const rank = EFFECT_RANK[effect];
  const current = EFFECT_RANK[out.effect];
  if (rank < current) return out;
  if (rank === current && out.rules.length > 0) return { ...out, rules: [...out.rules, id] };
  const approval = effect === "approval" ? (out.approval ?? DEFAULT_APPROVAL) : undefined;
  return { effect, rules: [id], reason: reason(), approval };
}
