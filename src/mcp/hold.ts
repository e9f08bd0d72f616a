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
      const started = clock();
      const held = await service.hold(
        {
          action,
          actionHash: enforced.actionHash,
          facts: enforced.facts,
          decision: enforced.decision,
          at: started,
        },
        {
          ...(signal ? { signal } : {}),
          clock,
          ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}),
          onOpen: (r) => waiting?.({ id: r.id, elapsedMs: 0, expiresAt: r.expiresAt }),
          onTick: (r, now) =>
            waiting?.({ id: r.id, elapsedMs: now - started, expiresAt: r.expiresAt }),
        },
      );
      if (held.granted) return { granted: true, id: held.request.id };
      if (!held.request) return { granted: false, reason: held.reason };
      return {
        granted: false,
        id: held.request.id,
        reason: `approval ${held.request.id}: ${held.reason}`,
      };
    },
  };
}

/** Outcomes into this process's audit log, committed after the answer went out (see appendDeferred). */
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
