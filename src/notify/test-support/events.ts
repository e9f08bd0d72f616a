import type { ApprovalRequest } from "../../approvals/rules.js";
import { pending } from "../../approvals/test-support/requests.js";
import type { AuditEntry } from "../../audit/entry.js";
import { T0 } from "../../audit/test-support/inputs.js";
import type { AgentQuarantinedEvent, ApprovalRequestedEvent } from "../events.js";

function entry(seq: number, over: Partial<AuditEntry>): AuditEntry {
  return {
    seq,
    kind: "decision",
    agent: "ops-bot",
    time: new Date(T0 + seq * 1000).toISOString(),
    prevHash: "0".repeat(64),
    hash: String(seq).padStart(64, "0"),
    ...over,
  };
}

/** An approval request for a force push (redacted as the service stores it) and its entry. */
export function approvalEvent(
  seq = 42,
  over: { request?: Partial<ApprovalRequest>; dashboardUrl?: string } = {},
): ApprovalRequestedEvent {
  const request: ApprovalRequest = {
    ...pending({ id: "apr_abcdefghijklmnopqrstuvwx" }),
    facts: {
      categories: ["vcs.rewrite"],
      flags: [],
      targets: { paths: [], tables: [], hosts: [], resources: [] },
      findings: [{ category: "vcs.rewrite", reason: "git push --force rewrites remote history" }],
    },
    ...over.request,
  };
  return {
    type: "approval.requested",
    entry: entry(seq, {
      kind: "approval.requested",
      agent: request.agent,
      actionHash: request.actionHash,
      action: request.action,
      categories: request.categories,
      rules: request.rules,
      reason: request.reason,
      data: { approval: request.id, quorum: request.quorum },
    }),
    request,
    ...(over.dashboardUrl !== undefined && { dashboardUrl: over.dashboardUrl }),
  };
}

export function quarantineEvent(seq = 43, dashboardUrl?: string): AgentQuarantinedEvent {
  return {
    type: "agent.quarantined",
    entry: entry(seq, {
      kind: "agent.quarantined",
      reason: "circuit breaker: 5 denials within 60s",
    }),
    ...(dashboardUrl !== undefined && { dashboardUrl }),
  };
}
