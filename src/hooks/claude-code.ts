import type { Action } from "../core/envelope.js";

/**
 * Claude Code's `PreToolUse` hook, as data: the payload it sends on stdin becomes an action
 * envelope, and a decision becomes the JSON it reads on stdout. Pure and import-free at run
 * time (types only), so the hook's entry loads nothing it does not need.
 *
 * Tool names → actions:
 *   Bash                                  shell  {command, cwd}
 *   Write, Edit, MultiEdit, NotebookEdit  tool   {tool, arguments: tool_input}  paths written
 *   Read, NotebookRead, LS, Grep, Glob    tool   {tool, arguments: tool_input}  paths read
 *   WebFetch                              http   {method: GET, url}
 *   mcp__<server>__<tool>                 mcp    {server, tool, arguments: tool_input}
 *   ReadMcpResourceTool                   mcp    {server, tool: resources/read, arguments: {uri}}
 *   anything else (WebSearch, Task, ...)  tool   {tool, arguments: tool_input}
 * Every action carries `session` (the Claude Code session id) and `context: {harness, cwd}`:
 * relative paths are resolved against `cwd`, which is also the workspace unless the policy
 * sets `analysis.workspace`. Which tool argument is a path, and which is file content never to
 * be read as one, is declared in CLAUDE_CODE_ANALYSIS.
 */

export const HARNESS = "claude-code";
export const HOOK_EVENT = "PreToolUse";

/** What Claude Code sends a PreToolUse hook (fields the mapping does not use are kept too). */
export interface PreToolUsePayload {
  session_id: string;
  cwd: string;
  hook_event_name: typeof HOOK_EVENT;
  tool_name: string;
  tool_input: Record<string, unknown>;
  transcript_path?: string;
  permission_mode?: string;
  tool_use_id?: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

export type PermissionDecision = "allow" | "deny" | "ask";

/** What the hook prints: Claude Code's PreToolUse decision control. */
export interface HookOutput {
  hookSpecificOutput: {
    hookEventName: typeof HOOK_EVENT;
    permissionDecision: PermissionDecision;
    permissionDecisionReason: string;
  };
}

export function hookOutput(decision: PermissionDecision, reason: string): HookOutput {
  return {
    hookSpecificOutput: {
      hookEventName: HOOK_EVENT,
      permissionDecision: decision,
      permissionDecisionReason: reason,
    },
  };
}

/** The answer to anything that went wrong: a crashing or silent hook would let the call run. */
export function failClosed(why: string): HookOutput {
  return hookOutput("deny", failReason(why));
}

export function failReason(why: string): string {
  return `Redline could not decide this call, so it is denied: ${why}`;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** Validates the hook's stdin. Never throws; what is missing or wrong is named. */
export function parsePayload(text: string): Result<PreToolUsePayload> {
  if (text.trim() === "") return { ok: false, error: "no PreToolUse JSON on standard input" };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `standard input is not JSON (${(error as Error).message})` };
  }
  if (!isObject(value)) return { ok: false, error: "the hook input must be a JSON object" };
  const event = value.hook_event_name;
  if (event !== HOOK_EVENT)
    return {
      ok: false,
      error:
        event === undefined
          ? "hook_event_name is missing (expected PreToolUse)"
          : `hook event ${JSON.stringify(event)} is not PreToolUse: install this hook under hooks.PreToolUse`,
    };
  for (const key of ["session_id", "cwd", "tool_name"] as const) {
    const v = value[key];
    if (typeof v !== "string" || v === "")
      return { ok: false, error: `${key}: expected a non-empty string` };
  }
  if (!(value.cwd as string).startsWith("/"))
    return { ok: false, error: `cwd: expected an absolute path, got ${JSON.stringify(value.cwd)}` };
  if (!isObject(value.tool_input)) return { ok: false, error: "tool_input: expected an object" };
  return { ok: true, value: value as unknown as PreToolUsePayload };
}

export interface MapOptions {
  agent: string;
  environment?: string;
}

