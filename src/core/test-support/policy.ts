import type { CategoryId } from "../catalogue.js";
import { emptyFacts, type Facts } from "../facts.js";
import { compilePolicy } from "../policy/compile.js";
import type { Policy } from "../policy/model.js";
import { formatPolicyError } from "../policy/source.js";

/** Compiles YAML for a test, failing loudly with every error if it is invalid. */
export function policyOf(yaml: string, file = "test.yaml"): Policy {
  const r = compilePolicy([{ file, text: yaml }]);
  if (!r.ok) throw new Error(r.errors.map(formatPolicyError).join("\n"));
  return r.policy;
}

/** The errors of a policy that must not compile, formatted as the CLI prints them. */
export function errorsOf(yaml: string, file = "test.yaml"): string[] {
  const r = compilePolicy([{ file, text: yaml }]);
  if (r.ok) throw new Error("expected the policy to be invalid");
  return r.errors.map(formatPolicyError);
}

export function factsWith(categories: CategoryId[], extra: Partial<Facts> = {}): Facts {
  const f = emptyFacts();
  return { ...f, ...extra, categories, targets: { ...f.targets, ...extra.targets } };
}
