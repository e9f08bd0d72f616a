import { fileURLToPath } from "node:url";
import {
  ACTION_KINDS,
  type Action,
  MCP_RESOURCE_READ,
  type McpAction,
  type ToolAction,
} from "../core/envelope.js";
import {
  type Analyzer,
  analyzeSafely,
  type Facts,
  FactsBuilder,
  opaqueFacts,
} from "../core/facts.js";
import type { AnalysisSettings } from "../core/policy/model.js";
import { type Carried, carriedArguments, isUntrusted, opaqueBecause } from "./arguments.js";
import { analyzeHttp } from "./http/index.js";
import { type PathOp, pathFacts, resolvePath } from "./paths/index.js";
import { loadShellAnalyzer } from "./shell/index.js";
import { loadSqlAnalyzer } from "./sql/index.js";
import { classifyToolCall, classifyToolName, toolWords } from "./tool-names.js";
import { type AnalysisContext, type HttpRequest, MAX_DEPTH, type Nested } from "./types.js";

/** What the process knows and the pure analyzers must be told. */
export interface AnalyzerEnvironment {
  /** `$HOME` of the agent's user, when an action does not say. */
  home: string;
  /** Symlink resolution (I/O), done by the adapter. */
  realpath?: (path: string) => string;
  /** Monotonic milliseconds, for the time budget. */
  now: () => number;
  /** An analysis slower than this is discarded as opaque. */
  budgetMs?: number;
}

/** The parsers and their analyzers, loaded once per process (WASM initialisation is async). */
export interface AnalyzerParts {
  shell: Awaited<ReturnType<typeof loadShellAnalyzer>>;
  sql: Awaited<ReturnType<typeof loadSqlAnalyzer>>;
}

let parts: Promise<AnalyzerParts> | undefined;
export function loadAnalyzerParts(): Promise<AnalyzerParts> {
  parts ??= Promise.all([loadShellAnalyzer(), loadSqlAnalyzer()]).then(([shell, sql]) => ({
    shell,
    sql,
  }));
  return parts;
}

const MAX_INPUT = 256 * 1024;
const DEFAULT_BUDGET_MS = 200;

/**
 * The analyzer the engine uses: dispatches on the action's kind, sees through tool arguments,
 * and fails closed: a throw, malformed facts, an oversized input or a blown time budget all
 * yield `opaque`, never an empty (allowable) result.
 */
export function createAnalyzer(
  p: AnalyzerParts,
  settings: AnalysisSettings,
  env: AnalyzerEnvironment,
): Analyzer {
  const nested: Nested = {
    shell: (command, ctx) => deeper(ctx, (c) => p.shell(command, c, nested)),
    sql: (statement, ctx) => deeper(ctx, (c) => p.sql(statement, c)),
    http: (request, ctx) => deeper(ctx, (c) => analyzeHttp(request, c)),
  };
  const budget = env.budgetMs ?? DEFAULT_BUDGET_MS;
  const inner: Analyzer = (action) =>
    analyzeAction(action, contextFor(action, settings, env), nested, settings);
  return (action) => {
    const started = env.now();
    const facts = analyzeSafely(inner, action);
    const took = env.now() - started;
    if (took > budget)
      return opaqueFacts(`analysis took ${Math.round(took)} ms, over its budget of ${budget} ms`);
    return facts;
  };
}

function deeper(ctx: AnalysisContext, run: (ctx: AnalysisContext) => Facts): Facts {
  if (ctx.depth >= MAX_DEPTH) return opaqueFacts(`nested more than ${MAX_DEPTH} levels deep`);
  return run({ ...ctx, depth: ctx.depth + 1 });
}

