import { T0 } from "../../audit/test-support/inputs.js";
import type { Decision } from "../../core/engine/decision.js";
import type { Action } from "../../core/envelope.js";
import { type ApprovalRequest, type NewApproval, newRequest } from "../rules.js";
import { newApprovalId } from "../service.js";

/** Test inputs without Vitest imports: the multi-process test's children use them too. */

export const HASH_A = `sha256:${"a".repeat(64)}`;
export const HASH_B = `sha256:${"b".repeat(64)}`;

/** A pending request for ops-bot, created at T0, expiring at T0 + 900 s unless overridden. */
export function pending(over: Partial<NewApproval> = {}, now = T0): ApprovalRequest {
  return newRequest(
    {
      id: newApprovalId(),
      agent: "ops-bot",
      session: "s1",
      actionHash: HASH_A,
      action: { agent: "ops-bot", kind: "shell", command: "git push --force" },
      categories: ["vcs.rewrite"],
      rules: ["coding.vcs"],
      reason: "force push needs approval",
      policyHash: "sha256:policy",
      quorum: 1,
      expiresSeconds: 900,
      ...over,
    },
    now,
  );
}

export const ACTION: Action = {
  agent: "ops-bot",
  kind: "shell",
  command: "git push --force origin main",
  session: "s1",
  env: { GITHUB_TOKEN: "ghp_abcdefghijklmnopqrstuvwxyz0123456789" },
};

export function approvalDecision(approval?: Decision["approval"]): Decision {
  const d: Decision = {
    decision: "approval",
    categories: ["vcs.rewrite"],
    rules: ["coding.vcs"],
    reason: "force push needs a human",
    policyHash: "sha256:policy",
    mode: "enforce",
  };
  if (approval) d.approval = approval;
  return d;
}
