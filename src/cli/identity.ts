import { userInfo } from "node:os";
import type { Readable, Writable } from "node:stream";
import type { Command } from "commander";
import type { Policy } from "../core/policy/model.js";
import { AgentIdentity, type AgentSummary, IdentityRefused } from "../identity/agents.js";
import { addApprover, removeApprover } from "../identity/approvers.js";
import { SigningKeys } from "../identity/keys.js";
import { DEFAULT_TTL_MS, MAX_TTL_MS, type VerifyResult } from "../identity/tokens.js";
import type { PanicState } from "../store/ports.js";
import { openSqliteStore, type SqliteStateStore } from "../store/sqlite/open.js";
import { resolveStateDir, STATE_DIR_ENV } from "../store/state-dir.js";
import { UsageError } from "./errors.js";
import { loadPolicy } from "./policy-files.js";

/**
 * `redline agents|panic|resume|token|approvers`: agent runtime state, the kill switch, agent
 * tokens and approver identities. Every change and every refusal is written to the audit log.
 */

export interface IdentityIo {
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  clock?: () => number;
}

interface Common {
  stateDir?: string;
  policy?: string[];
  by?: string;
  json?: boolean;
}

const STATE_DIR_HELP = `state directory (default: $${STATE_DIR_ENV}, else ./.redline)`;
const POLICY_HELP = "policy YAML file(s) the agents come from; default: the shipped baseline";
const BY_HELP = "who is acting, recorded in the audit log (default: your user name)";

