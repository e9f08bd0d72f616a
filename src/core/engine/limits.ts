import type { CompiledLimit } from "../policy/model.js";
import type { Matcher } from "./decide.js";
import type { DecisionState, Usage } from "./decision.js";
import { type Outcome, raise } from "./outcome.js";

/**
 * The limits that apply to this agent and match this action, with what the action uses of
 * each. A budget whose amount cannot be computed uses all of it (fail closed).
 */
export function usageOf(m: Matcher): Usage[] {
  const usage: Usage[] = [];
  for (const l of m.agent.limits) {
    if (!m.matches(l.rule)) continue;
    let amount = 1;
    if (l.amount) {
      try {
        amount = l.amount(m.cel());
      } catch (error) {
        amount = Number.POSITIVE_INFINITY;
        m.errors ??= [];
        m.errors.push(
          `limit '${l.id}': amount failed (${(error as Error).message.split("\n")[0]}); counted as over budget`,
        );
      }
    }
    usage.push({
      limit: l.id,
      key: `${l.id}/${m.action.agent}`,
      amount,
      windowSeconds: l.windowSeconds,
    });
  }
  return usage;
}

/**
 * Whether `amount` more on a window already holding `used` goes past `max`: the one test the
 * engine decides with and the counters reserve with, so a failed reservation re-decides to
 * the limit's effect.
 */
export function exceeds(used: number, amount: number, max: number): boolean {
  return used + amount > max;
}

/** A limit exceeded turns an allow into its effect (deny or approval), never an effect down. */
export function withLimits(
  o: Outcome,
  usage: readonly Usage[],
  limits: readonly CompiledLimit[],
  state: DecisionState,
): Outcome {
  let out = o;
  for (const u of usage) {
    const l = limits.find((x) => x.id === u.limit) as CompiledLimit;
    const used = state.usage?.[u.key];
    const over = used === undefined || exceeds(used, u.amount, l.max);
    if (!over) continue;
    out = raise(out, l.rule.effect, l.id, () => l.rule.reason ?? describe(l, used, u.amount));
  }
  return out;
}

function describe(l: CompiledLimit, used: number | undefined, amount: number): string {
  const window = formatWindow(l.windowSeconds);
  if (used === undefined)
    return `limit '${l.id}' cannot be checked: no counter was read, so it holds`;
  if (!l.amount)
    return `velocity cap '${l.id}' reached: ${used} of ${l.max} per ${window} already used`;
  return `budget '${l.id}' exceeded: ${used} used + ${amount} > ${l.max} per ${window}`;
}

function formatWindow(seconds: number): string {
  for (const [unit, size] of [
    ["d", 86400],
    ["h", 3600],
    ["m", 60],
  ] as const)
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  return `${seconds}s`;
}
