import { decide } from "../core/engine/decide.js";
import type { Decision, DecisionState } from "../core/engine/decision.js";
import { type Action, actionHash } from "../core/envelope.js";
import type { Facts } from "../core/facts.js";
import type { Policy } from "../core/policy/model.js";
import type { AuditLog } from "../store/ports.js";
import type { AuditEntry, AuditInput } from "./entry.js";
import {
  DEFAULT_REDACTION,
  type RedactionRules,
  redactAction,
  redactString,
  redactValue,
} from "./redact.js";

/** A decision an enforcement point may act on: `entry` is present iff it was made durable. */
export interface RecordedDecision {
  decision: Decision;
  actionHash: string;
  entry?: AuditEntry;
  /** Why the audit write failed, when it did (the decision is then `deny`). */
  auditError?: string;
}

export interface RecordInput {
  action: Action;
  facts: Facts;
  decision: Decision;
  /** Epoch ms of the decision, from the caller's clock. */
  at: number;
  redaction?: RedactionRules;
}

/** The audit input for a decision: the action redacted, its hash over the original. */
export function decisionEntry(r: RecordInput): AuditInput {
  const d = r.decision;
  const rules = r.redaction ?? DEFAULT_REDACTION;
  const input: AuditInput = {
    kind: "decision",
    at: r.at,
    agent: r.action.agent,
    session: r.action.session,
    actionHash: actionHash(r.action),
    action: redactAction(r.action, rules),
    // Findings and reasons may quote the action, secrets included.
    facts: redactValue(r.facts, rules),
    decision: d.decision,
    categories: d.categories,
    rules: d.rules,
    reason: redactString(d.reason, rules),
    policyHash: d.policyHash,
    mode: d.mode,
  };
  if (d.shadow) input.data = redactValue({ shadow: d.shadow }, rules);
  return input;
}

/**
 * Write-ahead: resolves once the decision's entry is durable. If it cannot be written the
 * decision becomes `deny` (fail closed): an action nobody can prove was decided never runs.
 */
export async function recordDecision(log: AuditLog, r: RecordInput): Promise<RecordedDecision> {
  const input = decisionEntry(r);
  const hash = input.actionHash as string;
  try {
    const entry = await log.append(input);
    return { decision: r.decision, actionHash: hash, entry };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return {
      actionHash: hash,
      auditError: why,
      decision: {
        ...r.decision,
        decision: "deny",
        rules: [],
        reason: `denied: the audit log could not record the decision (${why}); the policy decided ${r.decision.decision}`,
        mode: "enforce",
        approval: undefined,
      },
    };
  }
}

/**
 * Records what followed a decision (released, completed, failed, approval..., agent...):
 * resolves once durable, rejects if not; reason and data are redacted like the action.
 */
export function recordEvent(
  log: AuditLog,
  input: AuditInput,
  rules: RedactionRules = DEFAULT_REDACTION,
  o: { deferred?: boolean } = {},
): Promise<AuditEntry> {
  const out: AuditInput = { ...input };
  if (out.action) out.action = redactAction(out.action, rules);
  if (out.reason !== undefined) out.reason = redactString(out.reason, rules);
  if (out.data) out.data = redactValue(out.data, rules);
  return o.deferred ? log.appendDeferred(out) : log.append(out);
}

/** decide() and recordDecision() in one step, for enforcement points. */
export function decideAndRecord(
  log: AuditLog,
  args: {
    policy: Policy;
    action: Action;
    facts: Facts;
    state?: DecisionState;
    at: number;
    redaction?: RedactionRules;
  },
): Promise<RecordedDecision> {
  const decision = decide(args.policy, args.action, args.facts, args.state);
  return recordDecision(log, { ...args, decision });
}
