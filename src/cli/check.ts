import { compilePolicy } from "../core/policy/compile.js";
import { lintPolicy } from "../core/policy/lint.js";
import { formatLocation, formatPolicyError } from "../core/policy/source.js";
import { readSources } from "./policy-files.js";

/** `redline check`: 0 clean, 1 findings, 2 invalid. */
export function runCheck(
  files: string[],
  opts: { json?: boolean },
  out: NodeJS.WritableStream,
): number {
  const result = compilePolicy(readSources(files));
  if (!result.ok) {
    if (opts.json)
      out.write(
        `${JSON.stringify({ valid: false, errors: result.errors, findings: [] }, null, 2)}\n`,
      );
    else
      out.write(
        `${result.errors.map((e) => `${formatPolicyError(e)} [error]`).join("\n")}\n${result.errors.length} error(s): policy is invalid\n`,
      );
    return 2;
  }
  const findings = lintPolicy(result.policy);
  if (opts.json) {
    out.write(
      `${JSON.stringify({ valid: true, policyHash: result.policy.hash, errors: [], findings }, null, 2)}\n`,
    );
  } else {
    for (const f of findings) out.write(`${formatLocation(f)}: ${f.message} [${f.code}]\n`);
    out.write(
      `${findings.length === 0 ? "ok" : `${findings.length} finding(s)`}: ${result.policy.rules.length} rule(s), ${result.policy.agents.size} agent(s), policy ${result.policy.hash}\n`,
    );
  }
  return findings.length > 0 ? 1 : 0;
}
