import { recordEvent } from "../audit/record.js";
import type { Policy } from "../core/policy/model.js";
import type { AgentRegistry, AgentState, AgentView, AuditLog, PanicState } from "../store/ports.js";
import type { SigningKeys } from "./keys.js";
import { BOOTSTRAP_PREFIX, hashSecret, newSecret, verifySecret } from "./secrets.js";
import {
  AgentTokenVerifier,
  type IssuedToken,
  MAX_TTL_MS,
  policyKnows,
  recordRefusal,
  signAgentToken,
  type TokenRefusal,
  type VerifyResult,
} from "./tokens.js";

/**
 * Agent identity operations for a composition root (CLI, gateways): issue, verify, bootstrap
 * and exchange, suspend, resume, panic. Each change and each refusal is an audit entry.
 */

export interface AgentIdentityOptions {
  agents: AgentRegistry;
  audit: AuditLog;
  keys: SigningKeys;
  /** Agents come from the policy: a credential for an agent it does not list is refused. */
  policy: Policy;
  clock?: () => number;
  /** Who is acting (recorded as `by`); default "operator". */
  actor?: string;
}

/** A refused operation, as data (a refusal also has its audit entry). */
export class IdentityRefused extends Error {
  constructor(readonly refusal: TokenRefusal) {
    super(refusal.reason);
    this.name = "IdentityRefused";
  }
}

export interface AgentSummary extends AgentState {
  /** In the policy (false: state left behind by an agent the policy no longer lists). */
  inPolicy: boolean;
  owner?: string;
  environment?: string;
}

export class AgentIdentity {
  readonly verifier: AgentTokenVerifier;
  private readonly clock: () => number;
  private readonly actor: string;

  constructor(private readonly o: AgentIdentityOptions) {
    this.clock = o.clock ?? Date.now;
    this.actor = o.actor ?? "operator";
    this.verifier = new AgentTokenVerifier({
      keys: o.keys,
      agents: o.agents,
      audit: o.audit,
      policy: o.policy,
      clock: this.clock,
    });
  }

  /** Declared in the policy, or admitted by its `*` agent. */
  knows(agent: string): boolean {
    return policyKnows(this.o.policy, agent);
  }

  /** Policy agents with their runtime state, plus any stored agent the policy dropped. */
  async list(): Promise<{ agents: AgentSummary[]; panic: PanicState }> {
    const stored = new Map((await this.o.agents.list()).map((s) => [s.agent, s]));
    const out: AgentSummary[] = [];
    for (const a of this.o.policy.agents.values()) {
      if (a.id === "*") continue;
      const s = stored.get(a.id) ?? { agent: a.id, status: "active" as const };
      stored.delete(a.id);
      out.push({
        ...s,
        inPolicy: true,
        ...defined({ owner: a.owner, environment: a.environment }),
      });
    }
    for (const s of stored.values()) out.push({ ...s, inPolicy: false });
    out.sort((a, b) => a.agent.localeCompare(b.agent));
    return { agents: out, panic: await this.o.agents.panic() };
  }

  async show(agent: string): Promise<AgentSummary & { panic: PanicState }> {
    this.mustKnow(agent);
    const view: AgentView = await this.o.agents.view(agent);
    const a = this.o.policy.agents.get(agent);
    return {
      ...view,
      inPolicy: this.o.policy.agents.has(agent),
      ...defined({ owner: a?.owner, environment: a?.environment }),
    };
  }

  /** Issues a token, unless the agent is unknown, suspended, quarantined or in a panic. */
  async issue(agent: string, ttlMs?: number): Promise<IssuedToken> {
    const now = this.clock();
    await this.mayHaveToken(agent, now);
    if (ttlMs !== undefined && !(ttlMs >= 1000 && ttlMs <= MAX_TTL_MS))
      throw new RangeError(
        `--ttl must be between 1s and ${MAX_TTL_MS / 60_000}m (tokens are short-lived)`,
      );
    const issued = await signAgentToken(this.o.keys, {
      agent,
      now,
      ttlMs,
      policyHash: this.o.policy.hash,
    });
    await recordEvent(this.o.audit, {
      kind: "token.issued",
      at: now,
      agent,
      policyHash: this.o.policy.hash,
      data: { jti: issued.claims.jti, kid: issued.kid, exp: issued.claims.exp, by: this.actor },
    });
    return issued;
  }

