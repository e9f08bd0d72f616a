import {
  type Action,
  MCP_PROMPT_GET as PROMPT_GET,
  parseAction,
  MCP_RESOURCE_READ as RESOURCE_READ,
} from "../core/envelope.js";
import { formatPath } from "../core/errors.js";

/**
 * MCP requests as action envelopes. `tools/call` is the call itself; reading a resource and
 * getting a prompt are actions too, under the envelope's reserved tool names, so a policy can
 * match them: `tool: "resources/read"`.
 */
export { PROMPT_GET, RESOURCE_READ };

/** Who is acting, and in which run: the same for every action of one gateway session. */
export interface Actor {
  agent: string;
  session: string;
  environment?: string;
}

export type ActionOrError = { ok: true; action: Action } | { ok: false; error: string };

/** The action a gated request asks for; `server` and `name` are after namespace routing. */
export function actionFor(
  actor: Actor,
  server: string,
  method: string,
  name: string,
  params: Record<string, unknown>,
): ActionOrError {
  let tool: string;
  let args: unknown;
  if (method === "tools/call") {
    tool = name;
    args = params.arguments ?? {};
  } else if (method === "resources/read") {
    tool = RESOURCE_READ;
    args = { uri: params.uri };
  } else {
    tool = PROMPT_GET;
    args = { name, arguments: params.arguments ?? {} };
  }
  const envelope: Record<string, unknown> = {
    agent: actor.agent,
    kind: "mcp",
    server,
    tool,
    arguments: args,
    session: actor.session,
  };
  if (actor.environment) envelope.environment = actor.environment;
  const parsed = parseAction(envelope);
  if (parsed.ok) return parsed;
  return {
    ok: false,
    error: parsed.errors.map((e) => `${formatPath(e.path)}: ${e.message}`).join("; "),
  };
}
