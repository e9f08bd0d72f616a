import type { CompiledAgent, CompiledRule, KindBucket, Policy } from "../policy/model.js";

/**
 * Whether an agent could ever be let through (allowed, or sent to a human) when calling `tool`
 * on MCP server `server`, whatever the arguments: what a gateway's `tools/list` shows. Pure.
 *
 * A tool is hidden when an enforced deny rule matches it by name alone (nothing about the
 * arguments can change that), or when the agent is least-privilege (`default: deny`) and no
 * allow or approval rule could match it. Anything that depends on the arguments (conditions,
 * categories, targets) counts as "could": the list may show a tool whose every real call is
 * denied, never hide one that could be called.
 */
export function mayEverCall(
  policy: Policy,
  agentId: string,
  server: string,
  tool: string,
  environment?: string,
): boolean {
  const agent = policy.agents.get(agentId) ?? policy.wildcard;
  if (!agent) return false;
  if (agent.environment && environment && agent.environment !== environment) return false;
  // Shadow mode never blocks, so nothing may be hidden either.
  if (agent.mode === "shadow" || policy.mode === "shadow") return true;
  let letThrough = agent.default !== "deny";
  for (const rule of candidateRules(agent, tool)) {
    if (rule.mode === "shadow" || !namesMatch(rule, server, tool)) continue;
    if (rule.effect === "deny") {
      if (unconditional(rule, agent, environment)) return false;
    } else letThrough = true;
  }
  return letThrough;
}

/** The agent's rules an MCP call of `tool` can meet, each once. */
function candidateRules(agent: CompiledAgent, tool: string): Set<CompiledRule> {
  const out = new Set<CompiledRule>();
  const fromBucket = (b: KindBucket | undefined) => {
    if (!b) return;
    for (const r of b.byTool.get(tool) ?? []) out.add(r);
    for (const r of b.other) out.add(r);
  };
  for (const list of agent.index.byCategory.values()) for (const r of list) out.add(r);
  fromBucket(agent.index.byKind.get("mcp"));
  fromBucket(agent.index.anyKind);
  return out;
}

function namesMatch(rule: CompiledRule, server: string, tool: string): boolean {
  if (rule.kinds && !rule.kinds.has("mcp")) return false;
  if (rule.server && !rule.server.test(server)) return false;
  if (rule.tool && !rule.tool.test(tool)) return false;
  return true;
}

/** A rule whose match depends on nothing but the names (and a known environment). */
function unconditional(rule: CompiledRule, agent: CompiledAgent, environment?: string): boolean {
  if (rule.categories || rule.flags || rule.when || rule.targets.length > 0) return false;
  if (!rule.environment) return true;
  const env = environment ?? agent.environment;
  return env !== undefined && rule.environment.test(env);
}
