import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { policyOf } from "../test-support/policy.js";
import { lintPolicy } from "./lint.js";

const lint = (yaml: string) =>
  lintPolicy(policyOf(yaml)).map((f) => `${f.line}: ${f.code}: ${f.message}`);
const ALL_COVERED = `redlines:
  - categories: [data.destroy, backup.destroy, infra.destroy, system.destroy, iam.change, audit.tamper, secret.access, security.weaken, vcs.rewrite, code.remote_exec, network.egress, external.send, money.move, deploy.prod, opaque]
    effect: deny
`;

describe("policy lint", () => {
  it("finds nothing in the shipped baseline", () => {
    const baseline = readFileSync(
      new URL("../../../presets/baseline.yaml", import.meta.url),
      "utf8",
    );
    expect(lint(baseline)).toEqual([]);
  });

  it("reports rules that can never match", () => {
    expect(
      lint(`agents: [{id: a, environment: prod}]
${ALL_COVERED}rules:
  - {id: sql-server, effect: deny, match: {kind: sql, server: db}}
  - {id: shell-tool, effect: deny, match: {kind: [shell, http], tool: x}}
  - {id: never, effect: deny, when: "1 > 2"}
  - {id: staging-only, effect: deny, match: {environment: staging}}
  - {id: fine, effect: deny, match: {kind: [sql, mcp], server: db}}
`),
    ).toEqual([
      "6: never-matches: rule 'sql-server' can never match: `server` applies only to kind mcp",
      "7: never-matches: rule 'shell-tool' can never match: `tool` applies only to kinds mcp and tool",
      "8: never-matches: rule 'never' can never match: its condition is always false",
      "9: never-matches: rule 'staging-only' can never match: its agents act only in prod",
    ]);
  });

  it("reports a rule shadowed by an earlier broader one, or by any stronger one", () => {
    expect(
      lint(`agents: [{id: a}, {id: b}]
groups: [{id: both, agents: [a, b]}]
${ALL_COVERED}rules:
  - {id: all-get, agents: [both], effect: allow, match: {kind: mcp, tool: "get_*"}}
  - {id: get-order, agents: [a], effect: allow, match: {kind: mcp, tool: get_order, server: shop}}
  - {id: refund, agents: [a], effect: approval, match: {tool: refund}}
  - {id: no-refund, effect: deny, match: {tool: [refund, chargeback]}}
  - {id: conditional, effect: deny, when: "action.kind == 'mcp'", match: {tool: x}}
  - {id: narrower, effect: deny, match: {tool: x, kind: mcp}}
`),
    ).toEqual([
      "8: shadowed: rule 'get-order' is shadowed by broader rule 'all-get' (test.yaml:7): it already decides the same",
      "9: shadowed: rule 'refund' is shadowed by broader rule 'no-refund' (test.yaml:10): its deny always wins over this approval",
    ]);
  });

  it("reports catalogue categories no rule covers, for agents that can be allowed anything", () => {
    const found = lint(`agents: [{id: open, default: allow}, {id: closed}, {id: partly}]
redlines:
  - {categories: [data.destroy, opaque], effect: deny}
  - {categories: [money.move], effect: approval, agents: [open], mode: shadow}
rules:
  - {id: p, agents: [partly], effect: allow, match: {tool: read}}
`);
    expect(found).toEqual([
      "1: uncovered: agent 'open' (default allow) has no deny or approval rule for: backup.destroy, infra.destroy, system.destroy, iam.change, audit.tamper, secret.access, security.weaken, vcs.rewrite, code.remote_exec, network.egress, external.send, money.move, deploy.prod",
      "1: uncovered: agent 'partly' (default deny) has no deny or approval rule for: backup.destroy, infra.destroy, system.destroy, iam.change, audit.tamper, secret.access, security.weaken, vcs.rewrite, code.remote_exec, network.egress, external.send, money.move, deploy.prod",
    ]);
  });
});
