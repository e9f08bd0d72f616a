import { decide, limitUsage } from "../core/engine/decide.js";
import { mayEverCall } from "../core/engine/visibility.js";
import type { PolicyView } from "../enforce/enforcer.js";
import { type Actor, actionFor, PROMPT_GET, RESOURCE_READ } from "./actions.js";

/**
 * What an agent may see in a list: a tool it could ever call, a resource it could read, a
 * prompt it could get. Lists are filtered on every answer (every page), so no cursor, cache
 * or other method shows what the policy hides. One answer per item, in order.
 */
export interface ListFilter {
  tools(server: string, names: readonly string[]): Promise<boolean[]>;
  prompts(server: string, names: readonly string[]): Promise<boolean[]>;
  resources(server: string, uris: readonly string[]): Promise<boolean[]>;
  templates(server: string): Promise<boolean>;
}

/** The filter from a policy in this process. */
export function localFilter(v: Visibility): ListFilter {
  return {
    tools: async (server, names) => names.map((n) => v.tool(server, n)),
    prompts: async (server, names) => names.map((n) => v.prompt(server, n)),
    resources: async (server, uris) => uris.map((u) => v.resource(server, u)),
    templates: async (server) => v.template(server),
  };
}

export class Visibility {
  constructor(
    private readonly view: () => PolicyView,
    private readonly actor: Actor,
  ) {}

  tool(server: string, name: string): boolean {
    const { policy } = this.view();
    return mayEverCall(policy, this.actor.agent, server, name, this.actor.environment);
  }

  /** A resource template: shown if the agent may read any resource of that server at all. */
  template(server: string): boolean {
    return this.tool(server, RESOURCE_READ);
  }

  resource(server: string, uri: unknown): boolean {
    return this.concrete(server, "resources/read", "", { uri });
  }

  prompt(server: string, name: string): boolean {
    return this.tool(server, PROMPT_GET) && this.concrete(server, "prompts/get", name, {});
  }

  /**
   * The decision for this exact target, as a fresh session would get it (no taint, empty
   * counters): hidden only when that is a deny.
   */
  private concrete(
    server: string,
    method: string,
    name: string,
    params: Record<string, unknown>,
  ): boolean {
    const a = actionFor(this.actor, server, method, name, params);
    if (!a.ok) return false;
    const { policy, analyze } = this.view();
    const facts = analyze(a.action);
    const usage: Record<string, number> = {};
    for (const u of limitUsage(policy, a.action, facts)) usage[u.key] = 0;
    return decide(policy, a.action, facts, { usage }).decision !== "deny";
  }
}
