import type { Readable } from "node:stream";
import { decide } from "../core/engine/decide.js";
import { actionHash } from "../core/envelope.js";
import type { Policy } from "../core/policy/model.js";
import { readActions } from "./actions-in.js";
import { analyzerFor } from "./analysis.js";
import { loadPolicy } from "./policy-files.js";

export interface EvalOptions {
  policy?: string[];
  input?: string;
}

/**
 * `redline eval`: JSON Lines of actions in, one decision per line out, in order. A line that is
 * not a valid action still gets a line (a deny naming the problem) so outputs stay aligned;
 * the exit code is then 2.
 */
export async function runEval(
  opts: EvalOptions,
  stdin: Readable,
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream,
): Promise<number> {
  const policy = loadPolicy(opts.policy);
  const analyze = await analyzerFor(policy);
  let invalid = 0;
  for await (const item of readActions(opts.input, stdin)) {
    if ("error" in item) {
      invalid++;
      stderr.write(`${item.error}\n`);
      stdout.write(`${JSON.stringify(invalidLine(policy, item.error))}\n`);
      continue;
    }
    const decision = decide(policy, item.action, analyze(item.action));
    stdout.write(`${JSON.stringify({ ...decision, actionHash: actionHash(item.action) })}\n`);
  }
  return invalid > 0 ? 2 : 0;
}

function invalidLine(policy: Policy, error: string): Record<string, unknown> {
  return {
    decision: "deny",
    categories: [],
    rules: [],
    reason: error,
    policyHash: policy.hash,
    mode: "enforce",
    error,
  };
}
