import type { KeyObject } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApprovalRequest } from "../approvals/rules.js";
import { APPROVAL_STATUSES, type ApprovalStatus } from "../approvals/rules.js";
import type { ApprovalService } from "../approvals/service.js";
import { ENTRY_KINDS, type EntryKind } from "../audit/entry.js";
import { recordEvent } from "../audit/record.js";
import { type VerifyReport, verifyAuditLog } from "../audit/verify.js";
import { limitUsage } from "../core/engine/decide.js";
import { type Action, actionHash, parseAction } from "../core/envelope.js";
import { formatPath } from "../core/errors.js";
import type { Enforced, Enforcer, PolicyView } from "../enforce/enforcer.js";
import { AgentIdentity, IdentityRefused } from "../identity/agents.js";
import type { SigningKeys } from "../identity/keys.js";
import { Visibility } from "../mcp/filter.js";
import type { StateStore } from "../store/ports.js";
import type { Callers } from "./auth.js";
import { HttpError, optionalString, readJson, send } from "./http.js";
import type { Metrics } from "./metrics.js";

export interface ApiDeps {
  store: StateStore;
  enforcer: Enforcer;
  view: () => PolicyView;
  approvals: ApprovalService;
  keys: SigningKeys;
  callers: Callers;
  metrics: Metrics;
  publicKey: KeyObject | undefined;
  clock?: () => number;
}

type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  params: string[],
  url: URL,
) => Promise<void>;
export interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

const MAX_WAIT_S = 30;

/**
 * The control plane's JSON API: decisions for remote enforcement points (agent tokens), the
 * approval workflow, agents and the kill switch, the audit log (approver credentials). Each
 * handler is an adapter: parse, authenticate, call the same pieces the CLI uses, answer.
 */
