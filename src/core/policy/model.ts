import type { CategoryId } from "../catalogue.js";
import type { ActionKind } from "../envelope.js";
import type { TargetKind } from "../facts.js";
import type { Condition } from "./cel.js";
import type { GlobSet } from "./glob.js";
import type { ArgumentType, Effect, Mode } from "./schema.js";
import type { Location } from "./source.js";

/** The compiled, immutable policy the engine decides with. */
export interface Policy {
  /** `sha256:` of the canonical normalised policy: stable across formatting and comments. */
  hash: string;
  mode: Mode;
  agents: ReadonlyMap<string, CompiledAgent>;
  /** The `*` agent that undeclared ids get; without it, unknown agents are denied. */
  wildcard: CompiledAgent | undefined;
  groups: ReadonlyMap<string, readonly string[]>;
  rules: readonly CompiledRule[];
  /** What the analyzers need to know from the policy. */
  analysis: AnalysisSettings;
  limits: readonly CompiledLimit[];
  taints: readonly CompiledTaint[];
  /** A burst of this many denials within the window quarantines the agent. */
  breaker: { denials: number; windowSeconds: number };
}

/**
 * A velocity cap (`max` matching actions per window) or a budget (`budget.max` of a number
 * each action carries, per window), counted per agent. Its match is a rule's match.
 */
export interface CompiledLimit {
  id: string;
  /** The match part; `effect` is what exceeding the limit turns the decision into. */
  rule: CompiledRule;
  max: number;
  /** For a budget: the amount an action uses; absent for a count cap (1 each). */
  amount: ((input: { action: unknown; facts: unknown; agent: unknown }) => number) | undefined;
  amountSource: string | undefined;
  windowSeconds: number;
}

export interface AnalysisSettings {
  workspace: string | undefined;
  egressAllow: readonly string[];
  internal: readonly string[];
  tools: readonly ToolArguments[];
}

/** A declaration of which arguments of matching tools carry commands, SQL, paths or URLs. */
export interface ToolArguments {
  /** Only actions of this kind; undefined: MCP and function tools alike. */
  kind: "mcp" | "tool" | undefined;
  server: GlobSet | undefined;
  tool: GlobSet;
  arguments: Readonly<Record<string, ArgumentType>>;
  /** The tool returns outside content: its calls add the `untrusted` flag. */
  untrusted: boolean;
  /** Why the tool's effect cannot be known: its calls are opaque. */
  opaque: string | undefined;
}

/** Session taint: a fact seen earlier in the session gates matching later actions. */
export interface CompiledTaint {
  id: string;
  agents: "*" | ReadonlySet<string>;
  after: readonly string[];
  gates: readonly string[];
  effect: "deny" | "approval";
  reason: string | undefined;
}

export interface CompiledAgent {
  id: string;
  description: string | undefined;
  owner: string | undefined;
  environment: string | undefined;
  default: Effect;
  mode: Mode;
  /** Groups the agent belongs to, for CEL (`"oncall" in agent.groups`). */
  groups: readonly string[];
  /** The rules that apply to this agent, indexed for lookup by action. */
  index: RuleIndex;
  /** The velocity caps and budgets that apply to this agent. */
  limits: readonly CompiledLimit[];
  /** The `agent` value CEL conditions see. */
  view: Readonly<Record<string, unknown>>;
  source: Location | undefined;
}

export interface ApprovalSettings {
  quorum: number;
  expiresSeconds: number;
}

export const DEFAULT_APPROVAL: ApprovalSettings = { quorum: 1, expiresSeconds: 15 * 60 };

export interface CompiledRule {
  id: string;
  /** Position in the policy; decisions list rule ids in this order. */
  order: number;
  origin: "rule" | "redline";
  effect: Effect;
  /** Rule-level mode; the agent's and the policy's shadow mode apply on top. */
  mode: Mode;
  reason: string | undefined;
  description: string | undefined;
  /** Resolved agent ids, or "*" for every agent including undeclared ones. */
  agents: "*" | ReadonlySet<string>;
  agentRefs: readonly string[] | undefined;
  kinds: ReadonlySet<ActionKind> | undefined;
  server: GlobSet | undefined;
  tool: GlobSet | undefined;
  environment: GlobSet | undefined;
  categories: readonly CategoryId[] | undefined;
  flags: readonly string[] | undefined;
  targets: readonly { kind: TargetKind; globs: GlobSet }[];
  when: Condition | undefined;
  whenSource: string | undefined;
  approval: ApprovalSettings | undefined;
  source: Location;
}

/**
 * Rules for one agent, bucketed so that a decision looks at the few rules that can match:
 * red lines by category, the rest by kind and then by literal tool name.
 */
export interface RuleIndex {
  byCategory: ReadonlyMap<CategoryId, readonly CompiledRule[]>;
  byKind: ReadonlyMap<ActionKind, KindBucket>;
  anyKind: KindBucket;
}

export interface KindBucket {
  byTool: ReadonlyMap<string, readonly CompiledRule[]>;
  other: readonly CompiledRule[];
}
