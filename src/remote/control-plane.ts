import type { Action } from "../core/envelope.js";
import { emptyFacts } from "../core/facts.js";
import type { Decider, Enforced } from "../enforce/enforcer.js";
import type { ListFilter } from "../mcp/filter.js";
import type { ApprovalGate, CredentialCheck, SessionDeps } from "../mcp/session.js";
import { awaitRelease, type Call, errorOf, type Reply } from "./approval-wait.js";

/**
 * An enforcement point on a remote control plane (`redline serve`) instead of a local state
 * directory, with the same semantics: the server decides and records before it answers; an
 * approval is waited on and released through it, once. Every failure to reach it is a denial.
 */
export class ControlPlaneClient {
  private readonly base: URL;

  constructor(
    server: string,
    private readonly o: { timeoutMs?: number; log?: (line: string) => void } = {},
  ) {
    this.base = new URL(server.endsWith("/") ? server : `${server}/`);
  }

  /** The agent a token proves now, or why not. */
  async whoami(token: string): Promise<CredentialCheck & { agent?: string }> {
    try {
      const r = await this.call("GET", "v1/whoami", token);
      if (r.status === 200)
        return { ok: true, agent: String((r.body as { agent: unknown }).agent) };
      return { ok: false, reason: errorOf(r), identity: { status: "revoked" } };
    } catch (error) {
      return { ok: false, reason: unreachable(error), identity: { status: "revoked" } };
    }
  }

  /** The pieces of one agent session, calling the server with the session's latest token. */
  session(token: () => string, log: (line: string) => void): Omit<SessionDeps, "log"> {
    return {
      enforcer: this.decider(token),
      filter: this.filter(token),
      approvals: this.gate(token),
      outcome: (action, e, failed, error) =>
        void this.call("POST", "v1/outcomes", token(), {
          actionHash: e.actionHash,
          decisionSeq: e.entry?.seq,
          session: action.session,
          outcome: failed ? "failed" : "completed",
          ...(error ? { error } : {}),
        }).catch((err: unknown) => log(`control plane: outcome not recorded: ${unreachable(err)}`)),
    };
  }

  private decider(token: () => string): Decider {
    return {
      decide: async (action: Action): Promise<Enforced> => {
        const at = Date.now();
        try {
          const r = await this.call("POST", "v1/decisions", token(), action);
          if (r.status !== 200)
            return denied(at, `the control plane refused the action: ${errorOf(r)}`);
          const b = r.body as Enforced["decision"] & {
            actionHash: string;
            auditSeq: number | null;
            facts?: Enforced["facts"];
            approval?: Enforced["approval"];
          };
          const { actionHash, auditSeq, facts, approval, ...decision } = b;
          const e: Enforced = { decision, facts: facts ?? emptyFacts(), actionHash, at };
          if (auditSeq !== null) e.entry = { seq: auditSeq } as Enforced["entry"];
          if (approval) e.approval = approval;
          return e;
        } catch (error) {
          return denied(at, `denied: the control plane is unreachable (${unreachable(error)})`);
        }
      },
      // The server counted the action when it decided (or released the approval).
      release: async () => undefined,
    };
  }

  private gate(token: () => string): ApprovalGate {
    return {
      hold: async ({ action, enforced, signal, waiting }) => {
        const a = enforced.approval;
        if (!a) return { granted: false, reason: "the control plane opened no approval request" };
        if (a.status === "used") return { granted: true, id: a.id };
        const started = Date.now();
        // A cancel abandons the long poll; a release, once sent, is seen through.
        const call: Call = (method, path, body, timeoutMs) =>
          this.call(method, path, token(), body, method === "GET" ? signal : undefined, timeoutMs);
        try {
          const w = await awaitRelease(call, a.id, action, {
            signal,
            polling: () =>
              waiting?.({ id: a.id, elapsedMs: Date.now() - started, expiresAt: a.expiresAt }),
          });
          if (w.granted) return { granted: true, id: a.id };
          if (w.kind === "cancelled") return { granted: false, id: a.id, reason: w.why };
          return {
            granted: false,
            id: a.id,
            reason:
              w.kind === "unusable"
                ? `approval ${a.id} was granted but cannot be used: ${w.why}`
                : `approval ${a.id}: ${w.why}`,
          };
        } catch (error) {
          if (signal.aborted)
            return { granted: false, id: a.id, reason: "the held call was cancelled" };
          return {
            granted: false,
            id: a.id,
            reason: `approval ${a.id}: the control plane is unreachable (${unreachable(error)})`,
          };
        }
      },
    };
  }

  /** An unreachable server hides everything: a list is never shown unfiltered. */
  private filter(token: () => string): ListFilter {
    const ask = async (server: string, body: Record<string, unknown>) => {
      try {
        const r = await this.call("POST", "v1/visibility", token(), { server, ...body });
        return r.status === 200 ? (r.body as Record<string, unknown>) : undefined;
      } catch (error) {
        this.o.log?.(`control plane: lists hidden: ${unreachable(error)}`);
        return undefined;
      }
    };
    const list = async (key: string, server: string, items: readonly string[]) => {
      const r = await ask(server, { [key]: items });
      const v = r?.[key];
      return Array.isArray(v) ? items.map((_, i) => v[i] === true) : items.map(() => false);
    };
    return {
      tools: (server, names) => list("tools", server, names),
      prompts: (server, names) => list("prompts", server, names),
      resources: (server, uris) => list("resources", server, uris),
      templates: async (server) => (await ask(server, {}))?.templates === true,
    };
  }

  private async call(
    method: string,
    path: string,
    token: string,
    body?: unknown,
    signal?: AbortSignal,
    timeoutMs = this.o.timeoutMs ?? 10_000,
  ): Promise<Reply> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const res = await fetch(new URL(path, this.base), {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // an error page: kept as text
    }
    return { status: res.status, body: parsed };
  }
}

function denied(at: number, reason: string): Enforced {
  return {
    decision: {
      decision: "deny",
      categories: [],
      rules: [],
      reason,
      policyHash: "",
      mode: "enforce",
    },
    facts: emptyFacts(),
    actionHash: "",
    at,
  };
}

function unreachable(error: unknown): string {
  const e = error as { message?: string; cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(error);
}
