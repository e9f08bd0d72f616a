import { EventEmitter } from "node:events";
import { recordEvent } from "../audit/record.js";
import type { DecisionState } from "../core/engine/decision.js";
import type { AgentRegistry, AuditLog, Counters } from "../store/ports.js";

export interface Quarantine {
  agent: string;
  at: number;
  reason: string;
}

/**
 * The circuit breaker (DESIGN.md step 6): a burst of denials quarantines the agent, and every
 * further action is denied until a human resumes it (`redline agents resume`). The quarantine
 * is an audit entry and a `quarantine` event for other components (notifications, dashboards).
 * Without a registry (a run with no state directory) quarantines are kept in memory.
 */
export interface BreakerSettings {
  denials: number;
  windowSeconds: number;
}

export class CircuitBreaker extends EventEmitter<{ quarantine: [Quarantine] }> {
  private readonly held = new Map<string, Quarantine>();

  /** `settings` as a function: read at each denial, so a reloaded policy's breaker applies. */
  constructor(
    private readonly settings: BreakerSettings | (() => BreakerSettings),
    private readonly counters: Counters,
    private readonly registry?: AgentRegistry,
    private readonly audit?: AuditLog,
  ) {
    super();
  }

  /** The identity the engine should see for this agent: quarantined once the breaker tripped. */
  async identity(agent: string): Promise<DecisionState["identity"]> {
    const view = this.registry ? await this.registry.view(agent) : undefined;
    if (view?.panic.active)
      return { status: "suspended", reason: "every agent is suspended (panic)" };
    if (view && view.status !== "active")
      return { status: view.status, reason: view.change?.reason ?? "" };
    const held = this.held.get(agent);
    return held ? { status: "quarantined", reason: held.reason } : undefined;
  }

  /** Counts a denial; when the window holds enough of them, quarantines the agent. */
  async denied(agent: string, at: number): Promise<Quarantine | undefined> {
    const key = `breaker/${agent}`;
    await this.counters.add(key, at);
    const { denials, windowSeconds } =
      typeof this.settings === "function" ? this.settings() : this.settings;
    const count = await this.counters.sum(key, at - windowSeconds * 1000);
    if (count < denials) return undefined;
    const q: Quarantine = {
      agent,
      at,
      reason: `circuit breaker: ${count} denials within ${windowSeconds}s`,
    };
    if (this.registry)
      await this.registry.setStatus(agent, "quarantined", { by: "redline", reason: q.reason, at });
    else this.held.set(agent, q);
    if (this.audit)
      await recordEvent(this.audit, { kind: "agent.quarantined", at, agent, reason: q.reason });
    this.emit("quarantine", q);
    return q;
  }
}
