import { homedir } from "node:os";
import { performance } from "node:perf_hooks";
import { type AnalyzerParts, createAnalyzer } from "../analyzers/index.js";
import { loadShellAnalyzer } from "../analyzers/shell/index.js";
import { loadSqlAnalyzer } from "../analyzers/sql/index.js";
import { ApprovalService } from "../approvals/service.js";
import { realpath } from "../cli/analysis.js";
import { BASELINE_FILE, readSources } from "../cli/policy-files.js";
import { loadPrecompiledValidators } from "../cli/validators.js";
import { type Action, parseAction } from "../core/envelope.js";
import { formatPath } from "../core/errors.js";
import type { Analyzer } from "../core/facts.js";
import { compilePolicy } from "../core/policy/compile.js";
import type { AnalysisSettings, Policy } from "../core/policy/model.js";
import { formatPolicyError, type PolicySource } from "../core/policy/source.js";
import { type Enforced, Enforcer } from "../enforce/enforcer.js";
import { CircuitBreaker } from "../identity/breaker.js";
import { openSqliteStore, type SqliteStateStore } from "../store/sqlite/open.js";
import {
  ANALYSIS_FILE,
  allowReason,
  askReason,
  CLAUDE_CODE_ANALYSIS,
  denyReason,
  failReason,
  pendingReason,
  refusedReason,
  type Verdict,
} from "./claude-code.js";
import { type HookOptions, shellQuote, stateDir } from "./options.js";
import type { Answer } from "./run.js";

/**
 * The hook on a local state directory: the policy, the analyzers, the audit log and the
 * approval queue in this process, as `redline mcp` has them, but opened for one call. The
 * decision is durable in the audit log before the answer (a failed write denies). Parsers
 * are loaded only when the action turns out to need them (a Read needs no WASM).
 */