function contextFor(
  action: Action,
  s: AnalysisSettings,
  env: AnalyzerEnvironment,
): AnalysisContext {
  const context = (action.context ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" && v.startsWith("/") ? v : undefined);
  const home =
    (action.kind === "shell" ? action.env?.HOME : undefined) ?? str(context.home) ?? env.home;
  const cwd =
    str(action.kind === "shell" ? action.cwd : undefined) ?? str(context.cwd) ?? s.workspace;
  const ctx: AnalysisContext = {
    cwd,
    home,
    workspace: s.workspace ?? cwd,
    egressAllowlist: s.egressAllow,
    internalHosts: s.internal,
    depth: 0,
  };
  if (env.realpath) ctx.realpath = env.realpath;
  return ctx;
}

function analyzeAction(
  action: Action,
  ctx: AnalysisContext,
  nested: Nested,
  s: AnalysisSettings,
): Facts {
  const size = JSON.stringify(action).length;
  if (size > MAX_INPUT) return opaqueFacts(`action of ${size} bytes is too large to analyse`);
  switch (action.kind) {
    case "shell":
      return nested.shell(action.command, ctx);
    case "sql":
      return nested.sql(action.statement, ctx);
    case "http":
      return nested.http(action, ctx);
    case "mcp":
    case "tool":
      return analyzeToolCall(action, ctx, nested, s);
    default:
      return opaqueFacts(`unknown action kind; known: ${ACTION_KINDS.join(", ")}`);
  }
}

function analyzeToolCall(
  action: McpAction | ToolAction,
  ctx: AnalysisContext,
  nested: Nested,
  s: AnalysisSettings,
): Facts {
  const out = new FactsBuilder();
  if (action.kind === "mcp" && action.tool === MCP_RESOURCE_READ)
    return resourceRead(action, ctx, nested, s, out);
  const carried = carriedArguments(action, s.tools);
  if (isUntrusted(action, s.tools)) out.flag("untrusted");
  const opaque = opaqueBecause(action, s.tools);
  if (opaque !== undefined) out.opaque(`tool '${action.tool}': ${opaque}`);
  const args = action.arguments ?? {};
  const byName = classifyToolName(action.tool, resourceWords(args));
  // A file tool's paths say more than its name: deleting `dist/bundle.js` is not data loss.
  const pathsSpeak =
    byName?.category === "data.destroy" && carried.some((a) => a.type.startsWith("path"));
  if (byName && !pathsSpeak)
    out.add(byName.category, `tool '${action.tool}' ${byName.says} (by its name)`);
  for (const rule of classifyToolCall(action.tool, action.arguments ?? {})) {
    out.add(rule.category, `tool '${action.tool}' ${rule.says}`);
  }
  const cwdArg = carried.find((c) => c.type === "cwd");
  const c = cwdArg ? { ...ctx, cwd: resolvePath(cwdArg.value, ctx) } : ctx;
  const words = toolWords(action.tool);
  for (const arg of carried) {
    switch (arg.type) {
      case "shell":
        out.merge(nested.shell(arg.value, c));
        break;
      case "sql":
        out.merge(nested.sql(arg.value, c));
        break;
      case "url":
        out.merge(nested.http(requestFrom(arg.value, action.arguments ?? {}, words), c));
        break;
      case "cwd":
        break;
      default: {
        const op = pathOperation(arg, words);
        // Deleting a directory removes what is in it, asked for recursively or not.
        const recursive =
          op === "delete" && (args.recursive === true || words.some((w) => DIRECTORY_WORDS.has(w)));
        pathFacts(resolvePath(arg.value, c), op, c, out, { recursive });
      }
    }
  }
  return out.build();
}

/**
 * Reading an MCP resource: a `file:` URI reads that path, an `http(s):` URI is fetched by the
 * server, any other scheme names something only the server knows (a resource target).
 */
function resourceRead(
  action: McpAction,
  ctx: AnalysisContext,
  nested: Nested,
  s: AnalysisSettings,
  out: FactsBuilder,
): Facts {
  if (isUntrusted(action, s.tools)) out.flag("untrusted");
  const uri = action.arguments?.uri;
  if (typeof uri !== "string") return out.opaque("resources/read without a string uri").build();
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri)?.[1]?.toLowerCase();
  if (scheme === "file") {
    let path: string;
    try {
      path = fileURLToPath(uri);
    } catch (error) {
      return out.opaque(`resource ${uri}: ${(error as Error).message}`).build();
    }
    pathFacts(resolvePath(path, ctx), "read", ctx, out);
  } else if (scheme === "http" || scheme === "https")
    out.merge(nested.http({ method: "GET", url: uri }, ctx));
  else if (scheme) out.target("resources", uri);
  else out.opaque(`resource ${uri}: not a URI`);
  return out.build();
}

