import type { AuditEntry } from "../audit/entry.js";
import { recordDecision } from "../audit/record.js";
import { decide, limitUsage } from "../core/engine/decide.js";
import type { Decision, DecisionState, Usage } from "../core/engine/decision.js";
import { type Action, actionHash } from "../core/envelope.js";
import type { Analyzer, Facts } from "../core/facts.js";
import type { Policy } from "../core/policy/model.js";
import type { CircuitBreaker } from "../identity/breaker.js";
import type { AuditLog, Counters, Reservation, SessionFacts } from "../store/ports.js";

/** What an enforcement point gets back: the decision to act on, and the proof it was recorded. */
export interface Enforced {
  decision: Decision;
  facts: Facts;
  actionHash: string;
  /** The decision's audit entry; absent when the enforcer records nothing (eval without --record). */
  entry?: AuditEntry;
  /** Why the audit write failed (the decision is then deny). */
  auditError?: string;
  /** When the decision was taken (epoch ms): counters of a later release count from here. */
  at: number;
  /** From a control plane: the approval request it opened, or the grant it used for this action. */
  approval?: { id: string; status: "pending" | "used"; expiresAt: number };
  /** The allowed action's usage is already counted (taken when it was decided): not again. */
  reserved?: boolean;
}

/** What an enforcement point decides with: this process's Enforcer, or a control plane's. */
export interface Decider {
  decide(action: Action, identity?: DecisionState["identity"]): Promise<Enforced>;
  release(action: Action, e: Enforced): Promise<void>;
}

/** The policy and analyzer in force; swapped whole on a hot reload. */
export interface PolicyView {
  policy: Policy;
  analyze: Analyzer;
}

export interface EnforcerParts {
  current: () => PolicyView;
  counters: Counters;
  sessions: SessionFacts;
  breaker: CircuitBreaker;
  /** Absent: decisions are not recorded (only `redline eval` without --record does this). */
  audit?: AuditLog;
  clock?: () => number;
}

/**
 * The composition every enforcement point shares: analyze, read the counters, session taint
 * and identity the engine needs, decide, record the decision durably (a failed write denies),
 * feed denials to the circuit breaker. `release` does what follows an action being let through.
 */
export class Enforcer implements Decider {
  private readonly clock: () => number;

  constructor(private readonly p: EnforcerParts) {
    this.clock = p.clock ?? Date.now;
  }

  get policy(): Policy {
    return this.p.current().policy;
  }

  /**
   * `identity`: what the enforcement point's credential check found from the agent's stored
   * state (active, or why not). Without one (no credential, e.g. `redline eval`), the stored
   * state and the breaker are read here.
   */
  async decide(action: Action, identity?: DecisionState["identity"]): Promise<Enforced> {
    const { policy, analyze } = this.p.current();
    const facts = analyze(action);
    const at = this.clock();
    const state: DecisionState = {
      usage: await readUsage(this.p.counters, limitUsage(policy, action, facts), at),
      session: action.session
        ? (await this.p.sessions.get(action.session)).map((f) => f.fact)
        : undefined,
      // A credential check already read the agent's state: it is not read twice.
      identity: identity ?? (await this.p.breaker.identity(action.agent)),
    };
    let decision = decide(policy, action, facts, state);
    // An allow within its limits takes its share now, atomically: the counters read above
    // may be stale by the time concurrent actions of the agent (here or in another process)
    // are counted, and a cap of 3 must not let 10 parallel calls through.
    let reserved = false;
    if (decision.decision === "allow" && decision.usage && decision.usage.length > 0) {
      const r = await this.p.counters.reserve(reservations(policy, decision.usage, at), at);
      reserved = r.ok;
      if (!r.ok) {
        decision = decide(policy, action, facts, { ...state, usage: r.usage });
        if (decision.decision === "allow")
          decision = { ...decision, decision: "deny", reason: "its limits could not be reserved" };
      }
    }
    const stateDenied = state.identity !== undefined && state.identity.status !== "active";
    if (!this.p.audit) {
      await this.afterDecision(action, decision, stateDenied, at);
      return { decision, facts, actionHash: actionHash(action), at, reserved };
    }
    const r = await recordDecision(this.p.audit, { action, facts, decision, at });
    await this.afterDecision(action, r.decision, stateDenied, at);
    return { ...r, facts, at, reserved };
  }

  /** An action let through: it counts against its limits and taints its session. */
  async release(
    action: Action,
    e: Pick<Enforced, "facts" | "decision" | "at" | "reserved">,
  ): Promise<void> {
    if (!e.reserved)
      for (const u of e.decision.usage ?? []) await this.p.counters.add(u.key, e.at, u.amount);
    const taint = [...e.facts.categories, ...e.facts.flags];
    if (action.session && taint.length > 0) await this.p.sessions.add(action.session, taint, e.at);
  }

  private async afterDecision(
    action: Action,
    d: Decision,
    identityRefused: boolean,
    at: number,
  ): Promise<void> {
    // Identity refusals do not feed the breaker: a quarantined agent would never get out.
    if (d.decision === "deny" && !identityRefused) await this.p.breaker.denied(action.agent, at);
  }
}

const limitsById = new WeakMap<Policy, Map<string, number>>();

/** What the allowed action takes from each of its limits, with each limit's max. */
function reservations(policy: Policy, usage: readonly Usage[], at: number): Reservation[] {
  let max = limitsById.get(policy);
  if (!max) {
    max = new Map(policy.limits.map((l) => [l.id, l.max]));
    limitsById.set(policy, max);
  }
  return usage.map((u) => ({
    key: u.key,
    since: at - u.windowSeconds * 1000,
    amount: u.amount,
    // A limit the policy does not know cannot be checked: nothing fits (fail closed).
    max: max.get(u.limit) ?? Number.NEGATIVE_INFINITY,
  }));
}

/** What each limit's counter holds in its window, for the engine (which reads no store). */
async function readUsage(
  counters: Counters,
  usage: Usage[],
  now: number,
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const u of usage) out[u.key] = await counters.sum(u.key, now - u.windowSeconds * 1000);
  return out;
}
