import { readFileSync, writeSync } from "node:fs";
import {
  CLAUDE_CODE_ANALYSIS,
  failClosed,
  HARNESS,
  type HookOutput,
  hookOutput,
  type PermissionDecision,
  parsePayload,
  toAction,
} from "./claude-code.js";
import {
  AGENT_ENV,
  DEADLINE_MARGIN_S,
  DEFAULT_AGENT,
  HOOK_HELP,
  type HookOptions,
  parseHookArgs,
  TOKEN_ENV,
} from "./options.js";

/** What a decision path answers: the hook's permission decision and its reason. */
export interface Answer {
  decision: PermissionDecision;
  reason: string;
}

export interface HookIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Must write synchronously: the process may exit right after. */
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Ends the process after a watchdog answer (default: process.exit). */
  exit?: (code: number) => void;
}

/** Claude Code's input is one JSON object; a Write of a large file makes it large, not unbounded. */
export const MAX_INPUT_BYTES = 32 * 1024 * 1024;

/**
 * One hook call, fail closed: whatever happens (bad flags, bad input, an exception, a rejected
 * promise nobody awaited, the deadline passing) exactly one JSON answer is written, and a
 * failure is a deny naming its reason. Always resolves 0: a non-zero exit other than 2 lets
 * Claude Code run the call, and 2 would hide the reason from the developer's transcript.
 */
export async function runHook(
  harness: string,
  args: readonly string[],
  io: HookIo,
): Promise<number> {
  let answered = false;
  const answer = (out: HookOutput) => {
    if (answered) return;
    answered = true;
    io.stdout(`${JSON.stringify(out)}\n`);
  };
  const log = (line: string) => {
    try {
      io.stderr(`redline hook: ${line}\n`);
    } catch {
      // stderr gone: the answer on stdout is what matters
    }
  };
  const crash = (error: unknown) => {
    log(`internal error: ${errorText(error)}`);
    answer(failClosed(`internal error (${errorText(error)})`));
  };
  // Thrown where no await sees it: answered, and the process ends (what it awaited may never settle).
  const uncaught = (error: unknown) => {
    crash(error);
    (io.exit ?? process.exit)(0);
  };
  process.on("uncaughtException", uncaught);
  process.on("unhandledRejection", uncaught);
  let watchdog: NodeJS.Timeout | undefined;
  try {
    if (harness !== HARNESS) {
      answer(failClosed(`unknown harness '${harness}' (known: ${HARNESS})`));
      return 0;
    }
    const parsed = parseHookArgs(args);
    if (!parsed.ok) {
      log(parsed.error);
      answer(failClosed(`the hook is misconfigured: ${parsed.error}`));
      return 0;
    }
    const o = parsed.value;
    if (o.help) {
      answered = true;
      io.stdout(HOOK_HELP);
      return 0;
    }
    if (o.printAnalysis) {
      answered = true;
      io.stdout(CLAUDE_CODE_ANALYSIS);
      return 0;
    }
    const deadlineS = o.wait + DEADLINE_MARGIN_S;
    watchdog = setTimeout(() => {
      log(`no decision within ${deadlineS} s`);
      answer(failClosed(`no decision within ${deadlineS} s`));
      (io.exit ?? process.exit)(0);
    }, deadlineS * 1000);
    watchdog.unref();
    answer(await decide(o, io, log));
  } catch (error) {
    crash(error);
  } finally {
    clearTimeout(watchdog);
    if (!answered) answer(failClosed("the hook ended without a decision"));
    process.off("uncaughtException", uncaught);
    process.off("unhandledRejection", uncaught);
  }
  return 0;
}

async function decide(o: HookOptions, io: HookIo, log: (l: string) => void): Promise<HookOutput> {
  if (io.stdin.isTTY) return failClosed("no PreToolUse JSON on standard input (it is a terminal)");
  const text = await readAll(io.stdin, MAX_INPUT_BYTES);
  if (text === undefined)
    return failClosed(`the hook input is larger than ${MAX_INPUT_BYTES} bytes`);
  const payload = parsePayload(text);
  if (!payload.ok) return failClosed(payload.error);
  let token: string | undefined;
  if (o.server) {
    const t = readToken(o, io.env);
    if (!t.ok) return failClosed(t.error);
    token = t.value;
  }
  const agent = o.agent ?? (io.env[AGENT_ENV] || undefined) ?? tokenSubject(token) ?? DEFAULT_AGENT;
  const mapped = toAction(payload.value, {
    agent,
    ...(o.environment ? { environment: o.environment } : {}),
  });
  if (!mapped.ok) return failClosed(mapped.error);
  const tool = payload.value.tool_name;
  const a =
    o.server && token
      ? await (await import("./remote.js")).decideRemotely(mapped.value, tool, o.server, token, o)
      : await (await import("./local.js")).decideLocally(mapped.value, tool, o, io.env, log);
  return hookOutput(a.decision, a.reason);
}

function readToken(
  o: HookOptions,
  env: NodeJS.ProcessEnv,
): { ok: true; value: string } | { ok: false; error: string } {
  let token: string | undefined;
  if (o.tokenFile) {
    try {
      token = readFileSync(o.tokenFile, "utf8").trim();
    } catch (error) {
      return {
        ok: false,
        error: `cannot read --token-file ${o.tokenFile}: ${(error as NodeJS.ErrnoException).code ?? errorText(error)}`,
      };
    }
  } else token = env[TOKEN_ENV]?.trim();
  if (!token)
    return {
      ok: false,
      error: `no agent token for --server: set ${TOKEN_ENV} in Claude Code's environment, or give --token-file (redline token issue --agent ID)`,
    };
  return { ok: true, value: token };
}

/** The `sub` of a JWT, unverified: only to name the agent; the server verifies the token. */
export function tokenSubject(token: string | undefined): string | undefined {
  const part = token?.split(".")[1];
  if (!part) return undefined;
  try {
    const sub = (JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as { sub?: unknown })
      .sub;
    return typeof sub === "string" && sub !== "" ? sub : undefined;
  } catch {
    return undefined;
  }
}

/** All of a stream as UTF-8, or undefined past `max` bytes. */
export async function readAll(
  stream: NodeJS.ReadableStream,
  max: number,
): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > max) return undefined;
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Writes to a file descriptor before returning (stdout may be a non-blocking pipe). */
export function syncWriter(fd: number): (text: string) => void {
  return (text) => {
    const b = Buffer.from(text);
    for (let off = 0; off < b.length; ) {
      try {
        off += writeSync(fd, b, off);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
      }
    }
  };
}