const READ_VERBS = new Set([
  "read",
  "get",
  "list",
  "search",
  "find",
  "view",
  "open",
  "cat",
  "stat",
  "show",
  "head",
  "tail",
  "tree",
  "info",
  "describe",
  "grep",
  "glob",
  "fetch",
  "download",
  "load",
  "inspect",
  "directory",
]);
const DELETE_VERBS = new Set([
  "delete",
  "remove",
  "rm",
  "unlink",
  "trash",
  "erase",
  "purge",
  "wipe",
  "rmdir",
  "destroy",
  "truncate",
]);
const MOVE_VERBS = new Set(["move", "rename", "mv"]);

const DIRECTORY_WORDS = new Set(["directory", "dir", "folder", "tree", "recursive", "rmdir"]);
const RESOURCE_KEYS = ["resourceType", "resource_type", "resource", "kind", "type"];

/** What kind of thing a generic tool acts on, when an argument names it (`kind: namespace`). */
function resourceWords(args: Record<string, unknown>): string[] {
  return RESOURCE_KEYS.flatMap((k) => (typeof args[k] === "string" ? [args[k] as string] : []));
}

const EDIT_VERBS = new Set([
  "edit",
  "append",
  "patch",
  "insert",
  "replace",
  "update",
  "modify",
  "mkdir",
  "touch",
]);

/**
 * A path argument's operation: declared, or from the tool's verb. Writing a file replaces it
 * (`overwrite`); a move or copy deletes or overwrites at its ends.
 */
function pathOperation(arg: Carried, words: string[]): PathOp {
  if (arg.type === "path.read") return "read";
  if (arg.type === "path.write") return "overwrite";
  if (arg.type === "path.delete") return "delete";
  const verb = words[0] ?? "";
  const source = /^(source|src|from|old)/i.test(arg.key);
  if (DELETE_VERBS.has(verb)) return "delete";
  if (MOVE_VERBS.has(verb)) return source || arg.key === "path" ? "delete" : "overwrite";
  if (verb === "copy" || verb === "cp") return source ? "read" : "overwrite";
  if (READ_VERBS.has(verb)) return "read";
  if (EDIT_VERBS.has(verb)) return "write";
  return words.some((w) => READ_VERBS.has(w)) ? "read" : "overwrite";
}

/** A fetch-like tool's request: its own method, headers and body when it has them. */
function requestFrom(url: string, args: Record<string, unknown>, words: string[]): HttpRequest {
  const request: HttpRequest = {
    method: typeof args.method === "string" ? args.method : httpMethodFor(words),
    url,
  };
  const { headers, body } = args;
  if (headers && typeof headers === "object" && !Array.isArray(headers)) {
    request.headers = Object.fromEntries(
      Object.entries(headers).filter((e): e is [string, string] => typeof e[1] === "string"),
    );
  }
  if (typeof body === "string") request.body = body;
  else if (body !== undefined && body !== null) request.body = JSON.stringify(body);
  return request;
}

function httpMethodFor(words: string[]): string {
  if (words.some((w) => DELETE_VERBS.has(w))) return "DELETE";
  if (
    words.some((w) =>
      ["post", "send", "create", "upload", "submit", "put", "update", "write"].includes(w),
    )
  )
    return "POST";
  return "GET";
}
