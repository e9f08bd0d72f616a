import type { Action } from "../core/envelope.js";
import { emptyFacts, type Facts, opaqueFacts } from "../core/facts.js";

/**
 * Until the shell, SQL and HTTP analyzers exist, their kinds are opaque: Redline cannot see
 * what they do, so it must not allow them on a guess. MCP and tool calls carry no facts yet.
 */
export function stubAnalyzer(action: Action): Facts {
  switch (action.kind) {
    case "shell":
    case "sql":
    case "http":
      return opaqueFacts(
        `no ${action.kind} analyzer is installed, so this action's effect is unknown`,
      );
    default:
      return emptyFacts();
  }
}
