import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { formatPolicyError, type PolicyError, parseSources } from "../core/policy/source.js";
import { type CaseResult, prepareCases, runCase } from "../core/testing/cases.js";
import { analyzerFor } from "./analysis.js";
import { UsageError } from "./errors.js";
import { loadPolicy, PolicyInvalid } from "./policy-files.js";

export interface TestOptions {
  policy?: string[];
  json?: boolean;
  verbose?: boolean;
}

/** `redline test`: 0 all passed, 1 a case failed, 2 a test or policy file is invalid. */
export async function runTest(
  files: string[],
  opts: TestOptions,
  out: NodeJS.WritableStream,
): Promise<number> {
  const results: CaseResult[] = [];
  const invalid: PolicyError[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new UsageError(
        `cannot read test file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
    const parsed = parseSources([{ file, text }]);
    invalid.push(...parsed.errors);
    for (const doc of parsed.documents) {
      const prepared = prepareCases(doc);
      if ("errors" in prepared) {
        invalid.push(...prepared.errors);
        continue;
      }
      const declared = prepared.file.policy;
      const policyFiles =
        opts.policy ??
        (declared === undefined
          ? []
          : (Array.isArray(declared) ? declared : [declared]).map((p) =>
              resolve(dirname(file), p),
            ));
      let policy: ReturnType<typeof loadPolicy>;
      try {
        policy = loadPolicy(policyFiles);
      } catch (error) {
        if (error instanceof PolicyInvalid) {
          invalid.push(...error.errors);
          continue;
        }
        throw error;
      }
      const analyze = await analyzerFor(policy);
      for (const c of prepared.cases) results.push(runCase(policy, analyze, c));
    }
  }
  const passed = results.filter((r) => r.passed).length;
  const failed = results.length - passed;
  if (opts.json) {
    out.write(`${JSON.stringify({ passed, failed, invalid, results }, null, 2)}\n`);
  } else {
    for (const e of invalid) out.write(`INVALID ${formatPolicyError(e)}\n`);
    for (const r of results) {
      if (r.passed && !opts.verbose) continue;
      out.write(`${r.passed ? "PASS" : "FAIL"} ${r.file}:${r.line} ${r.name}\n`);
      for (const f of r.failures) out.write(`     ${f}\n`);
    }
    out.write(`${"-".repeat(40)}\n${passed} passed, ${failed} failed\n`);
  }
  if (invalid.length > 0) return 2;
  return failed > 0 ? 1 : 0;
}