export async function decideLocally(
  raw: Action,
  tool: string,
  o: HookOptions,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<Answer> {
  const deny = (reason: string): Answer => ({ decision: "deny", reason });
  loadPrecompiledValidators(); // here, not in the entry: a call through a control plane checks no schema
  const parsed = parseAction(raw);
  if (!parsed.ok)
    return deny(
      failReason(
        `invalid action: ${parsed.errors.map((e) => `${formatPath(e.path)}: ${e.message}`).join("; ")}`,
      ),
    );
  const action = parsed.action;

  const policy = loadPolicy(o.policy);
  if (!policy.ok) return deny(failReason(policy.error));
  const home = env.HOME || homedir();
  const analyze = await analyzerFor(action, policy.value, home);

  const dir = stateDir(o, env, home);
  let store: SqliteStateStore;
  try {
    store = openSqliteStore({ dir, durability: o.durability });
  } catch (error) {
    return deny(failReason(`cannot open the state directory ${dir} (${(error as Error).message})`));
  }
  try {
    const breaker = new CircuitBreaker(
      policy.value.breaker,
      store.counters,
      store.agents,
      store.audit,
    );
    breaker.on("quarantine", (q) => log(`agent '${q.agent}' quarantined (${q.reason})`));
    const enforcer = new Enforcer({
      current: () => ({ policy: policy.value, analyze }),
      counters: store.counters,
      sessions: store.sessions,
      breaker,
      audit: store.audit,
    });
    const e = await enforcer.decide(action);
    if (e.auditError) log(`audit write failed, call denied: ${e.auditError}`);
    const v = verdictOf(e);
    const d = e.decision.decision;
    if (d === "deny") {
      // A quarantined or suspended agent stays denied until a human acts: say how.
      const identity = await breaker.identity(action.agent).catch(() => undefined);
      const stuck = identity && identity.status !== "active";
      return deny(
        denyReason(tool, v) +
          (stuck
            ? `. Agent '${action.agent}' is ${identity.status}; a human resumes it with \`redline agents resume ${action.agent} --state-dir ${shellQuote(dir)}\``
            : ""),
      );
    }
    if (d === "allow") {
      await enforcer.release(action, e);
      return { decision: "allow", reason: allowReason(v) };
    }
    if (o.ask) return { decision: "ask", reason: askReason(tool, v) };
    const held = await hold(action, e, store, o);
    const id = held.request?.id;
    if (held.granted) {
      await enforcer.release(action, e);
      return { decision: "allow", reason: allowReason(v, id) };
    }
    if (held.pending && id)
      return deny(
        pendingReason(
          tool,
          v,
          { id, command: `redline approvals approve ${id} --state-dir ${shellQuote(dir)}` },
          o.wait,
        ),
      );
    return deny(refusedReason(tool, v, id, held.reason));
  } finally {
    await store.close().catch((error: unknown) => log(`closing the store: ${String(error)}`));
  }
}

/**
 * A call needing approval (ApprovalService.hold): waited on for up to --wait seconds, then
 * left open, so the retry after a human approved finds the grant.
 */
function hold(action: Action, e: Enforced, store: SqliteStateStore, o: HookOptions) {
  return new ApprovalService(store).hold(
    { action, actionHash: e.actionHash, facts: e.facts, decision: e.decision, at: Date.now() },
    {
      signal: o.wait > 0 ? AbortSignal.timeout(o.wait * 1000) : AbortSignal.abort(),
      pollMs: o.approvalPoll * 1000,
    },
  );
}

function verdictOf(e: Enforced): Verdict {
  return {
    categories: e.decision.categories,
    rules: e.decision.rules,
    reason: e.decision.reason,
    auditSeq: e.entry?.seq ?? null,
  };
}

/** The built-in analysis first: a policy file's own declaration for a tool, later, wins. */
function loadPolicy(
  files: readonly string[],
): { ok: true; value: Policy } | { ok: false; error: string } {
  let sources: PolicySource[];
  try {
    sources = readSources(files.length > 0 ? files : [BASELINE_FILE]);
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  const r = compilePolicy([{ file: ANALYSIS_FILE, text: CLAUDE_CODE_ANALYSIS }, ...sources]);
  if (!r.ok)
    return {
      ok: false,
      error: `invalid policy: ${r.errors.map((e) => formatPolicyError(e)).join("; ")}`,
    };
  return { ok: true, value: r.policy };
}

type ParserName = keyof AnalyzerParts;
const LOADERS: { [K in ParserName]: () => Promise<AnalyzerParts[K]> } = {
  shell: loadShellAnalyzer,
  sql: loadSqlAnalyzer,
};

/**
 * The analyzer with only the parsers this action reaches: it is analysed first with stand-ins
 * that note what they were asked and throw; what was asked is loaded and it is analysed again
 * (analysis is pure). A stand-in left in place can only make facts opaque, never empty.
 */
async function analyzerFor(action: Action, policy: Policy, home: string): Promise<Analyzer> {
  const loaded: Partial<AnalyzerParts> = {};
  const asked = new Set<ParserName>();
  const build = (settings: AnalysisSettings) =>
    createAnalyzer(
      {
        shell: loaded.shell ?? standIn(asked, "shell"),
        sql: loaded.sql ?? standIn(asked, "sql"),
      },
      settings,
      { home, realpath, now: () => performance.now() },
    );
  for (let pass = 0; pass < 3; pass++) {
    build(policy.analysis)(action);
    const missing = [...asked].filter((k) => loaded[k] === undefined);
    if (missing.length === 0) break;
    await Promise.all(
      missing.map(async (k) => {
        (loaded as Record<ParserName, unknown>)[k] = await LOADERS[k]();
      }),
    );
  }
  return build(policy.analysis);
}

function standIn<K extends ParserName>(asked: Set<ParserName>, name: K): AnalyzerParts[K] {
  return (() => {
    asked.add(name);
    throw new Error(`the ${name} parser is not loaded`);
  }) as unknown as AnalyzerParts[K];
}
