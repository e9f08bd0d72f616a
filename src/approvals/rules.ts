import type { CategoryId } from "../core/catalogue.js";
import type { Facts } from "../core/facts.js";

/**
 * Approval requests and their rules, pure: no I/O, no clock, no randomness (the time comes in
 * as `now`, epoch ms; the id is made by the caller). Stores run these inside one write
 * transaction; every refusal comes back as data.
 *
 * A request is bound to the hash of one exact action, needs `quorum` distinct human approvals,
 * is vetoed by a single deny, is valid until `expiresAt` (for a decision and, once granted, for
 * its use), and is used at most once.
 */

export const APPROVAL_STATUSES = [
  "pending",
  "granted",
  "denied",
  "expired",
  "used",
  "cancelled",
] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export type VoteVerdict = "approve" | "deny";

export interface ApprovalVote {
  /** An approver (human) id. */
  approver: string;
  verdict: VoteVerdict;
  comment?: string;
  /** Epoch ms. */
  at: number;
}

/** A vote as cast: the rules stamp it with `now`. */
export type VoteInput = Omit<ApprovalVote, "at">;

export interface ApprovalRequest {
  /** `apr_` + at least 96 random bits: unguessable. */
  id: string;
  /** The agent whose action this is: it can never approve it. */
  agent: string;
  session?: string;
  /** `sha256:<hex>` of the exact (unredacted) action: only that action can use the approval. */
  actionHash: string;
  /** The action with secrets redacted, for the approver to read. */
  action: Record<string, unknown>;
  facts?: Facts;
  categories: CategoryId[];
  /** Rule ids that asked for approval. */
  rules: string[];
  /** The decision's reason, for humans. */
  reason: string;
  policyHash: string;
  /** Distinct approvals needed. */
  quorum: number;
  createdAt: number;
  /** The request is valid while `now < expiresAt`: to be decided, and once granted, to be used. */
  expiresAt: number;
  status: ApprovalStatus;
  votes: ApprovalVote[];
  /** When its status last became granted, denied, expired or cancelled. */
  decidedAt?: number;
  usedAt?: number;
  /** Why it has its status, for humans: who granted or vetoed, expiry, the cancel reason. */
  statusReason?: string;
}

export type ApprovalRefusalCode =
  /** No request with that id. */
  | "not-found"
  /** The request was already decided, used or cancelled. */
  | "not-pending"
  /** Its time passed (the request is now expired). */
  | "expired"
  /** The requesting agent voted on its own request. */
  | "self-approval"
  /** This approver already voted on this request. */
  | "duplicate-vote"
  /** Not an approver known to the approver store (agents never are). */
  | "unknown-approver"
  /** Empty approver id, a verdict other than approve|deny, an oversized comment. */
  | "invalid-vote"
  /** Using a request that was not granted (pending, denied, cancelled). */
  | "not-granted"
  /** The approval was already used: it runs once. */
  | "already-used"
  /** The approval is for another action. */
  | "hash-mismatch"
  /** The store failed: nothing was changed, or nothing can be relied on (fail closed). */
  | "store"
  /** The audit log could not record the change: it was undone or the request cancelled. */
  | "audit";

export interface ApprovalRefusal {
  code: ApprovalRefusalCode;
  /** For humans. */
  reason: string;
}

/**
 * The result of a change. On a refusal, `request` is the request as it now stands (absent if
 * there is none) and `changed` says the refusal itself changed it: it found the request overdue
 * and marked it expired, which the store persists and the caller audits.
 */
export type ApprovalResult =
  | { ok: true; request: ApprovalRequest }
  | { ok: false; refusal: ApprovalRefusal; request?: ApprovalRequest; changed?: true };

/** What a new request is made from: the request's own fields, and how long it may wait. */
export type NewApproval = Pick<
  ApprovalRequest,
  | "id"
  | "agent"
  | "session"
  | "actionHash"
  | "action"
  | "facts"
  | "categories"
  | "rules"
  | "reason"
  | "policyHash"
  | "quorum"
> & { expiresSeconds: number };

export const MAX_QUORUM = 100;
/** A day: an approval is for an action someone is waiting on, not a standing permission. */
export const MAX_EXPIRES_SECONDS = 24 * 60 * 60;
export const MAX_COMMENT = 2000;

const ID = /^apr_[a-z2-7]{20,}$/;
const HASH = /^sha256:[0-9a-f]{64}$/;

/** A pending request. Throws RangeError on what a caller must never pass (a programming error). */
export function newRequest(input: NewApproval, now: number): ApprovalRequest {
  const { expiresSeconds, ...rest } = input;
  if (!ID.test(input.id)) throw new RangeError(`approval id '${input.id}' is not apr_<base32>`);
  if (typeof input.agent !== "string" || input.agent === "")
    throw new RangeError("an approval request needs the requesting agent");
  if (!HASH.test(input.actionHash))
    throw new RangeError(`action hash '${input.actionHash}' is not sha256:<hex>`);
  if (!Number.isInteger(input.quorum) || input.quorum < 1 || input.quorum > MAX_QUORUM)
    throw new RangeError(`quorum ${input.quorum}: must be a whole number from 1 to ${MAX_QUORUM}`);
  if (!(expiresSeconds > 0 && expiresSeconds <= MAX_EXPIRES_SECONDS))
    throw new RangeError(
      `expiry ${expiresSeconds}s: must be more than 0 and at most ${MAX_EXPIRES_SECONDS}s`,
    );
  const request: ApprovalRequest = {
    ...rest,
    createdAt: now,
    expiresAt: now + Math.round(expiresSeconds * 1000),
    status: "pending",
    votes: [],
  };
  if (request.session === undefined) delete request.session;
  if (request.facts === undefined) delete request.facts;
  return request;
}

