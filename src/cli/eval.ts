import type { Readable } from "node:stream";
import type { Policy } from "../core/policy/model.js";
import { Enforcer } from "../enforce/enforcer.js";
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
  const enforcer = new Enforcer({
    current: () => ({ policy, analyze }),
    counters,
    sessions,
    breaker,
    audit: store?.audit,
  });
  let invalid = 0;
  try {
    for await (const item of readActions(opts.input, stdin)) {
      if ("error" in item) {
        invalid++;
        stderr.write(`${item.error}\n`);
        stdout.write(`${JSON.stringify(invalidLine(policy, item.error))}\n`);
        continue;
      }
      // With --record, the line is printed only once its entry is durable; a failed write denies.
      const e = await enforcer.decide(item.action);
      if (e.auditError) stderr.write(`line ${item.lineNo}: audit write failed: ${e.auditError}\n`);
      if (e.decision.decision === "allow") await enforcer.release(item.action, e);
      const line: Record<string, unknown> = { ...e.decision, actionHash: e.actionHash };
      if (store) line.auditSeq = e.entry?.seq ?? null;
      stdout.write(`${JSON.stringify(line)}\n`);
    }
  } finally {
    if (store) {
      await store.audit.checkpoint().catch(() => undefined);
      await store.close();
    }
  }
  return invalid > 0 ? 2 : 0;
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
