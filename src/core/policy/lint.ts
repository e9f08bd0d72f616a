import { CATEGORY_IDS, type CategoryId } from "../catalogue.js";
import { compileCondition, readsInput } from "./cel.js";
import type { GlobSet } from "./glob.js";
import type { CompiledAgent, CompiledRule, Policy } from "./model.js";
import { EFFECT_RANK } from "./schema.js";
import type { Location } from "./source.js";

export interface Finding extends Location {
  code: "never-matches" | "shadowed" | "uncovered";
  message: string;
  /** The rule or agent the finding is about. */
  subject: string;
}

/** Lints a valid policy: rules that can never match, rules that never change an outcome, gaps. */
export function lintPolicy(policy: Policy): Finding[] {
  const findings: Finding[] = [];
  for (const rule of policy.rules) {
    const why = neverMatches(rule, policy);
    if (why)
      findings.push({
        ...rule.source,
        code: "never-matches",
        subject: rule.id,
        message: `rule '${rule.id}' can never match: ${why}`,
      });
  }
  policy.rules.forEach((b, j) => {
    for (const [i, a] of policy.rules.entries()) {
      if (i === j || !covers(a, b)) continue;
      const stronger = EFFECT_RANK[a.effect] > EFFECT_RANK[b.effect];
      if (!(stronger || (EFFECT_RANK[a.effect] === EFFECT_RANK[b.effect] && i < j))) continue;
      const how = stronger
        ? `its ${a.effect} always wins over this ${b.effect}`
        : "it already decides the same";
      findings.push({
        ...b.source,
        code: "shadowed",
        subject: b.id,
        message: `rule '${b.id}' is shadowed by broader rule '${a.id}' (${a.source.file}:${a.source.line}): ${how}`,
      });
      return;
    }
  });
  for (const agent of policy.agents.values()) {
    const gaps = uncovered(agent, policy);
    if (gaps.length === 0) continue;
    const name = agent.id === "*" ? "the wildcard agent '*'" : `agent '${agent.id}'`;
    findings.push({
      ...(agent.source ?? { file: "", line: 1, column: 1 }),
      code: "uncovered",
      subject: agent.id,
      message: `${name} (default ${agent.default}) has no deny or approval rule for: ${gaps.join(", ")}`,
    });
  }
  return findings;
}

function neverMatches(rule: CompiledRule, policy: Policy): string | undefined {
  const kinds = rule.kinds;
  if (rule.server && kinds && !kinds.has("mcp")) return "`server` applies only to kind mcp";
  if (rule.tool && kinds && !kinds.has("mcp") && !kinds.has("tool"))
    return "`tool` applies only to kinds mcp and tool";
  if (rule.whenSource && !readsInput(rule.whenSource)) {
    const c = compileCondition(rule.whenSource);
    if (c.ok && safe(() => c.condition({ action: {}, facts: {}, agent: {} })) === false)
      return "its condition is always false";
  }
  if (rule.environment) {
    const agents =
      rule.agents === "*"
        ? [...policy.agents.values()]
        : [...rule.agents].map((id) => policy.agents.get(id));
    const envs = agents.map((a) => a?.environment);
    // Agents bound to an environment act only there, so a rule for other environments is dead.
    if (envs.length > 0 && envs.every((e) => e !== undefined && !rule.environment?.test(e))) {
      return `its agents act only in ${[...new Set(envs)].join(", ")}`;
    }
  }
  return undefined;
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/** Whether every action `b` matches is also matched by `a` (conservative: false when unsure). */
function covers(a: CompiledRule, b: CompiledRule): boolean {
  if (a.mode !== b.mode) return false;
  if (a.whenSource !== undefined && a.whenSource !== b.whenSource) return false;
  if (
    a.agents !== "*" &&
    (b.agents === "*" || ![...b.agents].every((id) => (a.agents as ReadonlySet<string>).has(id)))
  )
    return false;
  if (a.kinds && (!b.kinds || ![...b.kinds].every((k) => a.kinds?.has(k)))) return false;
  if (
    !globsCover(a.server, b.server) ||
    !globsCover(a.tool, b.tool) ||
    !globsCover(a.environment, b.environment)
  )
    return false;
  if (a.categories && !b.categories?.every((c) => a.categories?.includes(c))) return false;
  if (a.flags && (!b.flags || !a.flags.every((f) => b.flags?.includes(f)))) return false;
  for (const t of a.targets) {
    const other = b.targets.find((x) => x.kind === t.kind);
    if (!globsCover(t.globs, other?.globs)) return false;
  }
  return true;
}

/** `a` matches everything `b` does: `a` is absent, or each of `b`'s patterns is within `a`. */
function globsCover(a: GlobSet | undefined, b: GlobSet | undefined): boolean {
  if (!a) return true;
  if (!b) return false;
  const universal = a.patterns.includes("**");
  return b.patterns.every(
    (p) => universal || a.patterns.includes(p) || (b.literals.includes(p) && a.test(p)),
  );
}

/**
 * Categories with no unconditional, enforced deny/approval rule for this agent, and that no
 * rule for the agent names explicitly (naming one, even to allow it, is a deliberate decision).
 */
function uncovered(agent: CompiledAgent, policy: Policy): CategoryId[] {
  const applies = (r: CompiledRule) => r.agents === "*" || r.agents.has(agent.id);
  const hasAllow =
    agent.default !== "deny" || policy.rules.some((r) => applies(r) && r.effect === "allow");
  if (!hasAllow) return [];
  return CATEGORY_IDS.filter(
    (c) =>
      !policy.rules.some((r) => applies(r) && r.origin === "rule" && r.categories?.includes(c)) &&
      !policy.rules.some(
        (r) =>
          applies(r) &&
          r.effect !== "allow" &&
          r.mode === "enforce" &&
          r.categories?.includes(c) &&
          !r.when &&
          !r.kinds &&
          !r.server &&
          !r.tool &&
          !r.environment &&
          !r.flags &&
          r.targets.length === 0,
      ),
  );
}