/** Pending or granted-but-unused, and its time has passed. */
export function isOverdue(request: ApprovalRequest, now: number): boolean {
  return (request.status === "pending" || request.status === "granted") && now >= request.expiresAt;
}

/** The request marked expired if it is overdue, else undefined. */
export function expire(request: ApprovalRequest, now: number): ApprovalRequest | undefined {
  if (!isOverdue(request, now)) return undefined;
  const { approvals } = tally(request);
  return {
    ...request,
    status: "expired",
    decidedAt: now,
    statusReason:
      request.status === "granted"
        ? "granted but not used before it expired"
        : `expired undecided (${approvals} of ${request.quorum} approvals)`,
  };
}

export function tally(request: ApprovalRequest): { approvals: number; denials: number } {
  let approvals = 0;
  let denials = 0;
  for (const v of request.votes) v.verdict === "approve" ? approvals++ : denials++;
  return { approvals, denials };
}

/** Approvers who approved, in vote order. */
export function approvedBy(request: ApprovalRequest): string[] {
  return request.votes.filter((v) => v.verdict === "approve").map((v) => v.approver);
}

/**
 * Counts a vote. A deny vetoes (→ denied); `quorum` distinct approvals grant. Refused: a
 * request that is not pending, one whose time passed (it becomes expired), the requesting
 * agent voting, an approver voting twice, a malformed vote.
 */
export function applyVote(request: ApprovalRequest, vote: VoteInput, now: number): ApprovalResult {
  const overdue = expire(request, now);
  if (overdue && request.status === "pending")
    return refuse("expired", "the approval request expired before this vote", overdue, true);
  if (request.status !== "pending") return notOpen(request);
  if (typeof vote.approver !== "string" || vote.approver === "")
    return refuse("invalid-vote", "a vote needs an approver id", request);
  if (vote.verdict !== "approve" && vote.verdict !== "deny")
    return refuse("invalid-vote", `verdict '${String(vote.verdict)}': approve or deny`, request);
  if (
    vote.comment !== undefined &&
    (typeof vote.comment !== "string" || vote.comment.length > MAX_COMMENT)
  )
    return refuse("invalid-vote", `comment longer than ${MAX_COMMENT} characters`, request);
  if (vote.approver === request.agent)
    return refuse(
      "self-approval",
      `'${vote.approver}' is the agent that requested this action: nobody approves their own request`,
      request,
    );
  if (request.votes.some((v) => v.approver === vote.approver))
    return refuse(
      "duplicate-vote",
      `'${vote.approver}' already voted on this request: each approver counts once`,
      request,
    );
  const cast: ApprovalVote = { approver: vote.approver, verdict: vote.verdict, at: now };
  if (vote.comment !== undefined) cast.comment = vote.comment;
  const next: ApprovalRequest = { ...request, votes: [...request.votes, cast] };
  if (cast.verdict === "deny")
    return ok({
      ...next,
      status: "denied",
      decidedAt: now,
      statusReason: `denied by ${cast.approver}`,
    });
  const approvers = approvedBy(next);
  if (approvers.length >= next.quorum)
    return ok({
      ...next,
      status: "granted",
      decidedAt: now,
      statusReason: `granted by ${approvers.join(", ")}`,
    });
  return ok(next);
}

/**
 * Uses a granted approval for the action with `actionHash`, once. Refused: another action's
 * hash, an approval already used, expired (an overdue one becomes expired), not granted.
 */
export function consume(request: ApprovalRequest, actionHash: string, now: number): ApprovalResult {
  const overdue = expire(request, now);
  if (overdue) return refuse("expired", "the approval expired before it was used", overdue, true);
  if (request.status === "used")
    return refuse(
      "already-used",
      "the approval was already used: an approved action runs once",
      request,
    );
  if (request.status === "expired") return refuse("expired", "the approval expired", request);
  if (request.status !== "granted")
    return refuse("not-granted", `the approval request is ${request.status}, not granted`, request);
  if (actionHash !== request.actionHash)
    return refuse(
      "hash-mismatch",
      "the approval is for another action: it is bound to the exact action approved",
      request,
    );
  return ok({ ...request, status: "used", usedAt: now });
}

/** Withdraws a pending request or an unused grant. */
export function cancel(request: ApprovalRequest, reason: string, now: number): ApprovalResult {
  const overdue = expire(request, now);
  if (overdue) return refuse("expired", "the approval request had already expired", overdue, true);
  if (request.status !== "pending" && request.status !== "granted") return notOpen(request);
  return ok({ ...request, status: "cancelled", decidedAt: now, statusReason: reason });
}

function notOpen(request: ApprovalRequest): ApprovalResult {
  if (request.status === "expired")
    return refuse("expired", "the approval request expired", request);
  return refuse("not-pending", `the approval request is already ${request.status}`, request);
}

function ok(request: ApprovalRequest): ApprovalResult {
  return { ok: true, request };
}

function refuse(
  code: ApprovalRefusalCode,
  reason: string,
  request: ApprovalRequest,
  changed?: true,
): ApprovalResult {
  return changed
    ? { ok: false, refusal: { code, reason }, request, changed }
    : { ok: false, refusal: { code, reason }, request };
}
