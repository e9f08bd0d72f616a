import { type Static, type TObject, Type } from "@sinclair/typebox";
import { canonicalJson, sha256Hex } from "./canonical.js";
import type { FieldError } from "./errors.js";
import { compileChecker } from "./schema-check.js";

/** The action envelope (DESIGN.md): one JSON object per action an agent wants to take. */

const AgentId = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: "^[A-Za-z0-9][A-Za-z0-9._:@/-]*$",
  description: "The registered agent taking the action.",
});
const Text = Type.String({ minLength: 1 });
const Common = {
  agent: AgentId,
  environment: Type.Optional(Type.String({ minLength: 1, description: "e.g. prod, staging" })),
  session: Type.Optional(
    Type.String({ minLength: 1, description: "Groups the actions of one run" }),
  ),
  context: Type.Optional(
    Type.Record(Type.String(), Type.Unknown(), { description: "Free-form, readable by policy" }),
  ),
};
const Args = Type.Record(Type.String(), Type.Unknown());
const strict = { additionalProperties: false } as const;

export const ShellAction = Type.Object(
  {
    ...Common,
    kind: Type.Literal("shell"),
    command: Text,
    cwd: Type.Optional(Text),
    env: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  strict,
);
export const SqlAction = Type.Object(
  { ...Common, kind: Type.Literal("sql"), statement: Text, database: Type.Optional(Text) },
  strict,
);
export const HttpAction = Type.Object(
  {
    ...Common,
    kind: Type.Literal("http"),
    method: Type.String({ pattern: "^[A-Za-z]+$" }),
    url: Type.String({ pattern: "^[hH][tT][tT][pP][sS]?://[^\\s/]+" }),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    body: Type.Optional(Type.String()),
  },
  strict,
);
export const McpAction = Type.Object(
  {
    ...Common,
    kind: Type.Literal("mcp"),
    server: Text,
    tool: Text,
    arguments: Type.Optional(Args),
  },
  strict,
);
export const ToolAction = Type.Object(
  { ...Common, kind: Type.Literal("tool"), tool: Text, arguments: Type.Optional(Args) },
  strict,
);

/**
 * Reserved `tool` names of an `mcp` action for what is not a tool call: reading a resource
 * (`arguments: {uri}`) and getting a prompt (`arguments: {name, arguments}`). MCP tool names
 * are `[A-Za-z0-9_.-]`, so no real tool has them.
 */
export const MCP_RESOURCE_READ = "resources/read";
export const MCP_PROMPT_GET = "prompts/get";

export type ShellAction = Static<typeof ShellAction>;
export type SqlAction = Static<typeof SqlAction>;
export type HttpAction = Static<typeof HttpAction>;
export type McpAction = Static<typeof McpAction>;
export type ToolAction = Static<typeof ToolAction>;
export type Action = ShellAction | SqlAction | HttpAction | McpAction | ToolAction;
export type ActionKind = Action["kind"];

const KIND_SCHEMAS: Record<ActionKind, TObject> = {
  shell: ShellAction,
  sql: SqlAction,
  http: HttpAction,
  mcp: McpAction,
  tool: ToolAction,
};
export const ACTION_KINDS = Object.keys(KIND_SCHEMAS) as ActionKind[];

/** Published as schema/action.schema.json. */
export const ActionSchema = Type.Union(Object.values(KIND_SCHEMAS), {
  $id: "urn:redline:schema:action:v1",
  title: "Redline action envelope",
});

const head = compileChecker(
  Type.Object({ agent: AgentId, kind: Type.Union(ACTION_KINDS.map((k) => Type.Literal(k))) }),
);
const checkers = Object.fromEntries(
  ACTION_KINDS.map((k) => [k, compileChecker(KIND_SCHEMAS[k])]),
) as Record<ActionKind, ReturnType<typeof compileChecker>>;

export type ActionResult = { ok: true; action: Action } | { ok: false; errors: FieldError[] };

/**
 * Validates untrusted input as an action. Never throws: what is wrong comes back as data.
 * `agent` and `kind` are checked first so the per-kind errors are about the right kind.
 */
export function parseAction(input: unknown): ActionResult {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    return { ok: false, errors: [{ path: [], message: "an action must be a JSON object" }] };
  }
  const headErrors = head(input).filter((e) => e.path.length === 1);
  if (headErrors.length > 0) return { ok: false, errors: headErrors };
  const kind = (input as { kind: ActionKind }).kind;
  const errors = checkers[kind](input);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, action: input as Action };
}

/** SHA-256 of the action's canonical JSON: what an approval is bound to. */
export function actionHash(action: Action): string {
  return `sha256:${sha256Hex(canonicalJson(action))}`;
}
