import type { ApprovalService } from "../approvals/service.js";
import { recordEvent } from "../audit/record.js";
import type { AuditLog } from "../store/ports.js";
import type { ApprovalGate, SessionDeps } from "./session.js";

/**
 * A held call waits on the store's approval record, and on nothing else: whoever votes (the
 * CLI, another replica, the control plane) writes there. A grant releases the exact action
 * once, and only after `approval.used` is in the audit log; anything else is a denial.
 */
export function storeApprovalGate(
  service: ApprovalService,
  opts: { pollMs?: number; clock?: () => number } = {},
): ApprovalGate {
  const clock = opts.clock ?? Date.now;
  return {
    async hold({ action, enforced, signal, waiting }) {
      const hash = enforced.actionHash;
      try {
        const started = clock();
        const found = await service.forAction({
          action,
          actionHash: hash,
          facts: enforced.facts,
          decision: enforced.decision,
          at: started,
        });
        if (found.used) return { granted: true, id: found.request.id };
        const request = found.request;
        waiting?.({ id: request.id, elapsedMs: 0, expiresAt: request.expiresAt });
        const w = await service.wait(request.id, {
          signal,
          keepOnAbort: true,
          clock,
          ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}),
          onTick: (r, now) =>
            waiting?.({ id: r.id, elapsedMs: now - started, expiresAt: r.expiresAt }),
        });
        if (w.status !== "granted")
          return { granted: false, id: request.id, reason: `approval ${request.id}: ${w.reason}` };
        const used = await service.release(request.id, hash, clock());
        if (used.ok) return { granted: true, id: request.id };
        return {
          granted: false,
          id: request.id,
          reason: `approval ${request.id} was granted but cannot be used: ${used.refusal.reason}`,
        };
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        return { granted: false, reason: `the approval could not be requested (${why})` };
      }
    },
  };
}

/** Outcomes into this process's audit log, committed with the next decision (see appendDeferred). */
export function localOutcomes(
  audit: AuditLog,
  log: (line: string) => void,
): SessionDeps["outcome"] {
  return (action, e, failed, error) =>
    void recordEvent(
      audit,
      {
        kind: failed ? "failed" : "completed",
        at: Date.now(),
        agent: action.agent,
        session: action.session,
        actionHash: e.actionHash,
        data: { decisionSeq: e.entry?.seq, ...(error ? { error } : {}) },
      },
      undefined,
      { deferred: true },
    ).catch((err: unknown) => log(`audit: outcome not recorded: ${String(err)}`));
}
