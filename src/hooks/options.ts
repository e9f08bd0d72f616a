import path from "node:path";
import { parseArgs } from "node:util";
import type { Result } from "./claude-code.js";

/**
 * The hook's flags, parsed the same way whether it runs as `redline hook claude-code` or from
 * its own entry (dist/hooks/main.cjs, what `redline hook install` writes): node:util parseArgs,
 * not commander, so the entry loads nothing else. A bad flag is an error the runner turns into
 * a deny, never an exit the call could slip past.
 */
export interface HookOptions {
  server?: string;
  tokenFile?: string;
  policy: string[];
  stateDir?: string;
  durability: "crash" | "fsync";
  agent?: string;
  environment?: string;
  /** Seconds to wait for a human's answer to an approval request. */
  wait: number;
  ask: boolean;
  /** Seconds between reads of a local approval request. */
  approvalPoll: number;
  /** Seconds one request to the control plane may take. */
  timeout: number;
  help: boolean;
  printAnalysis: boolean;
}

export const DEFAULT_WAIT_S = 20;
export const DEFAULT_TIMEOUT_S = 10;
/** At most the deadline's margin: the hook answers before Claude Code gives up on it. */
export const MAX_TIMEOUT_S = 15;
export const MAX_WAIT_S = 600;
/** Beyond the wait: decisions and network calls; the hook answers within wait + this. */
export const DEADLINE_MARGIN_S = 20;
/** What `hook install` gives Claude Code as the hook's timeout, beyond the wait. */
export const INSTALL_TIMEOUT_MARGIN_S = 30;

export const TOKEN_ENV = "REDLINE_TOKEN";
export const AGENT_ENV = "REDLINE_AGENT";
export const DEFAULT_AGENT = "claude-code";

interface Spec {
  flag: string;
  short?: string;
  arg?: string;
  multiple?: boolean;
  text: string;
}

/** The table --help is printed from, and commander's `hook install` flags are built from. */
export const HOOK_FLAGS: readonly Spec[] = [
  {
    flag: "server",
    arg: "url",
    text: `decide through a control plane (redline serve); its agent token from $${TOKEN_ENV} or --token-file`,
  },
  { flag: "token-file", arg: "file", text: "with --server: read the agent token from FILE" },
  {
    flag: "timeout",
    arg: "seconds",
    text: `with --server: how long one request may take (default ${DEFAULT_TIMEOUT_S}, at most ${MAX_TIMEOUT_S})`,
  },
  {
    flag: "policy",
    short: "p",
    arg: "file",
    multiple: true,
    text: "standalone: policy YAML file(s) (default: the shipped baseline)",
  },
  {
    flag: "state-dir",
    arg: "dir",
    text: "standalone: state directory (default: $REDLINE_STATE_DIR, else ~/.redline, outside the agent's workspace)",
  },
  { flag: "durability", arg: "level", text: "standalone: crash (default) or fsync" },
  {
    flag: "agent",
    arg: "id",
    text: `the agent (default: $${AGENT_ENV}, else the token's, else ${DEFAULT_AGENT})`,
  },
  { flag: "environment", arg: "env", text: "the environment actions are taken in (e.g. prod)" },
  {
    flag: "wait",
    arg: "seconds",
    text: `how long a call needing approval waits for a human before it is denied (default ${DEFAULT_WAIT_S}, at most ${MAX_WAIT_S})`,
  },
  {
    flag: "ask",
    text: 'answer "ask" for calls needing approval: the developer at the console decides',
  },
  {
    flag: "approval-poll",
    arg: "seconds",
    text: "standalone: how often a waiting call re-reads its approval request (default 0.25)",
  },
  { flag: "print-analysis", text: "print the built-in analysis of Claude Code's tools (YAML)" },
  { flag: "help", short: "h", text: "show this help" },
];

