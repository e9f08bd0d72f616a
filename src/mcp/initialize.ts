import { isError, type Response } from "./rpc.js";

export const GATEWAY_INFO = { name: "redline-mcp-gateway", version: "0.1.0" };

type Result = Record<string, unknown>;
type Capabilities = Record<string, Record<string, unknown> | undefined>;

/**
 * An upstream's initialize result as the agent gets it: unchanged, except that lists declare
 * `listChanged`, because the gateway announces a changed list when the policy changes.
 */
export function withListChanged(result: Result): Result {
  const caps = { ...((result.capabilities ?? {}) as Capabilities) };
  for (const k of ["tools", "prompts", "resources"])
    if (caps[k]) caps[k] = { ...caps[k], listChanged: true };
  return { ...result, capabilities: caps };
}

/**
 * Several upstreams as one server: the union of their capabilities, the first answering
 * server's protocol version, each server's instructions under its name. A server that failed
 * to initialise is left out (and named in `failed`); if none answered there is no result.
 */
export function mergeInitialize(
  names: readonly string[],
  answers: readonly Response[],
): { result?: Result; failed: string[] } {
  const failed: string[] = [];
  const caps: Capabilities = {};
  const instructions: string[] = [];
  let version: unknown;
  answers.forEach((a, i) => {
    if (isError(a)) {
      failed.push(`upstream '${names[i]}' failed to initialise: ${a.error.message}`);
      return;
    }
    const r = a.result as Result;
    version ??= r.protocolVersion;
    for (const [k, v] of Object.entries((r.capabilities ?? {}) as Capabilities)) {
      if (v === undefined) continue;
      caps[k] = { ...(caps[k] ?? {}), ...v };
      if (k === "tools" || k === "prompts" || k === "resources")
        (caps[k] as Record<string, unknown>).listChanged = true;
    }
    if (typeof r.instructions === "string") instructions.push(`[${names[i]}] ${r.instructions}`);
  });
  if (version === undefined) return { failed };
  const result: Result = { protocolVersion: version, capabilities: caps, serverInfo: GATEWAY_INFO };
  if (instructions.length > 0) result.instructions = instructions.join("\n\n");
  return { result, failed };
}
