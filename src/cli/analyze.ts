import type { Readable } from "node:stream";
import { actionHash } from "../core/envelope.js";
import { readActions } from "./actions-in.js";
import { analyzerFor } from "./analysis.js";
import { loadPolicy } from "./policy-files.js";

/** `redline analyze`: JSON Lines of actions in, their facts out, one line each, in order. */
export async function runAnalyze(
  opts: { policy?: string[]; input?: string },
  stdin: Readable,
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream,
): Promise<number> {
  const analyze = await analyzerFor(loadPolicy(opts.policy));
  let invalid = 0;
  for await (const item of readActions(opts.input, stdin)) {
    if ("error" in item) {
      invalid++;
      stderr.write(`${item.error}\n`);
      stdout.write(`${JSON.stringify({ error: item.error })}\n`);
      continue;
    }
    stdout.write(
      `${JSON.stringify({ ...analyze(item.action), actionHash: actionHash(item.action) })}\n`,
    );
  }
  return invalid > 0 ? 2 : 0;
}
