import type { AuditEntry } from "../audit/entry.js";
import type { WebhookNotifier } from "../notify/webhooks.js";
import type { StateStore } from "../store/ports.js";

/** Approval requests and quarantines, as they reach the log, go out to the webhooks. */
export async function notifyOf(
  e: AuditEntry,
  store: StateStore,
  notifier: WebhookNotifier,
  dashboard: () => string | undefined,
): Promise<void> {
  const url = dashboard();
  const base = url ? { dashboardUrl: url } : {};
  if (e.kind === "agent.quarantined")
    notifier.notify({ type: "agent.quarantined", entry: e, ...base });
  if (e.kind !== "approval.requested") return;
  const id = e.data?.approval;
  const request =
    typeof id === "string" ? await store.approvals.get(id).catch(() => undefined) : undefined;
  if (request) notifier.notify({ type: "approval.requested", entry: e, request, ...base });
}
