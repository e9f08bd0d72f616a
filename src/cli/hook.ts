import {
  chmodSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Command, Option } from "commander";
import {
  HOOK_FLAGS,
  hookArgs,
  INSTALL_TIMEOUT_MARGIN_S,
  parseHookArgs,
  shellQuote,
  stateDir,
  TOKEN_ENV,
} from "../hooks/options.js";
import { parseSettings, withHook } from "../hooks/settings.js";
import { ensureCodeCache } from "../hooks/warm.js";
import { UsageError } from "./errors.js";

/** The hook's own entry (dist/hooks/main.cjs): what the installed settings run, fastest. */
export const HOOK_ENTRY = fileURLToPath(new URL("../hooks/main.cjs", import.meta.url));

/**
 * `redline hook claude-code` (the hook itself: its flags are parsed by the hook, so a bad one
 * is a deny JSON like any other failure, never a usage exit) and `redline hook install`.
 */
export function registerHookCommands(program: Command, setExit: (code: number) => void): void {
  const hook = program
    .command("hook")
    .description(
      "Agent harness hooks: Redline decides each tool call before the harness runs it (Claude Code)",
    );

  hook
    .command("claude-code")
    .description(
      "Claude Code PreToolUse hook: the hook's JSON on stdin, the decision JSON on stdout (--help for its options)",
    )
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument("[options...]", "see redline hook claude-code --help")
    .action(async (args: string[]) => {
      const { runHook, syncWriter } = await import("../hooks/run.js");
      setExit(
        await runHook("claude-code", args, {
          stdin: process.stdin,
          stdout: syncWriter(1),
          stderr: syncWriter(2),
          env: process.env,
        }),
      );
    });

  const install = hook
    .command("install")
    .description("Add Redline's hook to a harness's settings, keeping everything already there")
    .argument("<harness>", "claude-code")
    .option("--project", "this project's .claude/settings.json (the default; shared with the team)")
    .option("--local", "this project's .claude/settings.local.json (yours only, not committed)")
    .option("--user", "your ~/.claude/settings.json (every project)")
    .option("--project-dir <dir>", "with --project or --local: the project (default: .)")
    .option("--settings <file>", "this settings file instead");
  for (const s of HOOK_FLAGS) {
    if (s.flag === "help" || s.flag === "print-analysis" || s.flag === "approval-poll") continue;
    const arg = s.arg ? ` <${s.arg}${s.multiple ? "..." : ""}>` : "";
    install.addOption(new Option(`${s.short ? `-${s.short}, ` : ""}--${s.flag}${arg}`, s.text));
  }
  install
    .option("--json", 'print {"file","status","backup","command","timeout","codeCache"}')
    .addHelpText(
      "after",
      `
The hook goes into hooks.PreToolUse as {"matcher":"*","hooks":[{"type":"command","command":...}]},
running this Node and this Redline by absolute path, with the flags above (paths made absolute;
standalone, the state directory is written out: default ~/.redline). Every other key and hook is
kept; a second install updates Redline's entry instead of adding one; the file is backed up
(<file>.bak-<time>) before it is changed. A file that is not valid JSON is refused (exit 2).
The hook's timeout is --wait + ${INSTALL_TIMEOUT_MARGIN_S} s: the hook always answers first. The hook's
V8 code cache (faster start-up) is made for this Node if the build's is for another.

Examples:
  redline hook install claude-code --project --policy policy.yaml
  redline hook install claude-code --user --server http://127.0.0.1:7878 --token-file ~/.redline-token
`,
    )
    .action(async (harness: string, opts: InstallOptions) =>
      setExit(await runInstall(harness, opts, process.env, process.stdout)),
    );
}

export interface InstallOptions {
  project?: boolean;
  local?: boolean;
  user?: boolean;
  projectDir?: string;
  settings?: string;
  json?: boolean;
  server?: string;
  tokenFile?: string;
  timeout?: string;
  policy?: string[];
  stateDir?: string;
  durability?: string;
  agent?: string;
  environment?: string;
  wait?: string;
  ask?: boolean;
}