export function registerIdentityCommands(
  program: Command,
  setExit: (code: number) => void,
  io: IdentityIo = {},
): void {
  const out = () => io.stdout ?? process.stdout;
  const err = () => io.stderr ?? process.stderr;
  const stdin = () => io.stdin ?? process.stdin;
  const clock = io.clock ?? Date.now;
  const common = (cmd: Command) =>
    cmd
      .option("--state-dir <dir>", STATE_DIR_HELP)
      .option("-p, --policy <file...>", POLICY_HELP)
      .option("--by <name>", BY_HELP)
      .configureHelp({ showGlobalOptions: true });
  const opts = <T>(cmd: Command) => cmd.optsWithGlobals() as T & Common;
  const run = <O extends Common, A extends unknown[]>(f: (o: O, ...args: A) => Promise<number>) =>
    async function (this: Command, ...args: unknown[]) {
      // commander passes the positional arguments, then the options, then the command.
      setExit(await f(opts<O>(this), ...(args.slice(0, -2) as A)));
    };

  // --- agents -------------------------------------------------------------------------------
  const agents = common(
    program
      .command("agents")
      .description("List agents (from the policy) with their runtime state; suspend and resume"),
  );

  agents
    .command("list")
    .description("Every agent the policy declares, with status, who changed it, why and when")
    .option("--json", "print as JSON")
    .addHelpText("after", "\nExample:\n  redline agents list --policy policy.yaml --json")
    .action(
      run(async (o) =>
        withIdentity(o, clock, async ({ id }) => {
          const { agents: list, panic } = await id.list();
          if (o.json) out().write(`${JSON.stringify({ panic, agents: list })}\n`);
          else {
            if (panic.active) out().write(`${panicLine(panic)}\n`);
            if (list.length === 0)
              out().write("no agents declared in the policy (a `*` agent admits any id)\n");
            for (const a of list) out().write(`${agentLine(a, panic)}\n`);
          }
          return 0;
        }),
      ),
    );

  agents
    .command("show")
    .description("One agent's state: status, last change, revocation time, bootstrap secret")
    .argument("<id>", "agent id")
    .option("--json", "print as JSON")
    .action(
      run(async (o, agent: string) =>
        withIdentity(o, clock, async ({ id }) =>
          refusing(err(), async () => {
            const a = await id.show(agent);
            if (o.json) out().write(`${JSON.stringify(a)}\n`);
            else {
              out().write(`${agentLine(a, a.panic)}\n`);
              if (a.revokedBefore !== undefined)
                out().write(`  tokens issued up to ${iso(a.revokedBefore)} are revoked\n`);
              if (a.bootstrapAt !== undefined)
                out().write(`  bootstrap secret set ${iso(a.bootstrapAt)}\n`);
              if (a.panic.active) out().write(`  ${panicLine(a.panic)}\n`);
            }
            return 0;
          }),
        ),
      ),
    );

  agents
    .command("suspend")
    .description("Suspend an agent: every token it holds stops working at its next action")
    .argument("<id>", "agent id")
    .option("--reason <text>", "why (recorded in the audit log)")
    .option("--quarantine", "mark it quarantined instead (as the circuit breaker does)")
    .option("--json", "print the new state as JSON")
    .addHelpText(
      "after",
      "\nTokens issued before the suspension stay dead after `redline agents resume`: the agent\nneeds a fresh token (`redline token issue` or `redline token exchange`).",
    )
    .action(
      run(async (o: Common & { reason?: string; quarantine?: boolean }, agent: string) =>
        withIdentity(o, clock, async ({ id }) =>
          refusing(err(), async () => {
            const s = await id.suspend(agent, o.reason, o.quarantine ? "quarantined" : "suspended");
            out().write(
              o.json
                ? `${JSON.stringify(s)}\n`
                : `${agent} is ${s.status}; its tokens are revoked\n`,
            );
            return 0;
          }),
        ),
      ),
    );

  agents
    .command("resume")
    .description("Resume a suspended or quarantined agent (old tokens stay revoked)")
    .argument("<id>", "agent id")
    .option("--reason <text>", "why (recorded in the audit log)")
    .option("--json", "print the new state as JSON")
    .action(
      run(async (o: Common & { reason?: string }, agent: string) =>
        withIdentity(o, clock, async ({ id }) =>
          refusing(err(), async () => {
            const s = await id.resume(agent, o.reason);
            out().write(o.json ? `${JSON.stringify(s)}\n` : `${agent} is active\n`);
            return 0;
          }),
        ),
      ),
    );

  agents
    .command("bootstrap")
    .description("Give an agent a bootstrap secret (shown once) that it exchanges for fresh tokens")
    .argument("<id>", "agent id")
    .option("--json", 'print {"agent","secret"} as JSON')
    .addHelpText(
      "after",
      "\nThe secret is stored only as an scrypt hash; running this again replaces it.\nThe agent renews with: redline token exchange --agent ID < secret-file",
    )
    .action(
      run(async (o, agent: string) =>
        withIdentity(o, clock, async ({ id }) =>
          refusing(err(), async () => {
            const secret = await id.bootstrap(agent);
            out().write(o.json ? `${JSON.stringify({ agent, secret })}\n` : `${secret}\n`);
            err().write(
              "note: this secret is shown once; give it to the agent through its secret store\n",
            );
            return 0;
          }),
        ),
      ),
    );

  // --- panic / resume --all -------------------------------------------------------------------
  common(
    program
      .command("panic")
      .description("Kill switch: suspend every agent and revoke every token issued until now"),
  )
    .option("--reason <text>", "why (recorded in the audit log)")
    .option("--json", "print the panic state as JSON")
    .addHelpText(
      "after",
      "\nClear it with `redline resume --all`. Tokens issued before the panic stay dead; agents\nthat were suspended on their own stay suspended.",
    )
    .action(
      run(async (o: Common & { reason?: string }) =>
        withIdentity(o, clock, async ({ id }) => {
          const p = await id.panic(o.reason);
          out().write(o.json ? `${JSON.stringify(p)}\n` : `${panicLine(p)}\n`);
          return 0;
        }),
      ),
    );

  common(
    program
      .command("resume")
      .description("Clear a panic (--all), or resume one agent (same as `agents resume`)"),
  )
    .argument("[id]", "agent id")
    .option("--all", "clear the panic: every agent not suspended on its own may act again")
    .option("--reason <text>", "why (recorded in the audit log)")
    .option("--json", "print the new state as JSON")
    .action(
      run(async (o: Common & { reason?: string; all?: boolean }, agent: string | undefined) => {
        if (Boolean(o.all) === (agent !== undefined))
          throw new UsageError("give either an agent id or --all");
        return withIdentity(o, clock, async ({ id }) =>
          refusing(err(), async () => {
            if (agent !== undefined) {
              const s = await id.resume(agent, o.reason);
              out().write(o.json ? `${JSON.stringify(s)}\n` : `${agent} is active\n`);
            } else {
              const p = await id.clearPanic(o.reason);
              out().write(
                o.json
                  ? `${JSON.stringify(p)}\n`
                  : "panic cleared; tokens issued before it stay revoked\n",
              );
            }
            return 0;
          }),
        );
      }),
    );

  // --- token ------------------------------------------------------------------------------------
  const token = common(
    program
      .command("token")
      .description("Issue, verify and exchange short-lived agent tokens (EdDSA JWT)"),
  );

  token
    .command("issue")
    .description("Issue a token for one agent")
    .requiredOption("--agent <id>", "the agent the token is bound to")
    .option(
      "--ttl <duration>",
      `lifetime, e.g. 90s, 10m, 1h (default ${DEFAULT_TTL_MS / 60_000}m, at most ${MAX_TTL_MS / 60_000}m)`,
    )
    .option("--json", 'print {"token","agent","kid","jti","issuedAt","expiresAt"}')
    .addHelpText(
      "after",
      "\nExample:\n  export REDLINE_TOKEN=$(redline token issue --agent ops-bot --ttl 10m)",
    )
    .action(
      run(async (o: Common & { agent: string; ttl?: string }) => {
        const ttl = o.ttl === undefined ? undefined : parseDuration(o.ttl, "--ttl");
        return withIdentity(o, clock, async ({ id }) =>
          refusing(err(), async () => printIssued(out(), o.json, await id.issue(o.agent, ttl))),
        );
      }),
    );

  token
    .command("verify")
    .description("Verify a token read from standard input; print the identity or the refusal")
    .option("--agent <id>", "the agent the token is presented as (refused if it is another's)")
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      '\nExit codes: 0 valid, 1 refused (the refusal is also written to the audit log).\nExample:\n  echo "$REDLINE_TOKEN" | redline token verify --agent ops-bot --json',
    )
    .action(
      run(async (o: Common & { agent?: string }) => {
        const text = (await readAll(stdin())).trim();
        return withIdentity(o, clock, async ({ id }) => {
          const r = await id.verify(text, o.agent);
          printVerify(out(), o.json, r);
          return r.ok ? 0 : 1;
        });
      }),
    );

  token
    .command("exchange")
    .description("Exchange an agent's bootstrap secret (standard input) for a fresh token")
    .requiredOption("--agent <id>", "the agent the secret belongs to")
    .option("--ttl <duration>", "lifetime, as for `token issue`")
    .option("--json", "print as JSON, as `token issue --json`")
    .addHelpText(
      "after",
      "\nExit codes: 0 issued, 1 refused (wrong secret, suspended agent, ...).\nExample:\n  redline token exchange --agent ops-bot < /run/secrets/redline-bootstrap",
    )
    .action(
      run(async (o: Common & { agent: string; ttl?: string }) => {
        const ttl = o.ttl === undefined ? undefined : parseDuration(o.ttl, "--ttl");
        const secret = (await readAll(stdin())).trim();
        if (!secret) throw new UsageError("no bootstrap secret on standard input");
        return withIdentity(o, clock, async ({ id }) =>
          refusing(err(), async () =>
            printIssued(out(), o.json, await id.exchange(o.agent, secret, ttl)),
          ),
        );
      }),
    );

  token
    .command("rotate-key")
    .description(
      "Start signing with a new key; the old one keeps verifying until its tokens have expired",
    )
    .option("--json", "print the key list as JSON")
    .action(
      run(async (o) =>
        withIdentity(o, clock, async ({ keys }) => {
          const k = keys.rotate(clock(), MAX_TTL_MS);
          const list = keys.list().map(({ publicKey: _, ...rest }) => rest);
          out().write(
            o.json
              ? `${JSON.stringify({ current: k.kid, keys: list })}\n`
              : `signing with ${k.kid}; previous key verifies for ${MAX_TTL_MS / 60_000}m more\n`,
          );
          return 0;
        }),
      ),
    );

  // --- approvers --------------------------------------------------------------------------------
  const approvers = common(
    program
      .command("approvers")
      .description(
        "Humans who may approve requests: kept apart from agents, with their own secret",
      ),
  );

  approvers
    .command("add")
    .description("Add an approver; prints their secret once (stored only hashed)")
    .argument("<id>", "approver id, e.g. alice@example.com (never an agent's id)")
    .option("--name <text>", "display name")
    .option("--reason <text>", "why (recorded in the audit log)")
    .option("--json", 'print {"approver","secret"} as JSON')
    .action(
      run(async (o: Common & { name?: string; reason?: string }, approverId: string) =>
        withIdentity(o, clock, async ({ store, policy }) => {
          let added: Awaited<ReturnType<typeof addApprover>>;
          try {
            added = await addApprover(store.approvers, store.audit, {
              id: approverId,
              name: o.name,
              reason: o.reason,
              by: actor(o),
              at: clock(),
              agentIds: policy.agents,
            });
          } catch (error) {
            throw new UsageError((error as Error).message);
          }
          out().write(o.json ? `${JSON.stringify(added)}\n` : `${added.secret}\n`);
          err().write("note: this secret is shown once; hand it to the approver privately\n");
          return 0;
        }),
      ),
    );

  approvers
    .command("list")
    .description("List approvers (never their secrets)")
    .option("--json", "print as JSON")
    .action(
      run(async (o) =>
        withIdentity(o, clock, async ({ store }) => {
          const list = await store.approvers.list();
          if (o.json) out().write(`${JSON.stringify(list)}\n`);
          else if (list.length === 0) out().write("no approvers\n");
          else
            for (const a of list)
              out().write(
                `${a.id}${a.name ? ` (${a.name})` : ""}  added by ${a.created.by} ${iso(a.created.at)}\n`,
              );
          return 0;
        }),
      ),
    );

  approvers
    .command("remove")
    .description("Remove an approver: their secret stops working at once")
    .argument("<id>", "approver id")
    .option("--reason <text>", "why (recorded in the audit log)")
    .action(
      run(async (o: Common & { reason?: string }, approverId: string) =>
        withIdentity(o, clock, async ({ store }) => {
          const removed = await removeApprover(store.approvers, store.audit, approverId, {
            by: actor(o),
            reason: o.reason,
            at: clock(),
          });
          if (!removed) {
            err().write(`redline: no approver '${approverId}'\n`);
            return 1;
          }
          out().write(`removed approver ${approverId}\n`);
          return 0;
        }),
      ),
    );
}

