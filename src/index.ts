/** Redline's public API: the pure decision core. */
export { analyzeSafely, emptyFacts, opaqueFacts } from "./core/facts.js";
export type { Analyzer, Facts, Finding, Targets } from "./core/facts.js";
export { CATALOGUE, CATEGORY_IDS, isCategoryId } from "./core/catalogue.js";
export type { CategoryId } from "./core/catalogue.js";
export { ACTION_KINDS, actionHash, parseAction } from "./core/envelope.js";
export type { Action, ActionKind } from "./core/envelope.js";
export { canonicalJson, contentHash } from "./core/canonical.js";
export { compilePolicy } from "./core/policy/compile.js";
export type { Policy } from "./core/policy/model.js";
export { formatPolicyError } from "./core/policy/source.js";
export type { PolicyError, PolicySource } from "./core/policy/source.js";
export { decide } from "./core/engine/decide.js";
export type { Decision, DecisionState } from "./core/engine/decision.js";
export { stubAnalyzer } from "./analyzers/stub.js";