export async function runInstall(
  harness: string,
  o: InstallOptions,
  env: NodeJS.ProcessEnv,
  out: NodeJS.WritableStream,
): Promise<number> {
  if (harness !== "claude-code")
    throw new UsageError(`unknown harness '${harness}' (known: claude-code)`);
  const where = [o.project, o.local, o.user, o.settings !== undefined].filter(Boolean).length;
  if (where > 1) throw new UsageError("give one of --project, --local, --user, --settings");
  if (o.projectDir && (o.user || o.settings))
    throw new UsageError("--project-dir goes with --project or --local");
  const home = env.HOME || homedir();
  const file = o.settings
    ? path.resolve(o.settings)
    : o.user
      ? path.join(home, ".claude", "settings.json")
      : path.join(
          path.resolve(o.projectDir ?? "."),
          ".claude",
          o.local ? "settings.local.json" : "settings.json",
        );

  const checked = parseHookArgs(installArgs(o, env, home));
  if (!checked.ok) throw new UsageError(checked.error);
  const options = checked.value;
  for (const p of options.policy)
    if (!existsSync(p)) throw new UsageError(`--policy ${p}: no such file`);
  // A policy that does not compile would deny every call: refused now, with its errors.
  if (options.policy.length > 0) (await import("./policy-files.js")).loadPolicy(options.policy);
  const args = hookArgs(options);
  const command = [process.execPath, HOOK_ENTRY, "claude-code", ...args].map(shellQuote).join(" ");
  const timeout = Math.ceil(options.wait) + INSTALL_TIMEOUT_MARGIN_S;

  let text: string | undefined;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT")
      throw new UsageError(
        `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
  }
  const parsed = parseSettings(file, text ?? "");
  if (!parsed.ok)
    throw new UsageError(`${parsed.error}; fix it or move it away, nothing was changed`);
  const merged = withHook(file, parsed.value, { command, timeout });
  if (!merged.ok) throw new UsageError(merged.error);
  const { status } = merged.value;

  let backup: string | undefined;
  if (status !== "unchanged") {
    mkdirSync(path.dirname(file), { recursive: true });
    if (text !== undefined) backup = backUp(file);
    writeAtomically(file, `${JSON.stringify(merged.value.settings, null, 2)}\n`);
  }
  // For the node that will run it: the build's cache is for the node that built it.
  const codeCache = ensureCodeCache(path.dirname(HOOK_ENTRY));
  if (o.json) {
    out.write(
      `${JSON.stringify({ file, status, backup: backup ?? null, command, timeout, codeCache })}\n`,
    );
    return 0;
  }
  const said = {
    added: `added Redline's PreToolUse hook to ${file}`,
    updated: `updated Redline's PreToolUse hook in ${file}`,
    unchanged: `Redline's PreToolUse hook is already in ${file}; nothing changed`,
  }[status];
  out.write(`${said}\n`);
  if (backup) out.write(`  backup:  ${backup}\n`);
  out.write(`  command: ${command}\n  timeout: ${timeout} s\n  code cache: ${codeCache}\n`);
  if (options.server && !options.tokenFile)
    out.write(`  the hook reads the agent token from $${TOKEN_ENV} in Claude Code's environment\n`);
  out.write("  check it in Claude Code with /hooks\n");
  return 0;
}

/** The hook's flags from the install's, every path absolute, the state directory written out. */
function installArgs(o: InstallOptions, env: NodeJS.ProcessEnv, home: string): string[] {
  const abs = (p: string) => path.resolve(p.startsWith("~/") ? path.join(home, p.slice(2)) : p);
  const args: string[] = [];
  const add = (flag: string, value: string | undefined) => {
    if (value !== undefined) args.push(`--${flag}`, value);
  };
  add("server", o.server);
  add("token-file", o.tokenFile && abs(o.tokenFile));
  add("timeout", o.timeout);
  for (const p of o.policy ?? []) add("policy", abs(p));
  add(
    "state-dir",
    o.server
      ? o.stateDir && abs(o.stateDir) // refused by the hook's parser, naming the flag
      : stateDir({ stateDir: o.stateDir ? abs(o.stateDir) : undefined }, env, home),
  );
  add("durability", o.durability);
  add("agent", o.agent);
  add("environment", o.environment);
  add("wait", o.wait);
  if (o.ask) args.push("--ask");
  return args;
}

/** `<file>.bak-<UTC time>`, never overwriting an earlier backup. */
function backUp(file: string): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  for (let n = 0; ; n++) {
    const backup = `${file}.bak-${stamp}${n === 0 ? "" : `-${n}`}`;
    try {
      copyFileSync(file, backup, constants.COPYFILE_EXCL);
      return backup;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
}

/** Write, then rename over: Claude Code never reads half a settings file. Keeps the mode. */
function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.redline-${process.pid}.tmp`;
  const mode = existsSync(file) ? statSync(file).mode & 0o777 : 0o600;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}
