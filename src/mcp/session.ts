import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { DecisionState } from "../core/engine/decision.js";
import type { Action } from "../core/envelope.js";
import type { Decider, Enforced } from "../enforce/enforcer.js";
import { type Actor, actionFor } from "./actions.js";
import type { ListFilter } from "./filter.js";
import { mergeInitialize, withListChanged } from "./initialize.js";
import { Routes } from "./routes.js";
import {
  CODES,
  errorResponse,
  isError,
  isNotification,
  isRequest,
  isResponse,
  type JSONRPCMessage,
  type Notification,
  progressToken,
  type Request,
  type RequestId,
  type Response,
  resultResponse,
} from "./rpc.js";
import { Upstream, type UpstreamOptions, type UpstreamSpec } from "./upstream.js";

/** How a held call waits for a human (see hold.ts): the only coupling to approvals. */
export interface ApprovalGate {
  hold(args: {
    action: Action;
    enforced: Enforced;
    signal: AbortSignal;
    waiting?: (w: { id: string; elapsedMs: number; expiresAt: number }) => void;
  }): Promise<{ granted: true; id: string } | { granted: false; id?: string; reason: string }>;
}

export type CredentialCheck =
  | { ok: true }
  | { ok: false; reason: string; identity: NonNullable<DecisionState["identity"]> };

/** What a session decides with: local pieces (a state directory) or a control plane's. */
export interface SessionDeps {
  enforcer: Decider;
  filter: ListFilter;
  approvals: ApprovalGate;
  /** What the server answered a released call: recorded after the decision, off the hot path. */
  outcome(
    action: Action,
    e: Enforced,
    failed: boolean,
    error?: { code: number; message: string },
  ): void;
  log(line: string): void;
}

export interface SessionOptions {
  actor: Actor;
  upstreams: readonly UpstreamSpec[];
  upstream: UpstreamOptions;
  /** Checked on every request: a token can expire or be revoked mid-session. */
  credential(): Promise<CredentialCheck>;
  /** How often a held call sends progress (when the agent asked for it). */
  progressEveryMs?: number;
}

type ListKind = "tools" | "prompts" | "resources" | "resourceTemplates";
const LISTS: Record<string, ListKind> = {
  "tools/list": "tools",
  "prompts/list": "prompts",
  "resources/list": "resources",
  "resources/templates/list": "resourceTemplates",
};
const CAPABILITY: Record<ListKind, string> = {
  tools: "tools",
  prompts: "prompts",
  resources: "resources",
  resourceTemplates: "resources",
};
const GATED = new Set(["tools/call", "resources/read", "prompts/get"]);
const ACTIVE = { status: "active" } as const;

/** An agent request in flight. The abort controller exists only while a call is held. */
interface Live {
  up?: number;
  cancelled: boolean;
  abort?: AbortController;
}

/**
 * One agent's MCP session through the gateway: every message from the agent (downstream) and
 * from each upstream server is routed here. Gated requests become actions and are decided;
 * lists are filtered; everything else passes through with its ids mapped.
 */
export class GatewaySession {
  private readonly ups: Upstream[];
  private readonly routes: Routes;
  private capabilities: Record<string, unknown>[] = [];
  /** Requests the servers sent the agent, by the id the agent sees. */
  private readonly serverRequests = new Map<string, { up: number; id: RequestId }>();
  private nextServerRequest = 1;
  /** Agent requests being served: to cancel them (held or forwarded). */
  private readonly live = new Map<RequestId, Live>();
  private closed = false;
  private readonly closedListeners: (() => void)[] = [];

  constructor(
    private readonly down: Transport,
    private readonly deps: SessionDeps,
    private readonly o: SessionOptions,
  ) {
    this.routes = new Routes(o.upstreams.map((u) => u.name));
    this.ups = o.upstreams.map(
      (spec, i) =>
        new Upstream(
          spec,
          {
            request: (r) => this.fromServer(i, r),
            notification: (n) => void this.serverNotification(i, n),
            lost: (why) => deps.log(`${why}; its calls failed, the next one reconnects`),
          },
          o.upstream,
        ),
    );
    down.onmessage = (m) => void this.fromAgent(m);
    down.onclose = () => void this.close();
    down.onerror = (e) => deps.log(`agent connection: ${e.message}`);
  }