/** The file tools, by what they do to the paths they name. */
export const WRITE_TOOLS = ["Write", "Edit", "MultiEdit", "NotebookEdit"] as const;
export const READ_TOOLS = ["Read", "NotebookRead", "LS", "Grep", "Glob"] as const;
/** Built-in tools that reach the policy as function tools, each described in CLAUDE_CODE_ANALYSIS. */
const KNOWN_TOOLS = [
  ...WRITE_TOOLS,
  ...READ_TOOLS,
  "WebSearch",
  "Task",
  "TodoWrite",
  "ExitPlanMode",
  "AskUserQuestion",
  "SlashCommand",
  "Skill",
  "BashOutput",
  "KillShell",
  "ListMcpResourcesTool",
];
/** `mcp__<server>__<tool>`: Claude Code's name for a tool of a configured MCP server. */
const MCP_NAME = /^mcp__([^_](?:[^_]|_(?!_))*)__(.+)$/;
/** MCP_RESOURCE_READ in core/envelope.ts (not imported: it would load the schema checkers). */
const RESOURCE_READ = "resources/read";

/**
 * The action envelope for one tool call. The shape is built here; the envelope's own checks
 * (parseAction, or the control plane) still validate it, so a bad value is denied naming
 * its field. Tool input is passed on unchanged: the approval binds to exactly what runs.
 */
export function toAction(p: PreToolUsePayload, o: MapOptions): Result<Action> {
  const common = {
    agent: o.agent,
    ...(o.environment ? { environment: o.environment } : {}),
    session: p.session_id,
    context: { harness: HARNESS, cwd: p.cwd },
  };
  const input = p.tool_input;
  const name = p.tool_name;
  if (name === "Bash") {
    const command = input.command;
    if (typeof command !== "string" || command.trim() === "")
      return { ok: false, error: "Bash tool_input.command: expected a non-empty string" };
    return { ok: true, value: { ...common, kind: "shell", command, cwd: p.cwd } };
  }
  if (name === "WebFetch") {
    const url = input.url;
    if (typeof url !== "string" || url === "")
      return { ok: false, error: "WebFetch tool_input.url: expected a string" };
    return { ok: true, value: { ...common, kind: "http", method: "GET", url } };
  }
  if (name === "ReadMcpResourceTool") {
    const { server, uri } = input;
    if (typeof server !== "string" || server === "" || typeof uri !== "string")
      return {
        ok: false,
        error: "ReadMcpResourceTool tool_input: expected string server and uri",
      };
    return {
      ok: true,
      value: { ...common, kind: "mcp", server, tool: RESOURCE_READ, arguments: { uri } },
    };
  }
  const mcp = MCP_NAME.exec(name);
  if (mcp) {
    const [, server, tool] = mcp as unknown as [string, string, string];
    return { ok: true, value: { ...common, kind: "mcp", server, tool, arguments: input } };
  }
  // File tools and every other tool, known or not: the policy decides, the analyzers read
  // their arguments (declared in CLAUDE_CODE_ANALYSIS, else by key names and value shapes).
  return { ok: true, value: { ...common, kind: "tool", tool: name, arguments: input } };
}

/**
 * What Claude Code's tool arguments carry, for the analyzers: compiled ahead of the policy
 * files in standalone mode (a policy's own `analysis.tools` for the same tool wins, being
 * later). Content is `ignore`d: an Edit whose new text is `/usr/bin/python3` writes one file,
 * not two. Print it with `redline hook claude-code --print-analysis` and add it to the
 * policy files of `redline serve`, `redline test` or `redline eval` to analyse alike.
 */
