import type { ApprovalRequest } from "../approvals/rules.js";
import type { AuditEntry } from "../audit/entry.js";

/**
 * What the control-plane server notifies about. It builds these from the audit entries it
 * follows, so every notification points back at one committed entry (its `seq`).
 */

export const NOTIFY_EVENT_TYPES = ["approval.requested", "agent.quarantined"] as const;
export type NotifyEventType = (typeof NOTIFY_EVENT_TYPES)[number];

export interface ApprovalRequestedEvent {
  type: "approval.requested";
  entry: AuditEntry;
  /** As stored: its `action`, `reason` and `facts` are already redacted. */
  request: ApprovalRequest;
  /** Where a human reviews it, if the server has a dashboard. */
  dashboardUrl?: string;
}

export interface AgentQuarantinedEvent {
  type: "agent.quarantined";
  entry: AuditEntry;
  dashboardUrl?: string;
}

export type NotifyEvent = ApprovalRequestedEvent | AgentQuarantinedEvent;

/**
 * The delivery id: the audit seq and the event type. The same entry always gives the same id,
 * so a receiver can drop the duplicates that retries (or a server restart) produce.
 */
export function deliveryId(event: NotifyEvent): string {
  return `${event.entry.seq}.${event.type}`;
}
