import type { IncomingMessage, RequestOptions } from "node:http";
import type { Action } from "../core/envelope.js";
import { awaitRelease, errorOf, type Reply } from "../remote/approval-wait.js";
import {
  allowReason,
  askReason,
  denyReason,
  failReason,
  pendingReason,
  refusedReason,
  type Verdict,
} from "./claude-code.js";
import type { HookOptions } from "./options.js";
import type { Answer } from "./run.js";

/**
 * The hook on a control plane (`redline serve`): the server analyses, decides and records
 * before it answers, so this process loads no policy, analyzer or store, and uses node:http
 * (fetch's first call costs more than the rest of the hook). Approvals are waited on with the
 * server's long poll and released through it, once. Every failure to reach it is a deny.
 */
export async function decideRemotely(
  action: Action,
  tool: string,
  server: string,
  token: string,
  o: Pick<HookOptions, "wait" | "ask" | "timeout">,
): Promise<Answer> {
  const base = new URL(server.endsWith("/") ? server : `${server}/`);
  const call = (method: string, path: string, body?: unknown, timeoutMs = o.timeout * 1000) =>
    request(new URL(path, base), method, token, body, timeoutMs);
  const deny = (reason: string): Answer => ({ decision: "deny", reason });

  let r: Reply;
  try {
    r = await call("POST", "v1/decisions", action);
  } catch (error) {
    return deny(failReason(`the control plane at ${base.origin} is unreachable (${why(error)})`));
  }
  if (r.status !== 200)
    return deny(failReason(`the control plane refused the action: ${errorOf(r)}`));
  const d = r.body as Verdict & {
    decision?: unknown;
    approval?: { id: string; status: "pending" | "used"; expiresAt: number };
  };
  const v: Verdict = {
    categories: Array.isArray(d.categories) ? d.categories.map(String) : [],
    rules: Array.isArray(d.rules) ? d.rules.map(String) : [],
    reason: typeof d.reason === "string" ? d.reason : "",
    auditSeq: typeof d.auditSeq === "number" ? d.auditSeq : null,
  };
  if (d.decision === "allow") return { decision: "allow", reason: allowReason(v) };
  if (d.decision === "deny") return deny(denyReason(tool, v));
  if (d.decision !== "approval")
    return deny(failReason(`the control plane's answer is not a decision: ${clip(r.body)}`));

  const a = d.approval;
  if (!a || typeof a.id !== "string")
    return deny(refusedReason(tool, v, undefined, "the control plane opened no approval request"));
  if (a.status === "used") return { decision: "allow", reason: allowReason(v, a.id) };
  if (o.ask)
    return {
      decision: "ask",
      reason: `${askReason(tool, v)} (Approval request ${a.id} is open in Redline's queue too.)`,
    };
  const hint = {
    id: a.id,
    command: `redline approvals approve ${a.id}`,
    dashboard: base.origin + base.pathname,
  };
  try {
    const w = await awaitRelease(call, a.id, action, { deadline: Date.now() + o.wait * 1000 });
    if (w.granted) return { decision: "allow", reason: allowReason(v, a.id) };
    if (w.kind === "timeout") return deny(pendingReason(tool, v, hint, o.wait));
    const why = w.kind === "unusable" ? `it was granted but cannot be used: ${w.why}` : w.why;
    return deny(refusedReason(tool, v, a.id, why));
  } catch (error) {
    return deny(
      refusedReason(tool, v, a.id, `the control plane became unreachable (${why(error)})`),
    );
  }
}

/** One request, no keep-alive (the process ends after the answer). Rejects on any failure. */
async function request(
  url: URL,
  method: string,
  token: string,
  body: unknown,
  timeoutMs: number,
): Promise<Reply> {
  const lib = url.protocol === "https:" ? await import("node:https") : await import("node:http");
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const options: RequestOptions = {
    method,
    agent: false,
    headers: {
      authorization: `Bearer ${token}`,
      ...(payload ? { "content-type": "application/json", "content-length": payload.length } : {}),
    },
    timeout: timeoutMs,
  };
  return new Promise<Reply>((resolve, reject) => {
    const req = lib.request(url, options, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // an error page: kept as text
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(payload);
  });
}

function clip(body: unknown): string {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

function why(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return e.code ?? e.message ?? String(error);
}