interface Opened {
  store: SqliteStateStore;
  keys: SigningKeys;
  policy: Policy;
  id: AgentIdentity;
}

async function withIdentity(
  o: Common,
  clock: () => number,
  f: (x: Opened) => Promise<number>,
): Promise<number> {
  const policy = loadPolicy(o.policy);
  const dir = resolveStateDir(o.stateDir);
  let store: SqliteStateStore;
  let keys: SigningKeys;
  try {
    store = openSqliteStore({ dir });
    keys = SigningKeys.open(dir, clock());
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  try {
    const id = new AgentIdentity({
      agents: store.agents,
      audit: store.audit,
      keys,
      policy,
      clock,
      actor: actor(o),
    });
    return await f({ store, keys, policy, id });
  } finally {
    await store.close();
  }
}

/** A refused operation prints its code and reason and exits 1; a bad argument is a usage error. */
async function refusing(err: Writable, f: () => Promise<number>): Promise<number> {
  try {
    return await f();
  } catch (error) {
    if (error instanceof IdentityRefused) {
      err.write(`redline: refused [${error.refusal.code}]: ${error.refusal.reason}\n`);
      return 1;
    }
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
}

function actor(o: Common): string {
  if (o.by) return o.by;
  try {
    return process.env.USER || userInfo().username || "operator";
  } catch {
    return "operator";
  }
}

function printIssued(
  out: Writable,
  json: boolean | undefined,
  t: { token: string; kid: string; claims: { sub: string; jti: string; iat: number; exp: number } },
): number {
  out.write(
    json
      ? `${JSON.stringify({
          token: t.token,
          agent: t.claims.sub,
          kid: t.kid,
          jti: t.claims.jti,
          issuedAt: iso(t.claims.iat * 1000),
          expiresAt: iso(t.claims.exp * 1000),
        })}\n`
      : `${t.token}\n`,
  );
  return 0;
}

function printVerify(out: Writable, json: boolean | undefined, r: VerifyResult): void {
  if (json) {
    out.write(
      `${JSON.stringify(
        r.ok
          ? { ok: true, agent: r.agent, identity: r.identity, kid: r.kid, claims: r.claims }
          : { ok: false, refusal: r.refusal, identity: r.identity },
      )}\n`,
    );
  } else if (r.ok) {
    out.write(
      `valid: agent ${r.agent}, token ${r.claims.jti}, expires ${iso(r.claims.exp * 1000)}\n`,
    );
  } else out.write(`refused [${r.refusal.code}]: ${r.refusal.reason}\n`);
}

function agentLine(a: AgentSummary, panic: PanicState): string {
  const status = panic.active && a.status === "active" ? "suspended (panic)" : a.status;
  const parts = [a.agent.padEnd(20), status.padEnd(18)];
  if (a.owner) parts.push(`owner=${a.owner}`);
  if (a.environment) parts.push(`env=${a.environment}`);
  if (!a.inPolicy) parts.push("(not declared in the policy)");
  if (a.change)
    parts.push(
      `by ${a.change.by} ${iso(a.change.at)}${a.change.reason ? `: ${a.change.reason}` : ""}`,
    );
  return parts.join(" ").trimEnd();
}

function panicLine(p: PanicState): string {
  if (!p.active) return "no panic";
  const c = p.change;
  return `PANIC: every agent is suspended${c ? ` (by ${c.by} ${iso(c.at)}${c.reason ? `: ${c.reason}` : ""})` : ""}`;
}

const iso = (ms: number) => new Date(ms).toISOString();

const DURATION = /^(\d+)(s|m|h)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000 } as const;

/** "90s", "10m", "1h" → milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const m = DURATION.exec(text.trim());
  if (!m) throw new UsageError(`${flag}: '${text}' is not a duration like 90s, 10m or 1h`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

async function readAll(input: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += b.length;
    if (size > 64 * 1024) throw new UsageError("standard input is too large for a credential");
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString("utf8");
}
