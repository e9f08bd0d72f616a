import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { compilePolicy } from "../core/policy/compile.js";
import type { Policy } from "../core/policy/model.js";
import { formatPolicyError, type PolicyError, type PolicySource } from "../core/policy/source.js";
import { UsageError } from "./errors.js";

/** The shipped baseline, used when a command is given no policy. */
export const BASELINE_FILE = fileURLToPath(new URL("../../presets/baseline.yaml", import.meta.url));

export function readSources(files: readonly string[]): PolicySource[] {
  return files.map((file) => {
    try {
      return { file, text: readFileSync(file, "utf8") };
    } catch (error) {
      throw new UsageError(
        `cannot read policy file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
  });
}

/** Reads and compiles; an invalid policy is a usage error listing every problem with its place. */
export function loadPolicy(files: readonly string[] | undefined): Policy {
  const sources = readSources(files && files.length > 0 ? files : [BASELINE_FILE]);
  const result = compilePolicy(sources);
  if (!result.ok) throw new PolicyInvalid(result.errors);
  return result.policy;
}

export class PolicyInvalid extends UsageError {
  constructor(readonly errors: PolicyError[]) {
    super(`invalid policy:\n${errors.map((e) => `  ${formatPolicyError(e)}`).join("\n")}`);
  }
}
