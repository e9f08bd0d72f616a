import { loadAnalyzerParts } from "../analyzers/index.js";
import { ApprovalService } from "../approvals/service.js";
import { Enforcer } from "../enforce/enforcer.js";
import { ReloadingPolicy } from "../enforce/reload.js";
import { CircuitBreaker } from "../identity/breaker.js";
import { SigningKeys } from "../identity/keys.js";
import { AgentTokenVerifier } from "../identity/tokens.js";
import type { Durability } from "../store/ports.js";
import { openSqliteStore, type SqliteStateStore } from "../store/sqlite/open.js";
import { resolveStateDir } from "../store/state-dir.js";
import { analyzerWith } from "./analysis.js";
import { UsageError } from "./errors.js";
import { loadPolicy, readSources } from "./policy-files.js";

/** How often a long-running process checkpoints its WAL, off the event loop (store/sqlite/wal.ts). */
const WAL_CHECKPOINT_MS = 250;
/** ...started once the WAL reaches 1 MiB: a process that writes little keeps no thread for it. */
const WAL_WORKER_AT_BYTES = 1 << 20;

/** What every long-running enforcement process (`mcp`, `serve`) is made of, opened once. */
export interface Enforcement {
  dir: string;
  policy: ReloadingPolicy;
  store: SqliteStateStore;
  keys: SigningKeys;
  enforcer: Enforcer;
  approvals: ApprovalService;
  verifier: AgentTokenVerifier;
  close(): Promise<void>;
}

export async function openEnforcement(o: {
  policy?: string[];
  stateDir?: string;
  durability?: Durability;
  watch?: boolean;
  /** False for a control plane: its agents' paths are on their own machines. */
  localPaths?: boolean;
  log: (line: string) => void;
}): Promise<Enforcement> {
  const files = o.policy ?? [];
  const initial = loadPolicy(files);
  const parts = await loadAnalyzerParts();
  const policy = new ReloadingPolicy(initial, {
    files,
    read: readSources,
    analyzer: (p) => analyzerWith(parts, p, { localPaths: o.localPaths ?? true }),
    onReload: (r) =>
      o.log(
        r.ok
          ? `policy reloaded (${r.hash})`
          : `policy not reloaded, keeping the last good one: ${r.error}`,
      ),
  });
  const dir = resolveStateDir(o.stateDir);
  let store: SqliteStateStore;
  let keys: SigningKeys;
  try {
    store = openSqliteStore({
      dir,
      durability: o.durability ?? "crash",
      walCheckpoints: {
        intervalMs: WAL_CHECKPOINT_MS,
        startAtWalBytes: WAL_WORKER_AT_BYTES,
        log: o.log,
      },
    });
    keys = SigningKeys.open(dir, Date.now());
  } catch (error) {
    throw new UsageError(`cannot open the state directory ${dir}: ${(error as Error).message}`);
  }
  const breaker = new CircuitBreaker(
    () => policy.current().policy.breaker,
    store.counters,
    store.agents,
    store.audit,
  );
  breaker.on("quarantine", (q) => o.log(`agent '${q.agent}' quarantined (${q.reason})`));
  if (o.watch !== false && files.length > 0) policy.watch();
  return {
    dir,
    policy,
    store,
    keys,
    enforcer: new Enforcer({
      current: policy.current,
      counters: store.counters,
      sessions: store.sessions,
      breaker,
      audit: store.audit,
    }),
    approvals: new ApprovalService(store),
    // Enforcement points see the same token on every call: Ed25519 once per token.
    verifier: new AgentTokenVerifier({
      keys,
      agents: store.agents,
      audit: store.audit,
      verifiedCacheSize: 4096,
    }),
    close: async () => {
      policy.close();
      await store.audit.checkpoint().catch(() => undefined);
      await store.close();
    },
  };
}
