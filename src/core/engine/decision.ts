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
  /** The counters this action counts against, to add to once it is released. */
  usage?: Usage[];
}

/** One velocity cap or budget an action counts against, per agent. */
export interface Usage {
  limit: string;
  /** The counter: `<limit id>/<agent id>`. */
  key: string;
  /** 1 for a cap; the action's amount for a budget. */
  amount: number;
  windowSeconds: number;
}

/** What the adapter knows and the pure engine must not look up itself. */
export interface DecisionState {
  /**
   * What each counter (see Usage.key) already holds in its window, read by the adapter. A
   * limit whose counter is missing cannot be checked and holds as if exceeded (fail closed).
   */
  usage?: Readonly<Record<string, number>>;
  /** Categories and flags of actions released earlier in this session (its taint). */
  session?: readonly string[];
  /** The agent's identity status, as the identity store reports it. Absent: active. */
  identity?: {
    status: "active" | "suspended" | "quarantined" | "revoked" | "expired";
    reason?: string;
  };
}
