import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { loadAnalyzerParts } from "../../analyzers/index.js";
import { ApprovalService } from "../../approvals/service.js";
import { analyzerWith } from "../../cli/analysis.js";
import { readSources } from "../../cli/policy-files.js";
import { compilePolicy } from "../../core/policy/compile.js";
import { formatPolicyError } from "../../core/policy/source.js";
import { Enforcer } from "../../enforce/enforcer.js";
import { ReloadingPolicy } from "../../enforce/reload.js";
import { CircuitBreaker } from "../../identity/breaker.js";
import type { AuditLog, StateStore } from "../../store/ports.js";
import { localFilter, Visibility } from "../filter.js";
import { localOutcomes, storeApprovalGate } from "../hold.js";
import { type CredentialCheck, GatewaySession } from "../session.js";
import type { UpstreamSpec } from "../upstream.js";

export const MISBEHAVING = fileURLToPath(new URL("./misbehaving-server.ts", import.meta.url));

/** A spawned fixture server, run through tsx. */
export function fixtureUpstream(name: string): UpstreamSpec {
  return { name, command: process.execPath, args: ["--import", "tsx", MISBEHAVING, name] };
}

export interface InProcess {
  client: Client;
  session: GatewaySession;
  policy: ReloadingPolicy;
  log: string[];
  close(): Promise<void>;
}

/**
 * The gateway's pieces assembled as `redline mcp` assembles them, in this process, with an
 * in-memory agent connection: for the fault tests, which swap a piece for a failing one.
 */
export async function inProcessGateway(args: {
  store: StateStore;
  policyFile: string;
  upstreams: UpstreamSpec[];
  timeoutMs?: number;
  audit?: AuditLog;
  credential?: () => Promise<CredentialCheck>;
}): Promise<InProcess> {
  const parts = await loadAnalyzerParts();
  const first = compilePolicy(readSources([args.policyFile]));
  if (!first.ok) throw new Error(first.errors.map(formatPolicyError).join("\n"));
  const log: string[] = [];
  const policy = new ReloadingPolicy(first.policy, {
    files: [args.policyFile],
    read: readSources,
    analyzer: (p) => analyzerWith(parts, p),
    onReload: (r) => log.push(r.ok ? `reloaded ${r.hash}` : `kept: ${r.error}`),
    debounceMs: 20,
  });
  const audit = args.audit ?? args.store.audit;
  const store = args.store;
  const breaker = new CircuitBreaker(first.policy.breaker, store.counters, store.agents, audit);
  const enforcer = new Enforcer({
    current: policy.current,
    counters: store.counters,
    sessions: store.sessions,
    breaker,
    audit,
  });
  const service = new ApprovalService({
    approvals: store.approvals,
    approvers: store.approvers,
    audit,
  });
  const [agentSide, gatewaySide] = InMemoryTransport.createLinkedPair();
  const actor = { agent: "coding-agent", session: "mcp:test" };
  const session = new GatewaySession(
    gatewaySide,
    {
      enforcer,
      filter: localFilter(new Visibility(policy.current, actor)),
      approvals: storeApprovalGate(service, { pollMs: 20 }),
      outcome: localOutcomes(audit, (l) => log.push(l)),
      log: (l) => log.push(l),
    },
    {
      actor,
      upstreams: args.upstreams,
      upstream: { timeoutMs: args.timeoutMs ?? 10_000, stderr: "ignore" },
      credential: args.credential ?? (async () => ({ ok: true })),
    },
  );
  policy.onChange(() => session.policyChanged());
  policy.watch();
  await session.start();
  const client = new Client({ name: "test-agent", version: "1.0.0" });
  await client.connect(agentSide);
  return {
    client,
    session,
    policy,
    log,
    close: async () => {
      policy.close();
      await client.close();
      await session.close();
    },
  };
}
