import type { Action } from "../envelope.js";
import type { Facts } from "../facts.js";
import {
  type CompiledAgent,
  type CompiledRule,
  DEFAULT_APPROVAL,
  type KindBucket,
  type Policy,
} from "../policy/model.js";
import { EFFECT_RANK, type Effect } from "../policy/schema.js";
import type { Decision, DecisionState, Usage } from "./decision.js";
import { usageOf, withLimits } from "./limits.js";
import type { Outcome } from "./outcome.js";
import { withTaint } from "./session.js";

const NO_STATE: DecisionState = {};

/**
 * Decides one action. Pure and synchronous: the same policy, action, facts and state give the
 * same decision. Order of precedence: identity, then every matching rule (deny > approval >
 * allow), then the agent's default. A missing or malformed `facts` means the analyzers failed
 * and is treated as opaque by the caller (see analyzeSafely); here only facts are read.
 */
export function decide(
  policy: Policy,
  action: Action,
  facts: Facts,
  state: DecisionState = NO_STATE,
): Decision {
  const agent = policy.agents.get(action.agent) ?? policy.wildcard;
  if (!agent)
    return refuse(
      policy,
      facts,
      `unknown agent '${action.agent}': not declared in the policy, which has no wildcard agent`,
    );
  if (state.identity && state.identity.status !== "active") {
    return refuse(
      policy,
      facts,
      `agent '${action.agent}' is ${state.identity.status}${state.identity.reason ? `: ${state.identity.reason}` : ""}`,
    );
  }
  if (agent.environment && action.environment && agent.environment !== action.environment) {
    return refuse(
      policy,
      facts,
      `agent '${action.agent}' is registered for environment '${agent.environment}', not '${action.environment}'`,
    );
  }

  const m = new Matcher(action, facts, agent);
  m.visitIndex();
  const usage = agent.limits.length > 0 ? usageOf(m) : [];
  const agentShadow = agent.mode === "shadow" || policy.mode === "shadow";
  const gate = (o: Outcome) =>
    withTaint(
      withLimits(o, usage, agent.limits, state),
      policy.taints,
      action.agent,
      facts,
      state.session,
    );
  const enforced = gate(m.outcome(false));
  if (!agentShadow && m.shadowMatches === 0)
    return build(policy, facts, enforced, "enforce", undefined, m.errors, usage);
  const would = gate(m.outcome(true));
  if (agentShadow) {
    const shadow = { decision: would.effect, rules: would.rules, reason: would.reason };
    return build(
      policy,
      facts,
      {
        effect: "allow",
        rules: [],
        reason: `shadow mode, not enforced: ${would.reason}`,
        approval: undefined,
      },
      "shadow",
      shadow,
      m.errors,
      usage,
    );
  }
  const differs = would.effect !== enforced.effect;
  const shadow = differs
    ? { decision: would.effect, rules: would.rules, reason: would.reason }
    : undefined;
  return build(policy, facts, enforced, "enforce", shadow, m.errors, usage);
}

/** Which counters an action would count against, for the adapter to read before deciding. */
export function limitUsage(policy: Policy, action: Action, facts: Facts): Usage[] {
  const agent = policy.agents.get(action.agent) ?? policy.wildcard;
  if (!agent || agent.limits.length === 0) return [];
  return usageOf(new Matcher(action, facts, agent));
}

export class Matcher {
  readonly matched: CompiledRule[] = [];
  shadowMatches = 0;
  errors: string[] | undefined;
  private celInput: { action: unknown; facts: unknown; agent: unknown } | undefined;

  constructor(
    readonly action: Action,
    readonly facts: Facts,
    readonly agent: CompiledAgent,
  ) {}

  visitIndex(): void {
    const { index } = this.agent;
    const cats = this.facts.categories;
    for (const c of cats) {
      const list = index.byCategory.get(c);
      if (!list) continue;
      // A rule listed under several categories is visited under the first one present.
      for (const rule of list) if (firstPresent(rule, cats) === c) this.visit(rule);
    }
    const kindBucket = index.byKind.get(this.action.kind);
    if (kindBucket) this.visitBucket(kindBucket);
    this.visitBucket(index.anyKind);
  }

  private visitBucket(bucket: KindBucket): void {
    const tool = (this.action as { tool?: string }).tool;
    if (tool !== undefined && bucket.byTool.size > 0) {
      const list = bucket.byTool.get(tool);
      if (list) for (const rule of list) this.visit(rule);
    }
    for (const rule of bucket.other) this.visit(rule);
  }

  private visit(rule: CompiledRule): void {
    if (!this.matches(rule)) return;
    this.matched.push(rule);
    if (rule.mode === "shadow") this.shadowMatches++;
  }

  matches(rule: CompiledRule): boolean {
    const a = this.action;
    if (rule.kinds && !rule.kinds.has(a.kind)) return false;
    if (rule.server && !(a.kind === "mcp" && rule.server.test(a.server))) return false;
    if (rule.tool && !((a.kind === "mcp" || a.kind === "tool") && rule.tool.test(a.tool)))
      return false;
    if (rule.environment) {
      const env = a.environment ?? this.agent.environment;
      if (env === undefined || !rule.environment.test(env)) return false;
    }
    if (rule.categories && !rule.categories.some((c) => this.facts.categories.includes(c)))
      return false;
    if (rule.flags && !rule.flags.every((f) => this.facts.flags.includes(f))) return false;
    for (const t of rule.targets)
      if (!this.facts.targets[t.kind].some((v) => t.globs.test(v))) return false;
    if (rule.when) return this.condition(rule);
    return true;
  }

