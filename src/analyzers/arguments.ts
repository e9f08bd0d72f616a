import type { Action } from "../core/envelope.js";
import type { ToolArguments } from "../core/policy/model.js";
import type { ArgumentType } from "../core/policy/schema.js";

/** One argument of a tool call that carries something another analyzer understands. */
export interface Carried {
  /** Where in the arguments, e.g. `options.sql`, for the finding's reason. */
  key: string;
  type: Exclude<ArgumentType, "ignore">;
  value: string;
  /** Declared in policy, or inferred from the key's name or the value's shape. */
  declared: boolean;
}

const MAX_VISIT = 200;

/** Key names that say what an argument is, when the policy did not declare it. */
const KEY_TYPES: readonly [RegExp, Carried["type"]][] = [
  [/^(command|cmd|commands|script|shell|bash|shell_command|commandline|command_line)$/i, "shell"],
  [/^(sql|query|statement|sql_query|querystring|stmt)$/i, "sql"],
  [/^(url|uri|endpoint|href|link|webhook|webhook_url)$/i, "url"],
  [/^(cwd|working_directory|workdir|working_dir)$/i, "cwd"],
  [
    /^(path|paths|file|files|filepath|file_path|filename|source|destination|dest|target|dir|directory|folder|src|dst)$/i,
    "path",
  ],
];

const SQL_START =
  /^\s*(select|insert|update|delete|drop|truncate|alter|create|grant|revoke|with|copy|do|begin|explain|merge|vacuum|set|reset|call|execute|comment|lock)\b/i;

/**
 * Lists the arguments of an MCP or tool call that carry a command, SQL, a path or a URL:
 * those the policy declares for this tool, then by key name and value shape, so an undeclared
 * tool is still seen through. Nested objects and arrays are visited, within a bound.
 */
export function carriedArguments(
  action: Action,
  declarations: readonly ToolArguments[],
): Carried[] {
  if (action.kind !== "mcp" && action.kind !== "tool") return [];
  const declared: Record<string, ArgumentType> = {};
  for (const d of declarations) if (declares(d, action)) Object.assign(declared, d.arguments);
  const out: Carried[] = [];
  let visited = 0;
  const visit = (value: unknown, key: string, name: string): void => {
    if (++visited > MAX_VISIT) return;
    const type = declared[key];
    if (type === "ignore") return;
    if (typeof value === "string") {
      const inferred = type ?? inferType(name, value);
      if (inferred) out.push({ key, type: inferred, value, declared: type !== undefined });
    } else if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) visit(v, `${key}[${i}]`, name);
    } else if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) visit(v, key === "" ? k : `${key}.${k}`, k);
    }
  };
  visit(action.arguments ?? {}, "", "");
  return out;
}

function inferType(name: string, value: string): Carried["type"] | undefined {
  for (const [pattern, type] of KEY_TYPES) {
    if (!pattern.test(name)) continue;
    if (type === "sql" && !SQL_START.test(value)) return undefined; // "query" is often a search
    return type;
  }
  if (/^https?:\/\//i.test(value)) return "url";
  if (/^(\/|~\/)[^\s]*$/.test(value) && value.length > 1) return "path";
  return undefined;
}

/** Whether a declaration is about this call: its kind, server and tool name. */
function declares(d: ToolArguments, action: Action): boolean {
  if (action.kind !== "mcp" && action.kind !== "tool") return false;
  if (d.kind !== undefined && d.kind !== action.kind) return false;
  if (!d.tool.test(action.tool)) return false;
  if (!d.server) return true;
  return action.kind === "mcp" && d.server.test(action.server);
}

/** Whether the policy marks this tool as returning outside content (it taints the session). */
export function isUntrusted(action: Action, declarations: readonly ToolArguments[]): boolean {
  return declarations.some((d) => d.untrusted && declares(d, action));
}

/**
 * Why the policy says this tool's effect cannot be known, if it does: the last declaration
 * about the tool decides, so a later file that declares a tool (what its arguments carry)
 * lifts an earlier catch-all's `opaque`.
 */
export function opaqueBecause(
  action: Action,
  declarations: readonly ToolArguments[],
): string | undefined {
  return declarations.findLast((d) => declares(d, action))?.opaque;
}
