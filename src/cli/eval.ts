import type { Readable } from "node:stream";
import { recordDecision } from "../audit/record.js";
import { decide, limitUsage } from "../core/engine/decide.js";
import type { Decision, Usage } from "../core/engine/decision.js";
import { type Action, actionHash } from "../core/envelope.js";
import type { Facts } from "../core/facts.js";
import type { Policy } from "../core/policy/model.js";
import { CircuitBreaker } from "../identity/breaker.js";
import { MemoryCounters } from "../store/memory/counters.js";
import { MemorySessionFacts } from "../store/memory/sessions.js";
import type { Counters, Durability, SessionFacts } from "../store/ports.js";
import { openSqliteStore } from "../store/sqlite/open.js";
import { resolveStateDir } from "../store/state-dir.js";
import { readActions } from "./actions-in.js";
import { analyzerFor } from "./analysis.js";
import { UsageError } from "./errors.js";
import { loadPolicy } from "./policy-files.js";

export interface EvalOptions {
  policy?: string[];
  input?: string;
  /** Write each decision to the audit log, durably, before printing it. */
  record?: boolean;
  stateDir?: string;
  durability?: Durability;
}

/**
 * `redline eval`: JSON Lines of actions in, one decision per line out, in order. A line that is
 * not a valid action still gets a line (a deny naming the problem) so outputs stay aligned;
 * the exit code is then 2.
 */
export async function runEval(
  opts: EvalOptions,
  stdin: Readable,
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream,
): Promise<number> {
  const policy = loadPolicy(opts.policy);
  const analyze = await analyzerFor(policy);
  const store = opts.record ? openStore(opts) : undefined;
  const counters: Counters = store?.counters ?? new MemoryCounters();
  const sessions: SessionFacts = store?.sessions ?? new MemorySessionFacts();
  const breaker = new CircuitBreaker(policy.breaker, counters, store?.agents, store?.audit);
  breaker.on("quarantine", (q) =>
    stderr.write(
      `redline: agent '${q.agent}' quarantined (${q.reason}); resume with: redline agents resume ${q.agent}\n`,
    ),
  );
  let invalid = 0;
  try {
    for await (const item of readActions(opts.input, stdin)) {
      if ("error" in item) {
        invalid++;
        stderr.write(`${item.error}\n`);
        stdout.write(`${JSON.stringify(invalidLine(policy, item.error))}\n`);
        continue;
      }
      const facts = analyze(item.action);
      const now = Date.now();
      const usage = await readUsage(counters, limitUsage(policy, item.action, facts), now);
      const session = item.action.session
        ? (await sessions.get(item.action.session)).map((f) => f.fact)
        : undefined;
      const identity = await breaker.identity(item.action.agent);
      const decision = decide(policy, item.action, facts, { usage, session, identity });
      if (!store) {
        await released(counters, sessions, item.action, facts, decision, now);
        if (decision.decision === "deny" && !identity) await breaker.denied(item.action.agent, now);
        stdout.write(`${JSON.stringify({ ...decision, actionHash: actionHash(item.action) })}\n`);
        continue;
      }
      // Write-ahead: the line is printed only once its entry is durable; a failed write denies.
      const r = await recordDecision(store.audit, {
        action: item.action,
        facts,
        decision,
        at: Date.now(),
      });
      if (r.auditError) stderr.write(`line ${item.lineNo}: audit write failed: ${r.auditError}\n`);
      await released(counters, sessions, item.action, facts, r.decision, now);
      if (r.decision.decision === "deny" && !identity) await breaker.denied(item.action.agent, now);
      stdout.write(
        `${JSON.stringify({ ...r.decision, actionHash: r.actionHash, auditSeq: r.entry?.seq ?? null })}\n`,
      );
    }
  } finally {
    if (store) {
      await store.audit.checkpoint().catch(() => undefined);
      await store.close();
    }
  }
  return invalid > 0 ? 2 : 0;
}

/** What each limit's counter holds in its window, for the engine (which reads no store). */
async function readUsage(
  counters: Counters,
  usage: Usage[],
  now: number,
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const u of usage) out[u.key] = await counters.sum(u.key, now - u.windowSeconds * 1000);
  return out;
}

/** An allowed action is released here: it counts against its limits and taints its session. */
async function released(
  counters: Counters,
  sessions: SessionFacts,
  action: Action,
  facts: Facts,
  d: Decision,
  now: number,
): Promise<void> {
  if (d.decision !== "allow") return;
  for (const u of d.usage ?? []) await counters.add(u.key, now, u.amount);
  if (action.session)
    await sessions.add(action.session, [...facts.categories, ...facts.flags], now);
}

function openStore(opts: EvalOptions) {
  const dir = resolveStateDir(opts.stateDir);
  try {
    return openSqliteStore({ dir, durability: opts.durability ?? "crash" });
  } catch (error) {
    throw new UsageError(`cannot open the state directory ${dir}: ${(error as Error).message}`);
  }
}

function invalidLine(policy: Policy, error: string): Record<string, unknown> {
  return {
    decision: "deny",
    categories: [],
    rules: [],
    reason: error,
    policyHash: policy.hash,
    mode: "enforce",
    error,
  };
}
