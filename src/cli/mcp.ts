import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { AgentIdentity } from "../identity/agents.js";
import { type IssuedToken, policyKnows } from "../identity/tokens.js";
import type { Actor } from "../mcp/actions.js";
import { ConfigError, parseConfig } from "../mcp/config.js";
import { localFilter, Visibility } from "../mcp/filter.js";
import { localOutcomes, storeApprovalGate } from "../mcp/hold.js";
import { HttpGateway } from "../mcp/http.js";
import { type CredentialCheck, GatewaySession, type SessionDeps } from "../mcp/session.js";
import type { UpstreamSpec } from "../mcp/upstream.js";
import { ControlPlaneClient } from "../remote/control-plane.js";
import type { Durability } from "../store/ports.js";
import { openEnforcement } from "./enforcement.js";
import { UsageError } from "./errors.js";
import { listenAddress } from "./listen.js";

export interface McpOptions {
  policy?: string[];
  stateDir?: string;
  durability?: Durability;
  listen?: string;
  path?: string;
  url?: string;
  name?: string;
  config?: string;
  agent?: string;
  tokenFile?: string;
  environment?: string;
  allowedHost?: string[];
  allowedOrigin?: string[];
  callTimeout?: string;
  approvalPoll?: string;
  watch?: boolean;
  server?: string;
}

export const TOKEN_ENV = "REDLINE_TOKEN";
export const AGENT_ENV = "REDLINE_AGENT";
export const SECRET_ENV = "REDLINE_AGENT_SECRET";

/**
 * `redline mcp`: the MCP gateway's composition root. Agents connect over stdio (one session:
 * this process) or streamable HTTP (`--listen`); upstreams are spawned commands or URLs.
 * Resolves with the exit code once the gateway stops.
 */
export async function runMcp(
  o: McpOptions,
  command: string[],
  env: NodeJS.ProcessEnv,
  stderr: NodeJS.WritableStream,
): Promise<number> {
  const log = (line: string) => stderr.write(`redline mcp: ${line}\n`);
  const upstreams = upstreamsFrom(o, command, env);
  const timeoutMs = seconds(o.callTimeout ?? "120", "--call-timeout") * 1000;
  const pollMs =
    o.approvalPoll === undefined ? 250 : seconds(o.approvalPoll, "--approval-poll") * 1000;
  const backend = o.server ? remoteBackend(o.server, log) : await localBackend(o, pollMs, log);
  const check = backend.check;
  const sessionOptions = { upstreams, upstream: { timeoutMs } };
  const live = new Set<GatewaySession>();
  const open = (
    transport: Transport,
    agent: string,
    session: string,
    token: () => string,
    credential: () => Promise<CredentialCheck>,
  ) => {
    const actor = {
      agent,
      session: `mcp:${session}`,
      ...(o.environment ? { environment: o.environment } : {}),
    };
    const s = new GatewaySession(transport, backend.deps(actor, token), {
      ...sessionOptions,
      actor,
      credential,
    });
    live.add(s);
    return {
      start: () => s.start(),
      close: async () => {
        live.delete(s);
        await s.close();
      },
      session: s,
    };
  };
  backend.onPolicyChange(() => {
    for (const s of live) s.policyChanged();
  });

  const stopped = new Promise<void>((resolve) => {
    for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => resolve());
  });
  let http: HttpGateway | undefined;
  try {
    if (o.listen) {
      const { host, port } = listenAddress(o.listen);
      http = new HttpGateway({
        host,
        port,
        path: o.path ?? "/mcp",
        ...(o.allowedHost ? { allowedHosts: o.allowedHost } : {}),
        ...(o.allowedOrigin ? { allowedOrigins: o.allowedOrigin } : {}),
        authenticate: async (token) => {
          const r = await check(token);
          return r.ok ? { ok: true, agent: r.agent as string } : { ok: false, reason: r.reason };
        },
        open: ({ transport, agent, sessionId, token }) =>
          open(transport, agent, sessionId, token, () => check(token(), agent)),
        log,
      });
      const url = await http.listen();
      log(`listening ${url.href} (upstream: ${upstreams.map((u) => u.name).join(", ")})`);
      await stopped;
    } else {
      const cred = await stdioCredential(o, env, backend);
      const s = open(new StdioServerTransport(), cred.agent, randomUUID(), cred.token, cred.check);
      const closed = new Promise<void>((resolve) => {
        s.session.onClosed(resolve);
      });
      await s.start();
      log(
        `serving agent '${cred.agent}' on stdio (upstream: ${upstreams.map((u) => u.name).join(", ")})`,
      );
      await Promise.race([closed, stopped]);
    }
  } finally {
    await http?.close();
    await Promise.all([...live].map((s) => s.close()));
    await backend.close();
  }
  return 0;
}

