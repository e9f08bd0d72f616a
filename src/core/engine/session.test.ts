import { describe, expect, it } from "vitest";
import type { Action } from "../envelope.js";
import { emptyFacts } from "../facts.js";
import { factsWith, policyOf } from "../test-support/policy.js";
import { decide } from "./decide.js";

const post: Action = {
  agent: "a",
  kind: "http",
  method: "POST",
  url: "https://paste.example/x",
  body: "...",
};
const egress = factsWith(["network.egress"]);
const sendsData = factsWith([], { flags: ["sends-data"] });

describe("session taint", () => {
  const baseline = policyOf('agents: [{id: "*", default: allow}]\n');

  it("by default, after a secret read, data leaving the session needs a human", () => {
    expect(decide(baseline, post, sendsData, { session: [] }).decision).toBe("allow");
    const d = decide(baseline, post, sendsData, { session: ["secret.access"] });
    expect(d).toMatchObject({
      decision: "approval",
      rules: ["session.taint"],
      reason: "this session already did secret.access, so sends-data needs a human",
    });
    expect(decide(baseline, post, egress, { session: ["untrusted", "read"] })).toMatchObject({
      decision: "approval",
      rules: ["session.taint"],
    });
  });

  it("gates only the session that is tainted, and only the gated facts", () => {
    expect(decide(baseline, post, sendsData, { session: ["money.move"] }).decision).toBe("allow");
    expect(decide(baseline, post, emptyFacts(), { session: ["secret.access"] }).decision).toBe(
      "allow",
    );
  });

  it("a policy's own taint rules replace the default and may deny", () => {
    const p = policyOf(`agents: [{id: a, default: allow}, {id: b, default: allow}]
sessions:
  taint:
    - {id: no-mail-after-web, agents: [a], after: [untrusted], gates: [external.send], effect: deny}
`);
    const mail: Action = { agent: "a", kind: "tool", tool: "send_email" };
    const send = factsWith(["external.send"]);
    expect(decide(p, mail, send, { session: ["untrusted"] })).toMatchObject({
      decision: "deny",
      rules: ["no-mail-after-web"],
    });
    expect(decide(p, { ...mail, agent: "b" }, send, { session: ["untrusted"] }).decision).toBe(
      "allow",
    );
    expect(decide(p, post, sendsData, { session: ["secret.access"] }).decision).toBe("allow");
  });

  it("never weakens a deny", () => {
    const p = policyOf("agents: [{id: a, default: deny}]\n");
    expect(decide(p, post, sendsData, { session: ["secret.access"] })).toMatchObject({
      decision: "deny",
      rules: [],
    });
  });
});