export const CLAUDE_CODE_ANALYSIS = `# What Claude Code's tool arguments carry (redline hook claude-code --print-analysis).
# Add this file to the policy files of a control plane that Claude Code hooks decide on.
analysis:
  tools:
    - tool: [Write, Edit, MultiEdit]
      arguments:
        file_path: path.write
        content: ignore
        old_string: ignore
        new_string: ignore
        edits: ignore
    - tool: NotebookEdit
      arguments:
        notebook_path: path.write
        new_source: ignore
        cell_id: ignore
        cell_type: ignore
        edit_mode: ignore
    - tool: [Read, NotebookRead]
      arguments:
        file_path: path.read
        notebook_path: path.read
    - tool: [Grep, Glob, LS]
      arguments:
        path: path.read
        pattern: ignore
        glob: ignore
        type: ignore
        ignore: ignore
        output_mode: ignore
    - tool: WebSearch
      untrusted: true
      arguments:
        query: ignore
        allowed_domains: ignore
        blocked_domains: ignore
    - tool: [Task, TodoWrite, ExitPlanMode, AskUserQuestion, SlashCommand, Skill]
      arguments:
        description: ignore
        prompt: ignore
        subagent_type: ignore
        todos: ignore
        plan: ignore
        questions: ignore
        command: ignore
    - tool: [BashOutput, KillShell, ListMcpResourcesTool]
      arguments:
        bash_id: ignore
        shell_id: ignore
        filter: ignore
        server: ignore
    # Any other built-in tool came after this list: what it does cannot be known.
    - kind: tool
      tool: "!(${KNOWN_TOOLS.join("|")})"
      opaque: a Claude Code tool this analysis does not know
    # Built-in tools are named in CamelCase: other agents' function tools on a control plane
    # that has this file (refund_order, sendEmail) are not Claude Code's, and stay as they were.
    - kind: tool
      tool: ["*_*", "[a-z]*"]
`;
export const ANALYSIS_FILE = "<redline hook claude-code: built-in analysis>";

// --- what the hook says ----------------------------------------------------------------------

/** The parts of a decision the reasons name. */
export interface Verdict {
  categories: readonly string[];
  rules: readonly string[];
  reason: string;
  auditSeq?: number | null;
}

function redLine(v: Verdict): string {
  const parts = [];
  if (v.categories.length > 0) parts.push(`red line: ${v.categories.join(", ")}`);
  if (v.rules.length > 0) parts.push(`rule: ${v.rules.join(", ")}`);
  return parts.length > 0 ? ` (${parts.join("; ")})` : "";
}

const audited = (v: Verdict) => (typeof v.auditSeq === "number" ? ` [audit #${v.auditSeq}]` : "");

export function allowReason(v: Verdict, approval?: string): string {
  return approval
    ? `Redline: allowed once, approved by a human (${approval})${audited(v)}`
    : `Redline: allowed: ${v.reason}${audited(v)}`;
}

export function denyReason(tool: string, v: Verdict): string {
  return `Redline denied this ${tool} call${redLine(v)}: ${v.reason}${audited(v)}`;
}

/** Reaching the human: where and with what command a request is approved. */
export interface ApproveHint {
  id: string;
  /** e.g. `redline approvals approve apr_x --state-dir /home/me/.redline` */
  command: string;
  /** The dashboard, when a control plane holds the request. */
  dashboard?: string;
}

/** An approval not (yet) given: the call is denied, and the agent told how to get it. */
export function pendingReason(
  tool: string,
  v: Verdict,
  hint: ApproveHint,
  waitedSeconds: number,
): string {
  const waited = waitedSeconds > 0 ? `; no one decided it within ${waitedSeconds} s` : "";
  const where = hint.dashboard ? ` (or in the Redline dashboard at ${hint.dashboard})` : "";
  return (
    `Redline: this ${tool} call needs a human's approval${redLine(v)}: ${v.reason}${audited(v)}. ` +
    `Approval request ${hint.id} is pending${waited}. A human approves it with ` +
    `\`${hint.command}\`${where}; then retry exactly the same call and it runs once.`
  );
}

export function refusedReason(
  tool: string,
  v: Verdict,
  id: string | undefined,
  why: string,
): string {
  const which = id ? ` (approval request ${id})` : "";
  return `Redline denied this ${tool} call${redLine(v)}: it needs a human's approval${which}, which was not given: ${why}`;
}

export function askReason(tool: string, v: Verdict): string {
  return `Redline: this ${tool} call needs a human's approval${redLine(v)}: ${v.reason}${audited(v)}. Decide at the console.`;
}