/**
 * The stdio agent's credential: a token (REDLINE_TOKEN or --token-file), checked now and on
 * every request; or a bootstrap secret (REDLINE_AGENT_SECRET), exchanged for short-lived
 * tokens that are renewed before they expire. Without a valid one nothing is served.
 */
async function stdioCredential(
  o: McpOptions,
  env: NodeJS.ProcessEnv,
  backend: Backend,
): Promise<{ agent: string; token: () => string; check: () => Promise<CredentialCheck> }> {
  const { check } = backend;
  const secret = env[SECRET_ENV];
  const agentFlag = o.agent ?? env[AGENT_ENV];
  if (secret && !o.tokenFile && !env[TOKEN_ENV]) {
    if (!agentFlag) throw new UsageError(`${SECRET_ENV} needs the agent: --agent or ${AGENT_ENV}`);
    const exchange = backend.exchange;
    if (!exchange)
      throw new UsageError(
        `${SECRET_ENV} needs the local state directory; with --server give ${TOKEN_ENV}`,
      );
    let token = "";
    let renewAt = 0;
    const renew = async () => {
      const issued = await exchange(agentFlag, secret);
      token = issued.token;
      // Renewed at two thirds of its life, so a call never meets an expired token.
      renewAt = Date.now() + ((issued.claims.exp - issued.claims.iat) * 1000 * 2) / 3;
    };
    try {
      await renew();
    } catch (error) {
      throw new UsageError(`agent '${agentFlag}': ${(error as Error).message}`);
    }
    return {
      agent: agentFlag,
      token: () => token,
      check: async () => {
        if (Date.now() >= renewAt) {
          try {
            await renew();
          } catch (error) {
            return { ok: false, reason: (error as Error).message, identity: { status: "revoked" } };
          }
        }
        return check(token, agentFlag);
      },
    };
  }
  const token = o.tokenFile ? readToken(o.tokenFile) : env[TOKEN_ENV];
  if (!token)
    throw new UsageError(
      `no agent credential: set ${TOKEN_ENV} (or --token-file), or ${SECRET_ENV} with --agent; nothing is served without one`,
    );
  const first = await check(token.trim(), agentFlag);
  if (!first.ok) throw new UsageError(`agent token refused: ${first.reason}`);
  const agent = first.agent as string;
  return { agent, token: () => token.trim(), check: () => check(token.trim(), agent) };
}

/** Where sessions decide: this process's state directory, or a control plane. */
interface Backend {
  check(token: string, agent?: string): Promise<CredentialCheck & { agent?: string }>;
  deps(actor: Actor, token: () => string): SessionDeps;
  /** Exchanges a bootstrap secret for a token (local state only). */
  exchange?: (agent: string, secret: string) => Promise<IssuedToken>;
  onPolicyChange(f: () => void): void;
  close(): Promise<void>;
}