export const HOOK_HELP = `Usage: redline hook claude-code [options]
       node <redline>/dist/hooks/main.cjs claude-code [options]   (what \`redline hook install\` writes)

Claude Code PreToolUse hook: reads the hook's JSON on stdin, decides the tool call with Redline,
prints {"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"allow|deny|ask",
"permissionDecisionReason":"..."}} and exits 0. Any error (bad input, bad flags, an unreachable
server, a state directory or audit log that cannot be written) is a deny with the reason.

Options:
${HOOK_FLAGS.map((s) => {
  const name = `${s.short ? `-${s.short}, ` : "    "}--${s.flag}${s.arg ? ` <${s.arg}${s.multiple ? "..." : ""}>` : ""}`;
  return `  ${name.padEnd(30)}${s.text}`;
}).join("\n")}

A call needing approval opens a request in Redline's queue (the control plane's with --server)
and waits up to --wait seconds; then it is denied with the request id, and once a human approves
(redline approvals approve <id>), retrying the same call runs it once.

Examples:
  redline hook install claude-code --project
  echo '{"hook_event_name":"PreToolUse","session_id":"s1","cwd":"/work/app","tool_name":"Bash","tool_input":{"command":"rm -rf /"}}' \\
    | redline hook claude-code
  REDLINE_TOKEN=... redline hook claude-code --server http://127.0.0.1:7878
`;

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Parses the flags after the harness name. `--policy a b` takes both, as commander does. */
export function parseHookArgs(args: readonly string[]): Result<HookOptions> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...args],
      options: Object.fromEntries(
        HOOK_FLAGS.map((s) => [
          s.flag,
          {
            type: s.arg ? ("string" as const) : ("boolean" as const),
            ...(s.short ? { short: s.short } : {}),
            ...(s.multiple ? { multiple: true } : {}),
          },
        ]),
      ),
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (error) {
    // node's message goes on to explain `--`; the first sentence says what is wrong
    return { ok: false, error: (error as Error).message.replace(/\. To specify .*$/s, "") };
  }
  const v = parsed.values as Record<string, string | string[] | boolean | undefined>;
  const policy = [...((v.policy as string[] | undefined) ?? [])];
  // Positionals right after --policy FILE are more policy files; any other is an error.
  let afterPolicy = false;
  for (const t of parsed.tokens ?? []) {
    if (t.kind === "option") afterPolicy = t.name === "policy";
    else if (t.kind === "positional") {
      if (!afterPolicy) return { ok: false, error: `unexpected argument '${t.value}'` };
      policy.push(t.value);
    } else afterPolicy = false;
  }
  const o: HookOptions = {
    policy,
    durability: "crash",
    wait: DEFAULT_WAIT_S,
    ask: v.ask === true,
    approvalPoll: 0.25,
    timeout: DEFAULT_TIMEOUT_S,
    help: v.help === true,
    printAnalysis: v["print-analysis"] === true,
  };
  for (const key of ["server", "token-file", "state-dir", "agent", "environment"] as const) {
    const s = v[key];
    if (typeof s === "string") {
      if (s === "") return { ok: false, error: `--${key}: expected a value` };
      (o as unknown as Record<string, string>)[camel(key)] = s;
    }
  }
  if (v.durability !== undefined) {
    if (v.durability !== "crash" && v.durability !== "fsync")
      return { ok: false, error: `--durability ${v.durability}: expected crash or fsync` };
    o.durability = v.durability;
  }
  for (const [key, min, max] of [
    ["wait", 0, MAX_WAIT_S],
    ["approval-poll", 0.01, 60],
    ["timeout", 0.1, MAX_TIMEOUT_S],
  ] as const) {
    const s = v[key];
    if (typeof s !== "string") continue;
    const n = Number(s);
    if (s.trim() === "" || !Number.isFinite(n) || n < min || n > max)
      return { ok: false, error: `--${key} ${s}: expected seconds from ${min} to ${max}` };
    if (key === "wait") o.wait = n;
    else if (key === "timeout") o.timeout = n;
    else o.approvalPoll = n;
  }
  if (o.server !== undefined) {
    try {
      const u = new URL(o.server);
      if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("scheme");
    } catch {
      return { ok: false, error: `--server ${o.server}: expected an http:// or https:// URL` };
    }
    const local = o.policy.length > 0 ? "--policy" : o.stateDir ? "--state-dir" : undefined;
    if (local)
      return {
        ok: false,
        error: `${local} does not go with --server: the control plane holds the policy and the state`,
      };
  } else if (o.tokenFile || v.timeout !== undefined)
    return { ok: false, error: `${o.tokenFile ? "--token-file" : "--timeout"} needs --server` };
  return { ok: true, value: o };
}

/** Back to flags, for the command `hook install` writes (only what differs from defaults). */
export function hookArgs(o: Partial<HookOptions>): string[] {
  const out: string[] = [];
  if (o.server) out.push("--server", o.server);
  if (o.tokenFile) out.push("--token-file", o.tokenFile);
  if (o.timeout !== undefined && o.timeout !== DEFAULT_TIMEOUT_S)
    out.push("--timeout", String(o.timeout));
  for (const p of o.policy ?? []) out.push("--policy", p);
  if (o.stateDir) out.push("--state-dir", o.stateDir);
  if (o.durability && o.durability !== "crash") out.push("--durability", o.durability);
  if (o.agent) out.push("--agent", o.agent);
  if (o.environment) out.push("--environment", o.environment);
  if (o.wait !== undefined && o.wait !== DEFAULT_WAIT_S) out.push("--wait", String(o.wait));
  if (o.ask) out.push("--ask");
  return out;
}

/** A word for a POSIX shell command line (Claude Code runs hook commands with a shell). */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

/**
 * The hook's state directory: --state-dir, else $REDLINE_STATE_DIR, else ~/.redline. Not
 * ./.redline as elsewhere: a hook runs in the agent's workspace, where the agent may write.
 */
export function stateDir(
  o: Pick<HookOptions, "stateDir">,
  env: NodeJS.ProcessEnv,
  home: string,
): string {
  return path.resolve(o.stateDir || env.REDLINE_STATE_DIR || path.join(home, ".redline"));
}
