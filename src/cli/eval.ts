import { createReadStream, openSync } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { stubAnalyzer } from "../analyzers/stub.js";
import { decide } from "../core/engine/decide.js";
import { actionHash, parseAction } from "../core/envelope.js";
import { formatPath } from "../core/errors.js";
import { analyzeSafely } from "../core/facts.js";
import type { Policy } from "../core/policy/model.js";
import { UsageError } from "./errors.js";
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
  const input = opts.input ? openInput(opts.input) : stdin;
  let lineNo = 0;
  let invalid = 0;
  for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    lineNo++;
    if (line.trim() === "") continue;
    const out = evaluateLine(policy, line, lineNo);
    if ("error" in out) {
      invalid++;
      stderr.write(`${out.error}\n`);
    }
    stdout.write(`${JSON.stringify(out)}\n`);
  }
  return invalid > 0 ? 2 : 0;
}

export function evaluateLine(
  policy: Policy,
  line: string,
  lineNo: number,
): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return invalidLine(policy, `line ${lineNo}: not JSON: ${(error as Error).message}`);
  }
  const parsed = parseAction(value);
  if (!parsed.ok) {
    const detail = parsed.errors.map((e) => `${formatPath(e.path)}: ${e.message}`).join("; ");
    return invalidLine(policy, `line ${lineNo}: invalid action: ${detail}`);
  }
  const facts = analyzeSafely(stubAnalyzer, parsed.action);
  return { ...decide(policy, parsed.action, facts), actionHash: actionHash(parsed.action) };
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

function openInput(file: string): Readable {
  try {
    return createReadStream("", { fd: openSync(file, "r") });
  } catch (error) {
    throw new UsageError(
      `cannot read --input ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}