async function localBackend(
  o: McpOptions,
  pollMs: number,
  log: (l: string) => void,
): Promise<Backend> {
  const en = await openEnforcement({ ...o, log });
  const { policy, store, keys, verifier } = en;
  const approvals = storeApprovalGate(en.approvals, { pollMs });
  const outcome = localOutcomes(store.audit, log);
  return {
    async check(token, agent) {
      const r = await verifier.verify(token, agent);
      if (!r.ok) return { ok: false, reason: r.refusal.reason, identity: r.identity };
      if (!policyKnows(policy.current().policy, r.agent))
        return {
          ok: false,
          reason: `agent '${r.agent}' is not in the policy`,
          identity: { status: "revoked" },
        };
      return { ok: true, agent: r.agent };
    },
    deps: (actor) => ({
      enforcer: en.enforcer,
      filter: localFilter(new Visibility(policy.current, actor)),
      approvals,
      outcome,
      log,
    }),
    exchange: (agent, secret) =>
      new AgentIdentity({
        agents: store.agents,
        audit: store.audit,
        keys,
        policy: policy.current().policy,
        actor: "redline-mcp",
      }).exchange(agent, secret),
    onPolicyChange: (f) => policy.onChange(f),
    close: () => en.close(),
  };
}

/** Decisions, approvals and lists from `redline serve` at `server`; the policy lives there. */
function remoteBackend(server: string, log: (l: string) => void): Backend {
  let client: ControlPlaneClient;
  try {
    client = new ControlPlaneClient(server, { log });
  } catch {
    throw new UsageError(`--server ${server}: not a URL`);
  }
  return {
    check: (token, agent) =>
      client.whoami(token).then((r) =>
        r.ok && agent !== undefined && r.agent !== agent
          ? {
              ok: false,
              reason: `token of agent '${r.agent}', not '${agent}'`,
              identity: { status: "revoked" },
            }
          : r,
      ),
    deps: (_actor, token) => ({ ...client.session(token, log), log }),
    onPolicyChange: () => undefined,
    close: async () => undefined,
  };
}

function readToken(file: string): string {
  try {
    return readFileSync(file, "utf8").trim();
  } catch (error) {
    throw new UsageError(
      `cannot read --token-file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

function upstreamsFrom(o: McpOptions, command: string[], env: NodeJS.ProcessEnv): UpstreamSpec[] {
  const given = [o.config, o.url, command.length > 0 ? "command" : undefined].filter(Boolean);
  if (given.length !== 1)
    throw new UsageError(
      given.length === 0
        ? "no upstream: give a command after --, or --url URL, or --config FILE"
        : "give one of: a command after --, --url, --config",
    );
  if (o.config) {
    let text: string;
    try {
      text = readFileSync(o.config, "utf8");
    } catch (error) {
      throw new UsageError(
        `cannot read --config ${o.config}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
    try {
      return parseConfig(o.config, text, env);
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(error.message);
      throw error;
    }
  }
  if (o.url) {
    let url: URL;
    try {
      url = new URL(o.url);
    } catch {
      throw new UsageError(`--url ${o.url}: not a URL`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new UsageError(`--url ${o.url}: must be http:// or https://`);
    return [{ name: o.name ?? url.hostname, url: url.href }];
  }
  const [cmd, ...args] = command as [string, ...string[]];
  return [{ name: o.name ?? serverName(cmd, args), command: cmd, args }];
}

const RUNNERS = new Set(["npx", "bunx", "uvx", "pnpx"]);

/** A readable server name: `npx -y @modelcontextprotocol/server-filesystem` → filesystem. */
export function serverName(cmd: string, args: readonly string[]): string {
  const base = basename(cmd).replace(/\.(js|mjs|cjs|exe|cmd)$/, "");
  const pkg = RUNNERS.has(base) ? args.find((a) => !a.startsWith("-")) : undefined;
  const name = (pkg ?? base)
    .replace(/^@[^/]+\//, "")
    .replace(/@[^@]*$/, "")
    .replace(/^(mcp-server-|server-)|(-mcp-server|-mcp)$/g, "");
  return name.replace(/[^A-Za-z0-9.-]/g, "-") || "upstream";
}

function seconds(s: string, flag: string): number {
  const n = Number(s);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`${flag} ${s}: expected a number of seconds > 0`);
  return n;
}
