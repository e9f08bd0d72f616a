import type { CategoryId } from "../catalogue.js";
import type { ApprovalSettings } from "../policy/model.js";
import type { Effect, Mode } from "../policy/schema.js";

/** The engine's answer. `decision`, `categories`, `rules` and `reason` are a public contract. */
export interface Decision {
  decision: Effect;
  /** Catalogue categories the analyzers found in the action. */
  categories: CategoryId[];
  /** Ids of the rules that decided, in policy order; empty when the agent's default decided. */
  rules: string[];
  /** For humans: which line held and why. */
  reason: string;
  policyHash: string;
  /** `shadow` when the decision was logged but not enforced (the decision is then `allow`). */
  mode: Mode;
  /** What shadow rules (or a shadow-mode agent) would have decided, when it differs. */
  shadow?: { decision: Effect; rules: string[]; reason: string };
  /** Present when the decision is `approval`: the strictest settings of the deciding rules. */
  approval?: ApprovalSettings;
  /** Conditions that failed to evaluate and were resolved toward the safe side. */
  errors?: string[];
}

/** What the adapter knows and the pure engine must not look up itself. */
export interface DecisionState {
  /** The agent's identity status, as the identity store reports it. Absent: active. */
  identity?: {
    status: "active" | "suspended" | "quarantined" | "revoked" | "expired";
    reason?: string;
  };
}
