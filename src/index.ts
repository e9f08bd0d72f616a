/** Redline's public API: the pure decision core. */

export type { AnalyzerEnvironment, AnalyzerParts } from "./analyzers/index.js";
export { createAnalyzer, loadAnalyzerParts } from "./analyzers/index.js";
export { decideAndRecord, recordDecision, recordEvent } from "./audit/record.js";
export { verifyAuditLog } from "./audit/verify.js";
export { canonicalJson, contentHash } from "./core/canonical.js";
export type { CategoryId } from "./core/catalogue.js";
export { CATALOGUE, CATEGORY_IDS, isCategoryId } from "./core/catalogue.js";
export { decide } from "./core/engine/decide.js";
export type { Decision, DecisionState } from "./core/engine/decision.js";
export type { Action, ActionKind } from "./core/envelope.js";
export { ACTION_KINDS, actionHash, parseAction } from "./core/envelope.js";
export type { Analyzer, Facts, Finding, Targets } from "./core/facts.js";
export { analyzeSafely, emptyFacts, opaqueFacts } from "./core/facts.js";
export { compilePolicy } from "./core/policy/compile.js";
export type { Policy } from "./core/policy/model.js";
export type { PolicyError, PolicySource } from "./core/policy/source.js";
export { formatPolicyError } from "./core/policy/source.js";
export type { AuditLog, Counters, SessionFacts, StateStore } from "./store/ports.js";
export { openSqliteStore } from "./store/sqlite/open.js";