  /** The input CEL expressions see, built once per decision. */
  cel(): { action: unknown; facts: unknown; agent: unknown } {
    this.celInput ??= {
      action: this.action,
      facts: this.facts,
      agent:
        this.agent.id === "*" ? { ...this.agent.view, id: this.action.agent } : this.agent.view,
    };
    return this.celInput;
  }

  /** A condition that cannot be evaluated counts as matched for deny/approval, unmatched for allow. */
  private condition(rule: CompiledRule): boolean {
    try {
      return (rule.when as NonNullable<CompiledRule["when"]>)(this.cel());
    } catch (error) {
      const failSafe = rule.effect !== "allow";
      this.errors ??= [];
      this.errors.push(
        `rule '${rule.id}': condition failed (${firstLine(error)}); treated as ${failSafe ? "matched" : "not matched"}`,
      );
      return failSafe;
    }
  }

  /** Combines matched rules by precedence; `withShadow` also counts shadow-mode rules. */
  outcome(withShadow: boolean): Outcome {
    let best: Effect | undefined;
    for (const r of this.matched) {
      if (r.mode === "shadow" && !withShadow) continue;
      if (best === undefined || EFFECT_RANK[r.effect] > EFFECT_RANK[best]) best = r.effect;
    }
    if (best === undefined) {
      return {
        effect: this.agent.default,
        rules: [],
        reason: `no rule matched; the default for agent '${this.agent.id}' is ${this.agent.default}`,
        approval: this.agent.default === "approval" ? DEFAULT_APPROVAL : undefined,
      };
    }
    const deciding: CompiledRule[] = [];
    for (const r of this.matched) {
      if (r.effect === best && (withShadow || r.mode !== "shadow")) deciding.push(r);
    }
    // Buckets are visited by category, then kind: restore policy order for the report.
    if (deciding.length > 1) deciding.sort((x, y) => x.order - y.order);
    const first = deciding[0] as CompiledRule;
    return {
      effect: best,
      rules: deciding.map((r) => r.id),
      reason: reasonFor(first, this.facts),
      approval: best === "approval" ? strictest(deciding) : undefined,
    };
  }
}

/** The rule's own words, or what it is; with the analyzers' finding for the category crossed. */
function reasonFor(rule: CompiledRule, facts: Facts): string {
  const crossed = rule.categories?.filter((c) => facts.categories.includes(c)) ?? [];
  const finding = facts.findings.find((f) => crossed.includes(f.category));
  if (rule.reason)
    return finding ? `${rule.reason} (${finding.category}: ${finding.reason})` : rule.reason;
  const what = rule.origin === "redline" ? `red line ${crossed.join(", ")}` : `rule '${rule.id}'`;
  const detail = finding?.reason ?? rule.description;
  return `${verb(rule.effect)} by ${what}${detail ? `: ${detail}` : ""}`;
}

function strictest(rules: CompiledRule[]): Decision["approval"] {
  let quorum = 1;
  let expiresSeconds = Number.POSITIVE_INFINITY;
  for (const r of rules) {
    if (!r.approval) continue;
    quorum = Math.max(quorum, r.approval.quorum);
    expiresSeconds = Math.min(expiresSeconds, r.approval.expiresSeconds);
  }
  return {
    quorum,
    expiresSeconds: Number.isFinite(expiresSeconds)
      ? expiresSeconds
      : DEFAULT_APPROVAL.expiresSeconds,
  };
}

function firstPresent(rule: CompiledRule, cats: readonly string[]): string | undefined {
  for (const c of rule.categories ?? []) if (cats.includes(c)) return c;
  return undefined;
}

function verb(effect: Effect): string {
  return effect === "allow" ? "allowed" : effect === "deny" ? "denied" : "approval required";
}

function refuse(policy: Policy, facts: Facts, reason: string): Decision {
  return build(
    policy,
    facts,
    { effect: "deny", rules: [], reason, approval: undefined },
    "enforce",
    undefined,
    undefined,
  );
}

function build(
  policy: Policy,
  facts: Facts,
  o: Outcome,
  mode: Decision["mode"],
  shadow: Decision["shadow"],
  errors: string[] | undefined,
  usage: Usage[] = [],
): Decision {
  const d: Decision = {
    decision: o.effect,
    categories: [...facts.categories],
    rules: o.rules,
    reason: o.reason,
    policyHash: policy.hash,
    mode,
  };
  if (shadow) d.shadow = shadow;
  if (o.approval) d.approval = o.approval;
  if (errors) d.errors = errors;
  if (usage.length > 0) d.usage = usage;
  return d;
}

function firstLine(error: unknown): string {
  const s = error instanceof Error ? error.message : String(error);
  return s.split("\n")[0] ?? s;
}