export function apiRoutes(d: ApiDeps): Route[] {
  const clock = d.clock ?? Date.now;
  const identity = (by: string) =>
    new AgentIdentity({
      agents: d.store.agents,
      audit: d.store.audit,
      keys: d.keys,
      policy: d.view().policy,
      actor: by,
    });
  let verified: { head: number; at: number; report: VerifyReport } | undefined;

  const r = (method: string, path: string, handler: Handler): Route => ({
    method,
    pattern: new RegExp(`^${path.replace(/:[a-z]+/g, "([^/]+)")}$`),
    handler,
  });

  return [
    r("POST", "/v1/decisions", async (req, res) => {
      const started = performance.now();
      const action = actionFrom(await readJson(req));
      const cred = await d.callers.agent(req, action.agent);
      const e = await d.enforcer.decide(action, cred.identity);
      const approval =
        e.decision.decision === "approval" && !e.auditError
          ? await approvalFor(action, e)
          : undefined;
      if (e.decision.decision === "allow" || approval?.status === "used")
        await d.enforcer.release(action, e);
      d.metrics.decided(performance.now() - started);
      send(res, 200, {
        ...e.decision,
        ...(approval?.status === "failed" ? { decision: "deny", reason: approval.reason } : {}),
        actionHash: e.actionHash,
        auditSeq: e.entry?.seq ?? null,
        facts: e.facts,
        ...(approval && approval.status !== "failed" ? { approval } : {}),
      });
    }),

    r("POST", "/v1/outcomes", async (req, res) => {
      const body = (await readJson(req)) as Record<string, unknown>;
      const agent = await d.callers.liveAgent(req);
      const outcome = body.outcome;
      if (outcome !== "completed" && outcome !== "failed")
        throw new HttpError(400, "outcome: expected 'completed' or 'failed'");
      const hash = optionalString(body, "actionHash");
      if (!hash) throw new HttpError(400, "actionHash: required");
      const entry = await recordEvent(d.store.audit, {
        kind: outcome,
        at: clock(),
        agent,
        actionHash: hash,
        ...(typeof body.session === "string" ? { session: body.session } : {}),
        data: { decisionSeq: body.decisionSeq, ...(body.error ? { error: body.error } : {}) },
      });
      send(res, 200, { auditSeq: entry.seq });
    }),

    r("GET", "/v1/whoami", async (req, res) => {
      send(res, 200, { agent: await d.callers.liveAgent(req) });
    }),

    r("POST", "/v1/visibility", async (req, res) => {
      const agent = await d.callers.liveAgent(req);
      const body = (await readJson(req)) as Record<string, unknown>;
      const server = optionalString(body, "server");
      if (!server) throw new HttpError(400, "server: required");
      const v = new Visibility(d.view, { agent, session: "visibility" });
      const list = (k: string) =>
        Array.isArray(body[k]) ? (body[k] as unknown[]).map(String) : [];
      send(res, 200, {
        tools: list("tools").map((t) => v.tool(server, t)),
        prompts: list("prompts").map((p) => v.prompt(server, p)),
        resources: list("resources").map((u) => v.resource(server, u)),
        templates: v.template(server),
      });
    }),

    r("GET", "/v1/approvals", async (req, res, _p, url) => {
      await d.callers.approver(req);
      const status = url.searchParams.get("status") ?? "pending";
      if (status !== "all" && !APPROVAL_STATUSES.includes(status as ApprovalStatus))
        throw new HttpError(400, `status: expected one of ${APPROVAL_STATUSES.join(", ")}, or all`);
      const agent = url.searchParams.get("agent");
      const list = await d.store.approvals.list({
        ...(status === "all" ? {} : { status: status as ApprovalStatus }),
        ...(agent ? { agent } : {}),
        limit: Number(url.searchParams.get("limit") ?? 200),
      });
      send(res, 200, { approvals: list });
    }),

    // The approver reads any request; the agent that asked reads its own, and may wait on it.
    r("GET", "/v1/approvals/:id", async (req, res, [id], url) => {
      const request = await readable(req, id as string);
      const wait =
        Math.min(MAX_WAIT_S, Math.max(0, Number(url.searchParams.get("wait") ?? 0))) * 1000;
      if (wait === 0 || request.status !== "pending") return send(res, 200, request);
      const abort = new AbortController();
      req.once("close", () => abort.abort());
      const timer = setTimeout(() => abort.abort(), wait);
      const w = await d.approvals.wait(id as string, {
        signal: abort.signal,
        keepOnAbort: true,
        pollMs: 100,
      });
      clearTimeout(timer);
      if (!res.writableEnded && !res.destroyed) send(res, 200, w.request ?? request);
    }),

    r("POST", "/v1/approvals/:id/approve", (req, res, [id]) =>
      vote(req, res, id as string, "approve"),
    ),
    r("POST", "/v1/approvals/:id/deny", (req, res, [id]) => vote(req, res, id as string, "deny")),

    // The requesting agent uses its grant, once: the full action proves which action runs.
    r("POST", "/v1/approvals/:id/release", async (req, res, [id]) => {
      const agent = await d.callers.liveAgent(req);
      const action = actionFrom(((await readJson(req)) as { action?: unknown }).action);
      if (action.agent !== agent)
        throw new HttpError(403, `the action is agent '${action.agent}''s, not '${agent}''s`);
      const used = await d.approvals.release(id as string, actionHash(action), clock());
      if (!used.ok)
        return send(res, 409, {
          released: false,
          code: used.refusal.code,
          reason: used.refusal.reason,
        });
      const { policy, analyze } = d.view();
      const facts = analyze(action);
      await d.enforcer.release(action, {
        facts,
        at: clock(),
        decision: { usage: limitUsage(policy, action, facts) } as Enforced["decision"],
      });
      send(res, 200, { released: true, approval: used.request });
    }),

    r("GET", "/v1/agents", async (req, res) => {
      const who = await d.callers.approver(req);
      send(res, 200, await identity(who.id).list());
    }),
    r("POST", "/v1/agents/:id/suspend", async (req, res, [id]) => {
      const who = await d.callers.approver(req);
      const reason = optionalString(await readJson(req), "reason");
      send(res, 200, await refusing(() => identity(who.id).suspend(id as string, reason)));
    }),
    r("POST", "/v1/agents/:id/resume", async (req, res, [id]) => {
      const who = await d.callers.approver(req);
      const reason = optionalString(await readJson(req), "reason");
      send(res, 200, await refusing(() => identity(who.id).resume(id as string, reason)));
    }),
    r("POST", "/v1/panic", async (req, res) => {
      const who = await d.callers.approver(req);
      send(res, 200, await identity(who.id).panic(optionalString(await readJson(req), "reason")));
    }),
    r("POST", "/v1/panic/clear", async (req, res) => {
      const who = await d.callers.approver(req);
      send(
        res,
        200,
        await identity(who.id).clearPanic(optionalString(await readJson(req), "reason")),
      );
    }),

    r("GET", "/v1/audit", async (req, res, _p, url) => {
      await d.callers.approver(req);
      const q = url.searchParams;
      const kind = q.get("kind");
      if (kind && !ENTRY_KINDS.includes(kind as EntryKind))
        throw new HttpError(400, `kind: unknown entry kind '${kind}'`);
      const entries = await d.store.audit.query({
        ...(q.get("agent") ? { agent: q.get("agent") as string } : {}),
        ...(kind ? { kind: kind as EntryKind } : {}),
        ...(q.get("decision") ? { decision: q.get("decision") as string } : {}),
        ...(q.get("afterSeq") ? { afterSeq: Number(q.get("afterSeq")) } : {}),
        limit: Math.min(1000, Number(q.get("limit") ?? 100)),
        newest: q.get("afterSeq") === null,
      });
      send(res, 200, { entries });
    }),
    r("GET", "/v1/audit/verify", async (req, res) => {
      await d.callers.approver(req);
      const head = (await d.store.audit.head()).seq;
      if (!verified || verified.head !== head || clock() - verified.at > 60_000)
        verified = { head, at: clock(), report: await verifyAuditLog(d.store.audit, d.publicKey) };
      send(res, 200, verified.report);
    }),
  ];

  async function approvalFor(action: Action, e: Enforced) {
    try {
      const found = await d.approvals.forAction({
        action,
        actionHash: e.actionHash,
        facts: e.facts,
        decision: e.decision,
        at: clock(),
      });
      const { id, expiresAt, quorum } = found.request;
      return {
        id,
        status: found.used ? ("used" as const) : ("pending" as const),
        expiresAt,
        quorum,
      };
    } catch (error) {
      return {
        status: "failed" as const,
        reason: `denied: the approval could not be requested (${(error as Error).message})`,
      };
    }
  }

  async function readable(req: IncomingMessage, id: string): Promise<ApprovalRequest> {
    const request = await d.store.approvals.get(id);
    const isAgentToken = (req.headers.authorization ?? "").split(".").length === 3;
    if (isAgentToken) {
      const agent = await d.callers.liveAgent(req);
      if (!request || request.agent !== agent)
        throw new HttpError(404, `no approval request '${id}'`);
      return request;
    }
    await d.callers.approver(req);
    if (!request) throw new HttpError(404, `no approval request '${id}'`);
    return request;
  }

  async function vote(
    req: IncomingMessage,
    res: ServerResponse,
    id: string,
    verdict: "approve" | "deny",
  ) {
    const who = await d.callers.approver(req);
    const comment = optionalString(await readJson(req), "comment");
    const result = await d.approvals.vote(id, who.id, verdict, comment, clock());
    if (!result.ok)
      return send(res, result.refusal.code === "not-found" ? 404 : 409, {
        error: result.refusal.reason,
        code: result.refusal.code,
      });
    send(res, 200, result.request);
  }
}

function actionFrom(value: unknown): Action {
  const parsed = parseAction(value);
  if (!parsed.ok)
    throw new HttpError(
      400,
      `invalid action: ${parsed.errors.map((e) => `${formatPath(e.path)}: ${e.message}`).join("; ")}`,
      parsed.errors,
    );
  return parsed.action;
}

async function refusing<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (error) {
    if (error instanceof IdentityRefused) throw new HttpError(404, error.message);
    throw error;
  }
}
