import { recordEvent } from "../audit/record.js";
import type { ApproverRecord, ApproverStore, AuditLog } from "../store/ports.js";
import { APPROVER_PREFIX, hashSecret, newSecret, verifySecret } from "./secrets.js";
import type { TokenRefusal } from "./tokens.js";

/**
 * Approvers: humans who may approve requests, kept apart from agents. They live in their own
 * table, authenticate with their own secret (`rla_...`, stored as an scrypt hash), and an agent
 * token is never accepted as one. `canApprove` refuses agents and a request's own requester.
 */

/** An authenticated human approver. Only `authenticateApprover` makes one. */
export interface Approver {
  kind: "approver";
  id: string;
  name?: string;
}

/** An authenticated agent (from a verified agent token). */
export interface AgentPrincipal {
  kind: "agent";
  id: string;
}

export type Principal = Approver | AgentPrincipal;

/** What `canApprove` needs from an approval request. */
export interface ApprovalRequestRef {
  /** Who asked: the agent id, or the human who requested on its behalf. */
  requester: string;
  /** Everyone else who requested or submitted it, if any: none of them may approve it either. */
  requestedBy?: readonly string[];
}

export type Verdict = { ok: true } | { ok: false; reason: string };

/** Audit entries about approvers carry this as their agent: they concern no agent. */
export const NO_AGENT = "-";

const ID = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/;

export function canApprove(who: Principal, request: ApprovalRequestRef): Verdict {
  if (who.kind !== "approver")
    return { ok: false, reason: `'${who.id}' is an agent: an agent can never approve` };
  const requesters = [request.requester, ...(request.requestedBy ?? [])];
  if (requesters.includes(who.id))
    return { ok: false, reason: `'${who.id}' requested this action and cannot approve it` };
  return { ok: true };
}

export interface AddApprover {
  id: string;
  name?: string;
  by: string;
  reason?: string;
  at: number;
  /** Ids that are agents: an approver may not share one (it would blur who approved). */
  agentIds?: ReadonlySet<string> | ReadonlyMap<string, unknown>;
}

/** Adds an approver; returns its secret, which is shown once and stored only hashed. */
export async function addApprover(
  store: ApproverStore,
  audit: AuditLog,
  a: AddApprover,
): Promise<{ approver: ApproverRecord; secret: string }> {
  if (!ID.test(a.id))
    throw new RangeError(
      `approver id '${a.id}': use letters, digits and . _ @ + - (at most 128, starting with a letter or digit)`,
    );
  if (a.agentIds?.has(a.id))
    throw new RangeError(`'${a.id}' is an agent id: approvers and agents must not share ids`);
  const secret = newSecret(APPROVER_PREFIX, `${Buffer.from(a.id).toString("base64url")}.`);
  const approver: ApproverRecord = { id: a.id, created: { by: a.by, at: a.at } };
  if (a.name !== undefined) approver.name = a.name;
  if (a.reason !== undefined) approver.created.reason = a.reason;
  await store.add(approver, await hashSecret(secret));
  await recordEvent(audit, {
    kind: "approver.added",
    at: a.at,
    agent: NO_AGENT,
    reason: a.reason,
    data: { approver: a.id, by: a.by },
  });
  return { approver, secret };
}

export async function removeApprover(
  store: ApproverStore,
  audit: AuditLog,
  id: string,
  change: { by: string; reason?: string; at: number },
): Promise<boolean> {
  const removed = await store.remove(id);
  if (removed)
    await recordEvent(audit, {
      kind: "approver.removed",
      at: change.at,
      agent: NO_AGENT,
      reason: change.reason,
      data: { approver: id, by: change.by },
    });
  return removed;
}

export type ApproverAuth = { ok: true; approver: Approver } | { ok: false; refusal: TokenRefusal };

/**
 * Authenticates an approver by secret. An agent token, a bootstrap secret, a wrong secret and
 * an unknown approver are refused (the last two in the same time), each with an audit entry.
 */
export async function authenticateApprover(
  store: ApproverStore,
  audit: AuditLog,
  credential: string,
  now: number,
): Promise<ApproverAuth> {
  const text = credential.trim();
  let refusal: TokenRefusal | undefined;
  let id: string | undefined;
  if (!text.startsWith(APPROVER_PREFIX)) {
    refusal = /^[\w-]+\.[\w-]+\.[\w-]*$/.test(text)
      ? {
          code: "wrong-credential",
          reason: "an agent token can never authenticate an approver",
        }
      : { code: "malformed", reason: "not an approver secret (rla_...)" };
  } else {
    const body = text.slice(APPROVER_PREFIX.length);
    const dot = body.lastIndexOf(".");
    id = dot > 0 ? Buffer.from(body.slice(0, dot), "base64url").toString() : undefined;
    const record = id !== undefined && ID.test(id) ? await store.get(id) : undefined;
    const stored = record ? await store.secretHash(record.id) : undefined;
    if (record && (await verifySecret(text, stored))) {
      const approver: Approver = { kind: "approver", id: record.id };
      if (record.name !== undefined) approver.name = record.name;
      return { ok: true, approver };
    }
    if (!record) await verifySecret(text, undefined); // same time as a wrong secret
    refusal = { code: "bad-secret", reason: "approver secret refused" };
  }
  await recordEvent(audit, {
    kind: "approver.refused",
    at: now,
    agent: NO_AGENT,
    reason: refusal.reason,
    data: { code: refusal.code, ...(id !== undefined && ID.test(id) ? { approver: id } : {}) },
  });
  return { ok: false, refusal };
}
