import { decide, limitUsage } from "../core/engine/decide.js";
import { mayEverCall } from "../core/engine/visibility.js";
import type { PolicyView } from "../enforce/enforcer.js";
import { type Actor, actionFor, PROMPT_GET, RESOURCE_READ } from "./actions.js";

/**
 * What an agent may see in a list: a tool it could ever call, a resource it could read, a
 * prompt it could get. Lists are filtered on every answer (every page), so no cursor, cache
 * or other method shows what the policy hides.
 */
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
