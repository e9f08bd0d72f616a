import { randomBytes } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import type { AuditEntry, EntryKind } from "../audit/entry.js";
import { recordEvent } from "../audit/record.js";
import {
  DEFAULT_REDACTION,
  type RedactionRules,
  redactAction,
  redactString,
  redactValue,
} from "../audit/redact.js";
import type { Decision } from "../core/engine/decision.js";
import { type Action, actionHash } from "../core/envelope.js";
import type { Facts } from "../core/facts.js";
import { DEFAULT_APPROVAL } from "../core/policy/model.js";
import { NO_AGENT } from "../identity/approvers.js";
import type { StateStore } from "../store/ports.js";
import {
  type ApprovalRefusal,
  type ApprovalRequest,
  type ApprovalResult,
  approvedBy,
  isOverdue,
  newRequest,
  tally,
  type VoteInput,
  type VoteVerdict,
} from "./rules.js";

/**
 * Approvals end to end: the store, the rules and the audit log. An enforcement point holding
 * a call asks `request`, then `wait`s (polling the store: whoever votes, from any process that
 * shares the store, is seen), then `release`s the exact action once. Every step that changes a
 * request writes an audit entry; whatever fails resolves toward not running the action.
 */

export interface RequestApproval {
  /** The exact action, unredacted: its hash is what the approval binds to. */
  action: Action;
  /** When given, must be `actionHash(action)` (a request never binds to another action). */
  actionHash?: string;
  facts?: Facts;
  /** An `approval` decision; quorum and expiry come from `decision.approval` (default 1, 900 s). */
  decision: Decision;
  /** Epoch ms. */
  at: number;
}

export type ForAction =
  | { used: true; request: ApprovalRequest }
  | { used: false; request: ApprovalRequest; opened: boolean };

/** How a hold ended: run the action (once), or not, and whether its request is still open. */
export type Held =
  | { granted: true; request: ApprovalRequest }
  | { granted: false; pending: boolean; request?: ApprovalRequest; reason: string };

export interface WaitOptions {
  /** Aborting ends the wait and, unless `keepOnAbort`, cancels the request (audited). */
  signal?: AbortSignal;
  /**
   * Leave the request pending when the wait is aborted: the agent gave up waiting (a client
   * timeout), but a human may still approve, and the agent's retry of the same action then
   * finds the grant (`findGranted`).
   */
  keepOnAbort?: boolean;
  /** How often the store is read; default 500 ms. */
  pollMs?: number;
  /** Called on every poll while the request is pending (e.g. to send progress). Errors ignored. */
  onTick?: (request: ApprovalRequest, now: number) => void;
  /** Epoch ms; default Date.now. */
  clock?: () => number;
}

/** How a wait ended. Only `granted` may lead to running the action, and only via `release`. */
export interface WaitResult {
  status: "granted" | "denied" | "expired" | "cancelled" | "used";
  /** The request as last read; absent if it was never read. */
  request?: ApprovalRequest;
  /** For humans. */
  reason: string;
  /** The store or audit failure that ended the wait (status is then `denied`: fail closed). */
  error?: Error;
}

export interface ApprovalServiceOptions {
  redaction?: RedactionRules;
  /** Request ids; default `newApprovalId`. */
  newId?: () => string;
}