  verify(token: string, expectAgent?: string): Promise<VerifyResult> {
    return this.verifier.verify(token, expectAgent);
  }

  /** A new bootstrap secret for the agent (replacing any old one): returned once, stored hashed. */
  async bootstrap(agent: string): Promise<string> {
    this.mustKnow(agent);
    const now = this.clock();
    const secret = newSecret(BOOTSTRAP_PREFIX);
    await this.o.agents.setBootstrapHash(agent, await hashSecret(secret), now);
    await recordEvent(this.o.audit, {
      kind: "agent.bootstrap",
      at: now,
      agent,
      data: { by: this.actor },
    });
    return secret;
  }

  /**
   * Exchanges the agent's bootstrap secret for a fresh token: how an agent renews without
   * downtime. A wrong secret, an agent without one and an unknown agent take the same time.
   */
  async exchange(agent: string, secret: string, ttlMs?: number): Promise<IssuedToken> {
    const now = this.clock();
    const stored = this.knows(agent) ? await this.o.agents.bootstrapHash(agent) : undefined;
    if (!(await verifySecret(secret.trim(), stored))) {
      const refusal: TokenRefusal = {
        code: "bad-secret",
        reason: `bootstrap secret refused for agent '${agent}'`,
        agent,
      };
      await recordRefusal(this.o.audit, refusal, now);
      throw new IdentityRefused(refusal);
    }
    return this.issue(agent, ttlMs);
  }

  /** Suspends or quarantines the agent and kills every token it holds. */
  async suspend(
    agent: string,
    reason?: string,
    status: "suspended" | "quarantined" = "suspended",
  ): Promise<AgentState> {
    this.mustKnow(agent);
    const at = this.clock();
    const state = await this.o.agents.setStatus(agent, status, { by: this.actor, reason, at });
    await recordEvent(this.o.audit, {
      kind: status === "suspended" ? "agent.suspended" : "agent.quarantined",
      at,
      agent,
      reason,
      data: { by: this.actor, revokedBefore: at },
    });
    return state;
  }

  /** Resumes the agent; tokens from before its suspension stay dead. */
  async resume(agent: string, reason?: string): Promise<AgentState> {
    this.mustKnow(agent);
    const at = this.clock();
    const state = await this.o.agents.setStatus(agent, "active", { by: this.actor, reason, at });
    await recordEvent(this.o.audit, {
      kind: "agent.resumed",
      at,
      agent,
      reason,
      data: { by: this.actor },
    });
    return state;
  }

  async panic(reason?: string): Promise<PanicState> {
    const at = this.clock();
    const state = await this.o.agents.startPanic({ by: this.actor, reason, at });
    await recordEvent(this.o.audit, {
      kind: "panic.started",
      at,
      agent: "*",
      reason,
      data: { by: this.actor, revokedBefore: at },
    });
    return state;
  }

  async clearPanic(reason?: string): Promise<PanicState> {
    const at = this.clock();
    const state = await this.o.agents.endPanic({ by: this.actor, reason, at });
    await recordEvent(this.o.audit, {
      kind: "panic.cleared",
      at,
      agent: "*",
      reason,
      data: { by: this.actor },
    });
    return state;
  }

  private mustKnow(agent: string): void {
    if (!this.knows(agent))
      throw new IdentityRefused({
        code: "unknown-agent",
        reason: `agent '${agent}' is not in the policy`,
        agent,
      });
  }

  private async mayHaveToken(agent: string, now: number): Promise<void> {
    let refusal: TokenRefusal | undefined;
    if (!this.knows(agent))
      refusal = { code: "unknown-agent", reason: `agent '${agent}' is not in the policy`, agent };
    else {
      const view = await this.o.agents.view(agent);
      if (view.panic.active)
        refusal = { code: "suspended", reason: "every agent is suspended (panic)", agent };
      else if (view.status !== "active")
        refusal = { code: view.status, reason: `agent '${agent}' is ${view.status}`, agent };
    }
    if (refusal) {
      await recordRefusal(this.o.audit, refusal, now);
      throw new IdentityRefused(refusal);
    }
  }
}

function defined<T extends object>(o: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as Partial<T>;
}