  start(): Promise<void> {
    return this.down.start();
  }

  /** Called once the session ends (the agent hung up, or close()). */
  onClosed(f: () => void): void {
    this.closedListeners.push(f);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const f of this.closedListeners) f();
    for (const l of this.live.values()) cancel(l);
    await Promise.all(this.ups.map((u) => u.close()));
    await this.down.close().catch(() => undefined);
  }

  /** The policy changed: lists the agent holds may be stale, so tell it to list again. */
  policyChanged(): void {
    for (const method of [
      "notifications/tools/list_changed",
      "notifications/prompts/list_changed",
      "notifications/resources/list_changed",
    ])
      void this.down.send({ jsonrpc: "2.0", method }).catch(() => undefined);
  }

  // --- from the agent -------------------------------------------------------------------

  private async fromAgent(m: JSONRPCMessage): Promise<void> {
    try {
      if (isRequest(m)) await this.agentRequest(m);
      else if (isNotification(m)) await this.agentNotification(m);
      else if (isResponse(m)) await this.agentResponse(m);
    } catch (error) {
      this.deps.log(`internal error: ${error instanceof Error ? error.stack : String(error)}`);
      if (isRequest(m))
        await this.reply(errorResponse(m.id, CODES.internal, "internal error in the gateway"));
    }
  }

  private async agentRequest(req: Request): Promise<void> {
    const cred = await this.o.credential();
    if (GATED.has(req.method)) return this.gated(req, cred);
    if (!cred.ok)
      return this.reply(
        errorResponse(req.id, CODES.unauthenticated, `not authorised: ${cred.reason}`),
      );
    const list = LISTS[req.method];
    if (list) return this.list(req, list);
    switch (req.method) {
      case "initialize":
        return this.initialize(req);
      case "ping":
        return this.routes.namespaced
          ? this.reply(resultResponse(req.id, {}))
          : this.forward(req, 0);
      case "logging/setLevel":
        return this.broadcast(req);
      case "resources/subscribe":
      case "resources/unsubscribe":
        return this.subscription(req);
      case "completion/complete":
        return this.completion(req);
      default:
        return this.forward(req, 0);
    }
  }

  private async agentNotification(n: Notification): Promise<void> {
    if (n.method === "notifications/cancelled") {
      const id = (n.params as { requestId?: RequestId } | undefined)?.requestId;
      const live = id === undefined ? undefined : this.live.get(id);
      if (!live || id === undefined) return;
      cancel(live);
      if (live.up === undefined) return;
      const up = this.ups[live.up] as Upstream;
      const upId = up.idFor(id);
      if (upId !== undefined)
        await up.notify({ ...n, params: { ...(n.params ?? {}), requestId: upId } });
      return;
    }
    await Promise.all(this.ups.map((u) => u.notify(n)));
  }

  /** The agent answered a server's request (sampling, elicitation, roots): back to its server. */
  private async agentResponse(r: Response): Promise<void> {
    const key = String(r.id);
    const origin = this.serverRequests.get(key);
    if (!origin) return;
    this.serverRequests.delete(key);
    await (this.ups[origin.up] as Upstream).respond({ ...r, id: origin.id });
  }

  // --- initialize, lists and the rest -----------------------------------------------------

  private async initialize(req: Request): Promise<void> {
    const answers = await Promise.all(
      this.ups.map((u) => u.request(req.method, req.params, req.id)),
    );
    this.capabilities = answers.map((a) =>
      isError(a)
        ? {}
        : (((a.result as { capabilities?: object }).capabilities ?? {}) as Record<string, unknown>),
    );
    if (!this.routes.namespaced) {
      const a = answers[0] as Response;
      return this.reply(
        isError(a) ? { ...a, id: req.id } : resultResponse(req.id, withListChanged(a.result)),
      );
    }
    const merged = mergeInitialize(
      this.o.upstreams.map((u) => u.name),
      answers,
    );
    for (const why of merged.failed) this.deps.log(why);
    if (!merged.result)
      return this.reply(errorResponse(req.id, CODES.upstream, merged.failed.join("; ")));
    return this.reply(resultResponse(req.id, merged.result));
  }

  /** Lists, filtered on every page; a merged list walks the upstreams in order. */
  private async list(req: Request, kind: ListKind): Promise<void> {
    const params = (req.params ?? {}) as Record<string, unknown>;
    const at = this.routes.namespaced ? this.routes.resume(params.cursor) : { index: 0 };
    if (!at) return this.reply(errorResponse(req.id, CODES.invalidParams, "invalid cursor"));
    let index = at.index;
    while (index < this.ups.length && this.routes.namespaced && !this.has(index, CAPABILITY[kind]))
      index++;
    if (index >= this.ups.length) return this.reply(resultResponse(req.id, { [kind]: [] }));
    const inner = this.routes.namespaced ? { ...params, cursor: at.inner } : params;
    if (inner.cursor === undefined) delete inner.cursor;
    const a = await (this.ups[index] as Upstream).request(req.method, inner, req.id);
    if (isError(a)) return this.reply({ ...a, id: req.id });
    const result = { ...(a.result as Record<string, unknown>) };
    result[kind] = await this.filter(index, kind, result[kind]);
    if (this.routes.namespaced) {
      const next = result.nextCursor as string | undefined;
      delete result.nextCursor;
      if (next !== undefined) result.nextCursor = this.routes.cursor(index, next);
      else if (index + 1 < this.ups.length)
        result.nextCursor = this.routes.cursor(index + 1, undefined);
    }
    return this.reply(resultResponse(req.id, result));
  }

  private async filter(index: number, kind: ListKind, items: unknown): Promise<unknown[]> {
    if (!Array.isArray(items)) return [];
    const server = this.o.upstreams[index]?.name as string;
    const list = items as Record<string, unknown>[];
    const f = this.deps.filter;
    if (kind === "resourceTemplates") {
      if (!(await f.templates(server))) return [];
      this.routes.sawTemplates(
        index,
        list.map((t) => String(t.uriTemplate)),
      );
      return list;
    }
    if (kind === "resources") {
      const ok = await f.resources(
        server,
        list.map((r) => String(r.uri)),
      );
      const out = list.filter((_, i) => ok[i] === true);
      for (const r of out) this.routes.sawResource(index, String(r.uri));
      return out;
    }
    const names = list.map((t) => String(t.name));
    const ok = await (kind === "tools" ? f.tools(server, names) : f.prompts(server, names));
    return list.flatMap((item, i) =>
      ok[i] === true ? [{ ...item, name: this.routes.outward(index, names[i] as string) }] : [],
    );
  }

  private async broadcast(req: Request): Promise<void> {
    const answers = await Promise.all(
      this.ups.map((u, i) =>
        this.has(i, "logging") || !this.routes.namespaced
          ? u.request(req.method, req.params, req.id)
          : undefined,
      ),
    );
    const failed = answers.find((a): a is Response => a !== undefined && isError(a));
    return this.reply(failed ? { ...failed, id: req.id } : resultResponse(req.id, {}));
  }

  private async subscription(req: Request): Promise<void> {
    const uri = String((req.params as { uri?: unknown } | undefined)?.uri);
    const index = this.routes.resource(uri, this.withCapability("resources"));
    const server = index === undefined ? undefined : this.o.upstreams[index]?.name;
    if (index === undefined || server === undefined || !(await this.one("resources", server, uri)))
      return this.reply(errorResponse(req.id, CODES.invalidParams, `unknown resource: ${uri}`));
    return this.forward(req, index);
  }

  /** Completions name a prompt or a resource template: one the agent cannot see is unknown. */
  private async completion(req: Request): Promise<void> {
    const ref = (req.params as { ref?: { type?: string; name?: string; uri?: string } } | undefined)
      ?.ref;
    if (ref?.type === "ref/prompt") {
      const named = this.routes.inward(String(ref.name));
      const server = named ? this.o.upstreams[named.index]?.name : undefined;
      if (!named || !server || !(await this.one("prompts", server, named.name)))
        return this.reply(
          errorResponse(req.id, CODES.invalidParams, `unknown prompt: ${ref.name}`),
        );
      const params = { ...(req.params as object), ref: { ...ref, name: named.name } };
      return this.forward({ ...req, params }, named.index);
    }
    const index = this.routes.resource(String(ref?.uri), this.withCapability("resources"));
    const server = index === undefined ? undefined : this.o.upstreams[index]?.name;
    if (index === undefined || !server || !(await this.deps.filter.templates(server)))
      return this.reply(
        errorResponse(req.id, CODES.invalidParams, `unknown resource: ${ref?.uri}`),
      );
    return this.forward(req, index);
  }

  private async forward(req: Request, index: number): Promise<void> {
    const live: Live = { up: index, cancelled: false };
    this.live.set(req.id, live);
    try {
      const a = await (this.ups[index] as Upstream).request(req.method, req.params, req.id);
      if (!live.cancelled) await this.reply({ ...a, id: req.id });
    } finally {
      this.live.delete(req.id);
    }
  }

  // --- gated requests -------------------------------------------------------------------

  private async gated(req: Request, cred: CredentialCheck): Promise<void> {
    const params = (req.params ?? {}) as Record<string, unknown>;
    const target = this.target(req.method, params);
    if ("error" in target)
      return this.reply(errorResponse(req.id, CODES.invalidParams, target.error));
    const server = this.o.upstreams[target.index]?.name as string;
    const built = actionFor(this.o.actor, server, req.method, target.name, params);
    if (!built.ok)
      return this.reply(
        errorResponse(req.id, CODES.invalidParams, `invalid ${req.method}: ${built.error}`),
      );
    const action = built.action;
    const e = await this.deps.enforcer.decide(action, cred.ok ? ACTIVE : cred.identity);
    if (e.auditError) this.deps.log(`audit write failed, call denied: ${e.auditError}`);
    const d = e.decision;
    if (d.decision === "deny")
      return this.reply(this.denial(req, d.reason, d.categories, d.rules, e));
    const live: Live = { cancelled: false };
    this.live.set(req.id, live);
    try {
      if (d.decision === "approval") {
        live.abort = new AbortController();
        const held = await this.hold(req, action, e, live.abort.signal);
        live.abort = undefined;
        if (live.cancelled) return;
        if (!held.granted)
          return this.reply(this.denial(req, held.reason, d.categories, d.rules, e, held.id));
      }
      await this.deps.enforcer.release(action, e);
      const inner = target.rename === undefined ? params : { ...params, name: target.rename };
      live.up = target.index;
      const a = await (this.ups[target.index] as Upstream).request(req.method, inner, req.id);
      // The agent has its answer first; what the call returned is recorded right after.
      if (!live.cancelled) await this.reply({ ...a, id: req.id });
      this.outcome(action, e, a);
    } finally {
      this.live.delete(req.id);
    }
  }

  /** Which upstream a gated request goes to and the name it has there. */
  private target(
    method: string,
    params: Record<string, unknown>,
  ): { index: number; name: string; rename?: string } | { error: string } {
    if (method === "resources/read") {
      if (typeof params.uri !== "string")
        return { error: "resources/read: params.uri must be a string" };
      const index = this.routes.resource(params.uri, this.withCapability("resources"));
      return index === undefined
        ? { error: `unknown resource: ${params.uri}` }
        : { index, name: "" };
    }
    if (typeof params.name !== "string")
      return { error: `${method}: params.name must be a string` };
    const named = this.routes.inward(params.name);
    if (!named)
      return { error: `unknown ${method === "tools/call" ? "tool" : "prompt"}: ${params.name}` };
    return this.routes.namespaced ? { ...named, rename: named.name } : named;
  }

  private async hold(req: Request, action: Action, e: Enforced, signal: AbortSignal) {
    const token = progressToken(req.params);
    let ticks = 0;
    const every = this.o.progressEveryMs ?? 5000;
    let last = -every;
    return this.deps.approvals.hold({
      action,
      enforced: e,
      signal,
      waiting:
        token === undefined
          ? undefined
          : (w) => {
              if (w.elapsedMs - last < every) return;
              last = w.elapsedMs;
              void this.down
                .send(
                  {
                    jsonrpc: "2.0",
                    method: "notifications/progress",
                    params: {
                      progressToken: token,
                      progress: ++ticks,
                      message: `waiting for a human to approve (request ${w.id}, expires ${new Date(w.expiresAt).toISOString()})`,
                    },
                  },
                  { relatedRequestId: req.id },
                )
                .catch(() => undefined);
            },
    });
  }

  /** A denied call never reaches the server: a tool gets an error result, the rest an error. */
  private denial(
    req: Request,
    reason: string,
    categories: readonly string[],
    rules: readonly string[],
    e: Enforced,
    approvalId?: string,
  ): Response {
    const line = categories.length > 0 ? ` (red line: ${categories.join(", ")})` : "";
    const text = `Redline denied this call${line}: ${reason}`;
    const data = {
      decision: "deny",
      categories,
      rules,
      reason,
      actionHash: e.actionHash,
      auditSeq: e.entry?.seq,
      ...(approvalId ? { approval: approvalId } : {}),
    };
    if (req.method === "tools/call")
      return resultResponse(req.id, {
        content: [{ type: "text", text }],
        isError: true,
        _meta: { "dev.redline/decision": data },
      });
    return errorResponse(req.id, CODES.denied, text, data);
  }

  private outcome(action: Action, e: Enforced, a: Response): void {
    const failed = isError(a) || (a.result as { isError?: unknown }).isError === true;
    const error = isError(a) ? { code: a.error.code, message: a.error.message } : undefined;
    this.deps.outcome(action, e, failed, error);
  }

  // --- from the servers -----------------------------------------------------------------

  private fromServer(index: number, req: Request): void {
    const id = `s${this.nextServerRequest++}`;
    this.serverRequests.set(id, { up: index, id: req.id });
    const related = (this.ups[index] as Upstream).relatedTo(progressToken(req.params));
    void this.down
      .send({ ...req, id }, related === undefined ? undefined : { relatedRequestId: related })
      .catch((error: unknown) => {
        this.serverRequests.delete(id);
        void (this.ups[index] as Upstream).respond(
          errorResponse(req.id, CODES.internal, `the agent could not be reached: ${String(error)}`),
        );
      });
  }

  private async serverNotification(index: number, n: Notification): Promise<void> {
    const up = this.ups[index] as Upstream;
    const server = this.o.upstreams[index]?.name as string;
    let related: RequestId | undefined;
    switch (n.method) {
      case "notifications/progress":
        related = up.relatedTo((n.params as { progressToken?: string | number }).progressToken);
        break;
      case "notifications/message":
        related = up.relatedTo();
        break;
      case "notifications/resources/updated":
        if (!(await this.one("resources", server, String((n.params as { uri?: unknown }).uri))))
          return;
        break;
      case "notifications/resources/list_changed":
        this.routes.forget(index);
        break;
      case "notifications/cancelled": {
        const id = (n.params as { requestId?: RequestId } | undefined)?.requestId;
        const mine = [...this.serverRequests].find(([, v]) => v.up === index && v.id === id);
        if (!mine) return;
        n = { ...n, params: { ...n.params, requestId: mine[0] } };
        break;
      }
    }
    await this.down
      .send(n, related === undefined ? undefined : { relatedRequestId: related })
      .catch(() => undefined);
  }

  // --- helpers --------------------------------------------------------------------------

  private async one(kind: "resources" | "prompts", server: string, item: string): Promise<boolean> {
    const [ok] = await this.deps.filter[kind](server, [item]);
    return ok === true;
  }

  private has(index: number, capability: string): boolean {
    return this.capabilities[index]?.[capability] !== undefined;
  }

  private withCapability(capability: string): number[] {
    return this.ups.flatMap((_, i) => (this.has(i, capability) ? [i] : []));
  }

  private reply(r: Response): Promise<void> {
    return this.down.send(r, { relatedRequestId: r.id }).catch((error: unknown) => {
      this.deps.log(`could not answer the agent: ${String(error)}`);
    });
  }
}

function cancel(l: Live): void {
  l.cancelled = true;
  l.abort?.abort();
}