export const DEFAULT_POLL_MS = 500;

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/** `apr_` + 128 random bits in lowercase base32 (26 characters): unguessable, easy to type. */
export function newApprovalId(): string {
  const bytes = randomBytes(16);
  let bits = 0;
  let value = 0;
  let out = "apr_";
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export class ApprovalService {
  private readonly redaction: RedactionRules;
  private readonly newId: () => string;

  constructor(
    private readonly store: Pick<StateStore, "approvals" | "approvers" | "audit">,
    options: ApprovalServiceOptions = {},
  ) {
    this.redaction = options.redaction ?? DEFAULT_REDACTION;
    this.newId = options.newId ?? newApprovalId;
  }

  /**
   * Where an enforcement point stands for an action that needs approval: an unused grant for
   * exactly it is used now (the agent retrying after a human approved); else the request still
   * pending for it is the one to wait on (a retry before the human answered opens no second
   * request for them to find); else a new one is opened. Rejects as `request` does.
   */
  async forAction(input: RequestApproval): Promise<ForAction> {
    const hash = input.actionHash ?? actionHash(input.action);
    const agent = input.action.agent;
    const prior = await this.store.approvals.findGranted(agent, hash, input.at);
    if (prior) {
      const used = await this.release(prior.id, hash, input.at);
      if (used.ok) return { used: true, request: used.request };
    }
    const open = await this.store.approvals.findPending(agent, hash, input.at);
    if (open) return { used: false, request: open, opened: false };
    return { used: false, request: await this.request(input), opened: true };
  }

  /**
   * Holds an action that needs approval until it may run: `forAction`, then a wait for the
   * human, then `release`. Granted means it runs now, once. The wait never cancels the request:
   * when `signal` aborts (the agent gave up, a hook's time is up) it stays `pending`, so a
   * retry of the same action finds it. Never rejects: any failure is a refusal with its reason.
   */
  async hold(
    input: RequestApproval,
    o: Omit<WaitOptions, "keepOnAbort"> & { onOpen?: (request: ApprovalRequest) => void } = {},
  ): Promise<Held> {
    try {
      const hash = input.actionHash ?? actionHash(input.action);
      const found = await this.forAction({ ...input, actionHash: hash });
      const request = found.request;
      if (found.used) return { granted: true, request };
      o.onOpen?.(request);
      const w = o.signal?.aborted
        ? { status: "cancelled" as const, request, reason: "not waited for" }
        : await this.wait(request.id, { ...o, keepOnAbort: true });
      if (w.status === "cancelled" && w.request?.status === "pending")
        return { granted: false, pending: true, request, reason: w.reason };
      if (w.status !== "granted")
        return { granted: false, pending: false, request, reason: w.reason };
      const used = await this.release(request.id, hash, (o.clock ?? Date.now)());
      if (used.ok) return { granted: true, request };
      const why = `it was granted but cannot be used: ${used.refusal.reason}`;
      return { granted: false, pending: false, request, reason: why };
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      return {
        granted: false,
        pending: false,
        reason: `the approval could not be requested (${why})`,
      };
    }
  }

  /**
   * Creates a pending request for the action and writes `approval.requested`. Rejects (the
   * caller denies) if it cannot be stored or audited; a request the log cannot show is
   * cancelled. Throws RangeError for a decision that is not `approval` or a hash of another action.
   */
  async request(input: RequestApproval): Promise<ApprovalRequest> {
    const { action, decision, at } = input;
    if (decision.decision !== "approval")
      throw new RangeError(`the decision is ${decision.decision}, not approval`);
    const hash = actionHash(action);
    if (input.actionHash !== undefined && input.actionHash !== hash)
      throw new RangeError(`actionHash ${input.actionHash} is not the hash of this action`);
    const settings = decision.approval ?? DEFAULT_APPROVAL;
    const rules = this.redaction;
    const request = newRequest(
      {
        id: this.newId(),
        agent: action.agent,
        ...(action.session !== undefined && { session: action.session }),
        actionHash: hash,
        action: redactAction(action, rules),
        ...(input.facts && { facts: redactValue(input.facts, rules) }),
        categories: decision.categories,
        rules: decision.rules,
        reason: redactString(decision.reason, rules),
        policyHash: decision.policyHash,
        quorum: settings.quorum,
        expiresSeconds: settings.expiresSeconds,
      },
      at,
    );
    await this.store.approvals.create(request);
    try {
      await this.record("approval.requested", request, at, {
        action: request.action,
        facts: request.facts,
        categories: request.categories,
        rules: request.rules,
        reason: request.reason,
        policyHash: request.policyHash,
        data: { quorum: request.quorum, expiresAt: new Date(request.expiresAt).toISOString() },
      });
    } catch (error) {
      await this.store.approvals
        .cancel(request.id, "the audit log could not record the request", at)
        .catch(() => undefined);
      throw error;
    }
    return request;
  }

  /**
   * A human's vote. The approver must be in the approver store (an agent never is, and the
   * requesting agent is refused by the rules). Writes `approval.granted` or `approval.denied`
   * when the vote decides, `approval.voted` when it does not, `approval.refused` when refused.
   * If the audit log cannot record the vote, the request is cancelled: a grant the log cannot
   * show is never usable. Never rejects: a store failure is a refusal with code `store`.
   */
  async vote(
    id: string,
    approver: string,
    verdict: VoteVerdict,
    comment: string | undefined,
    now: number,
  ): Promise<ApprovalResult> {
    try {
      if (!(await this.store.approvers.get(approver))) {
        const request = await this.store.approvals.get(id);
        const refused: ApprovalResult = {
          ok: false,
          refusal: {
            code: "unknown-approver",
            reason: `'${approver}' is not a registered approver: only approvers (humans) vote, never an agent`,
          },
          ...(request && { request }),
        };
        await this.refused(id, refused, now, { approver, verdict });
        return refused;
      }
      const vote: VoteInput = { approver, verdict };
      if (comment !== undefined) vote.comment = comment;
      const result = await this.store.approvals.vote(id, vote, now);
      if (!result.ok) {
        await this.refused(id, result, now, { approver, verdict });
        return result;
      }
      const r = result.request;
      const data = { approver, verdict, ...(comment !== undefined && { comment }) };
      try {
        if (r.status === "granted")
          await this.record("approval.granted", r, now, {
            reason: r.statusReason,
            data: { ...data, approvers: approvedBy(r) },
          });
        else if (r.status === "denied")
          await this.record("approval.denied", r, now, { reason: r.statusReason, data });
        else
          await this.record("approval.voted", r, now, {
            data: { ...data, approvals: tally(r).approvals, quorum: r.quorum },
          });
      } catch (error) {
        return this.unaudited(r, now, error, "the vote");
      }
      return result;
    } catch (error) {
      return storeFailed(error);
    }
  }

  /**
   * Resolves once the request is no longer pending, polling the store. When its time passes it
   * is marked expired (`approval.expired`). An abort cancels it (`approval.cancelled`). If the
   * store or the audit log fails, it resolves `denied` with the error: never `granted`.
   */
  async wait(id: string, options: WaitOptions = {}): Promise<WaitResult> {
    const clock = options.clock ?? Date.now;
    const pollMs = Math.max(1, options.pollMs ?? DEFAULT_POLL_MS);
    const { signal } = options;
    let last: ApprovalRequest | undefined;
    try {
      for (;;) {
        if (signal?.aborted)
          return options.keepOnAbort
            ? {
                status: "cancelled",
                ...(last && { request: last }),
                reason: "the held call was cancelled; the request stays open",
              }
            : await this.abandon(id, last, clock());
        const now = clock();
        let request = await this.store.approvals.get(id);
        if (!request)
          return {
            status: "denied",
            ...(last && { request: last }),
            reason: `denied: no approval request '${id}'`,
          };
        last = request;
        if (isOverdue(request, now)) {
          await this.expireDue(now, id);
          request = (await this.store.approvals.get(id)) ?? request;
          last = request;
        }
        if (request.status !== "pending") return settled(request);
        try {
          options.onTick?.(request, now);
        } catch {
          // A failing progress callback must not end (or grant) the wait.
        }
        const ms = Math.min(pollMs, Math.max(1, request.expiresAt - now));
        await delay(ms, undefined, signal ? { signal } : {}).catch(() => undefined);
      }
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      return {
        status: "denied",
        ...(last && { request: last }),
        reason: `denied: the approval could not be checked (${why})`,
        error: error instanceof Error ? error : new Error(why),
      };
    }
  }

  /**
   * Uses the granted approval for the action with `actionHash`, once, and writes
   * `approval.used`. The action may run only when this returns ok. A refusal (another action,
   * already used, expired...) is audited as `approval.refused`. If `approval.used` cannot be
   * written the approval is spent and the refusal says so (code `audit`). Never rejects.
   */
  async release(id: string, actionHash: string, now: number): Promise<ApprovalResult> {
    try {
      const result = await this.store.approvals.consume(id, actionHash, now);
      if (!result.ok) {
        await this.refused(id, result, now, { attempted: actionHash });
        return result;
      }
      try {
        await this.record("approval.used", result.request, now);
      } catch (error) {
        return {
          ok: false,
          refusal: {
            code: "audit",
            reason: `the audit log could not record the use (${message(error)}): the approval is spent and the action must not run`,
          },
          request: result.request,
        };
      }
      return result;
    } catch (error) {
      return storeFailed(error);
    }
  }

  /** Withdraws a pending request or an unused grant; writes `approval.cancelled`. Never rejects. */
  async cancel(id: string, reason: string, now: number): Promise<ApprovalResult> {
    try {
      const result = await this.store.approvals.cancel(id, reason, now);
      if (!result.ok) {
        if (result.changed && result.request) await this.expired(result.request, now);
        return result;
      }
      try {
        await this.record("approval.cancelled", result.request, now, { reason });
      } catch (error) {
        return {
          ok: false,
          refusal: {
            code: "audit",
            reason: `cancelled, but the audit log could not record it (${message(error)})`,
          },
          request: result.request,
        };
      }
      return result;
    } catch (error) {
      return storeFailed(error);
    }
  }

  /**
   * Marks overdue requests (only `id`, if given) expired and writes `approval.expired` for
   * each; returns them. Rejects if the store or the log fails (the expiry itself holds).
   */
  async expireDue(now: number, id?: string): Promise<ApprovalRequest[]> {
    const expired = await this.store.approvals.expire(now, id);
    for (const r of expired) await this.expired(r, now);
    return expired;
  }

  /** An aborted wait: the held call is gone, so the request is withdrawn. */
  private async abandon(
    id: string,
    last: ApprovalRequest | undefined,
    now: number,
  ): Promise<WaitResult> {
    const reason = "the held call was cancelled before a decision";
    const result = await this.cancel(id, reason, now);
    if (result.ok) return { status: "cancelled", request: result.request, reason };
    if (result.refusal.code === "store") throw new Error(result.refusal.reason);
    const request = result.request ?? last;
    if (request && request.status !== "pending" && request.status !== "granted")
      return settled(request);
    return { status: "cancelled", ...(request && { request }), reason };
  }

  private expired(r: ApprovalRequest, now: number): Promise<AuditEntry> {
    return this.record("approval.expired", r, now, { reason: r.statusReason });
  }

  /** Audits a refusal (and an expiry it caused). Best effort: the refusal holds either way. */
  private async refused(
    id: string,
    result: Extract<ApprovalResult, { ok: false }>,
    now: number,
    data: Record<string, unknown>,
  ): Promise<void> {
    const request = result.request;
    try {
      if (result.changed && request) await this.expired(request, now);
      await recordEvent(
        this.store.audit,
        {
          kind: "approval.refused",
          at: now,
          agent: request?.agent ?? NO_AGENT,
          ...(request?.session !== undefined && { session: request.session }),
          ...(request && { actionHash: request.actionHash }),
          reason: result.refusal.reason,
          data: { approval: id, code: result.refusal.code, ...data },
        },
        this.redaction,
      );
    } catch {
      // The refusal stands whether or not it could be recorded.
    }
  }

  /** A change the log could not record: the request is cancelled so it can never be used. */
  private async unaudited(
    r: ApprovalRequest,
    now: number,
    error: unknown,
    what: string,
  ): Promise<ApprovalResult> {
    const reason = `the audit log could not record ${what} (${message(error)})`;
    let request = r;
    if (r.status === "pending" || r.status === "granted") {
      const cancelled = await this.store.approvals.cancel(r.id, reason, now).catch(() => undefined);
      if (cancelled?.request) request = cancelled.request;
    }
    const refusal: ApprovalRefusal = {
      code: "audit",
      reason: `${reason}: the request is ${request.status}`,
    };
    return { ok: false, refusal, request };
  }

  private record(
    kind: EntryKind,
    r: ApprovalRequest,
    at: number,
    extra: {
      action?: Record<string, unknown>;
      facts?: Facts | undefined;
      categories?: ApprovalRequest["categories"];
      rules?: string[];
      reason?: string | undefined;
      policyHash?: string;
      data?: Record<string, unknown>;
    } = {},
  ): Promise<AuditEntry> {
    const { data, ...fields } = extra;
    return recordEvent(
      this.store.audit,
      {
        kind,
        at,
        agent: r.agent,
        ...(r.session !== undefined && { session: r.session }),
        actionHash: r.actionHash,
        ...fields,
        data: { approval: r.id, ...data },
      },
      this.redaction,
    );
  }
}

function settled(r: ApprovalRequest): WaitResult {
  const status = r.status === "pending" ? "denied" : r.status;
  const reason =
    r.statusReason ??
    (status === "used" ? "the approval was already used" : `the approval request is ${status}`);
  return { status, request: r, reason };
}

function storeFailed(error: unknown): ApprovalResult {
  return {
    ok: false,
    refusal: { code: "store", reason: `the approval store failed (${message(error)})` },
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
