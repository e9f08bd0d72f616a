import { compilePolicy } from "../../core/policy/compile.js";
import type { Policy } from "../../core/policy/model.js";

/** Test helpers without Vitest imports. */

export const POLICY_YAML = `version: 1
agents:
  - id: agent-a
    owner: team-a
    default: allow
  - id: agent-b
    default: deny
`;

export function testPolicy(text = POLICY_YAML): Policy {
  const r = compilePolicy([{ file: "test.yaml", text }]);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.policy;
}
