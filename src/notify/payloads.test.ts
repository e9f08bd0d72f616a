import { describe, expect, it } from "vitest";
import { jsonPayload, slackPayload, summarizeAction } from "./payloads.js";
import { approvalEvent, quarantineEvent } from "./test-support/events.js";

function sectionText(p: ReturnType<typeof slackPayload>): string {
  const b = p.blocks[0];
  return b?.type === "section" ? b.text.text : "";
}

describe("generic JSON payload", () => {
  it("carries the approval: redacted action, categories, rules, reason, quorum, expiry, link", () => {
    const e = approvalEvent(42, { dashboardUrl: "https://redline.example/approvals/x" });
    expect(jsonPayload(e)).toEqual({
      type: "approval.requested",
      id: "42.approval.requested",
      time: e.entry.time,
      agent: "ops-bot",
      approval: {
        id: "apr_abcdefghijklmnopqrstuvwx",
        action: { agent: "ops-bot", kind: "shell", command: "git push --force" },
        categories: ["vcs.rewrite"],
        rules: ["coding.vcs"],
        reason: "force push needs approval",
        quorum: 1,
        expiresAt: new Date(e.request.expiresAt).toISOString(),
        url: "https://redline.example/approvals/x",
      },
    });
  });

  it("carries the quarantine reason, and no facts, hashes or session", () => {
    const p = jsonPayload(quarantineEvent(43));
    expect(p).toEqual({
      type: "agent.quarantined",
      id: "43.agent.quarantined",
      time: quarantineEvent(43).entry.time,
      agent: "ops-bot",
      quarantine: { reason: "circuit breaker: 5 denials within 60s" },
    });
    const a = JSON.stringify(jsonPayload(approvalEvent()));
    for (const leak of ["actionHash", "sha256:", "facts", "findings", "policyHash", "session"])
      expect(a).not.toContain(leak);
  });

  it("leaves out a link that is not http(s)", () => {
    const p = jsonPayload(approvalEvent(1, { dashboardUrl: "javascript:alert(1)" }));
    expect(p.approval && "url" in p.approval).toBe(false);
  });

  it("redacts again what a hand-built event left in", () => {
    const e = approvalEvent(1, {
      request: {
        action: {
          agent: "ops-bot",
          kind: "http",
          method: "post",
          url: "https://api.example/x?token=abc123",
          headers: { authorization: "Bearer zyxwvutsrq987654" },
        },
        reason: "sending ghp_abcdefghijklmnopqrstuvwxyz0123456789 out",
      },
    });
    const text = JSON.stringify(jsonPayload(e)) + JSON.stringify(slackPayload(e));
    expect(text).not.toContain("abc123");
    expect(text).not.toContain("zyxwvutsrq987654");
    expect(text).not.toContain("ghp_abcdefghijklmnopqrstuvwxyz0123456789");
    expect(text).toContain("[REDACTED]");
  });
});

describe("Slack-compatible payload", () => {
  it("is a mrkdwn section (agent, command, categories, reason, findings, expiry) and a button", () => {
    const e = approvalEvent(42, { dashboardUrl: "https://redline.example/a/1" });
    const p = slackPayload(e);
    expect(p.text).toBe(
      "Redline: approval requested for ops-bot (command): force push needs approval",
    );
    expect(p.blocks).toEqual([
      { type: "section", text: { type: "mrkdwn", text: expect.any(String) } },
      {
        type: "actions",
        elements: [
          {
            type: "button",
            text: { type: "plain_text", text: "Open in Redline" },
            url: "https://redline.example/a/1",
          },
        ],
      },
    ]);
    const text = sectionText(p);
    expect(text).toContain("agent `ops-bot`");
    expect(text).toContain("*Command*\n```\ngit push --force\n```");
    expect(text).toContain("*Categories:* vcs.rewrite");
    expect(text).toContain("*Reason:* force push needs approval");
    expect(text).toContain("• git push --force rewrites remote history");
    expect(text).toContain(`*Expires:* ${new Date(e.request.expiresAt).toISOString()}`);
    expect(text).toContain("*Needs:* 1 approval ·");
  });

  it("has no button without a dashboard URL", () => {
    expect(slackPayload(approvalEvent()).blocks.map((b) => b.type)).toEqual(["section"]);
  });

  it("says which agent was quarantined and why", () => {
    const p = slackPayload(quarantineEvent(43, "https://redline.example/agents/ops-bot"));
    expect(p.text).toBe("Redline quarantined agent ops-bot: circuit breaker: 5 denials within 60s");
    expect(sectionText(p)).toContain("*Agent quarantined:* `ops-bot`");
    expect(p.blocks[1]?.type).toBe("actions");
  });

  it("escapes Slack's control characters and cannot be broken out of the code block", () => {
    const e = approvalEvent(1, {
      request: {
        action: { agent: "ops-bot", kind: "shell", command: "echo ```<!channel> && rm -rf / ```" },
        reason: "<!here> look",
      },
    });
    const p = slackPayload(e);
    const text = sectionText(p);
    expect(text).not.toContain("<!channel>");
    expect(text).not.toContain("<!here>");
    expect(p.text).not.toContain("<!here>");
    expect(text).toContain("&lt;!channel&gt; &amp;&amp; rm");
    // Exactly the two fences we opened and closed.
    expect(text.match(/```/g)).toHaveLength(2);
  });

  it("cuts a very long action and stays inside Slack's 3000-character section", () => {
    const e = approvalEvent(1, {
      request: {
        action: {
          agent: "ops-bot",
          kind: "sql",
          statement: `DELETE FROM t WHERE a = '${"&".repeat(5000)}'`,
        },
      },
    });
    const text = sectionText(slackPayload(e));
    expect(text.length).toBeLessThanOrEqual(3000);
    expect(text).toMatch(/&amp; … \(\d+ more characters\)\n```/);
  });

  it("shows at most five findings", () => {
    const findings = Array.from({ length: 8 }, (_, i) => ({
      category: "data.destroy" as const,
      reason: `finding ${i}`,
    }));
    const e = approvalEvent(1, {
      request: {
        facts: {
          categories: ["data.destroy"],
          flags: [],
          targets: { paths: [], tables: [], hosts: [], resources: [] },
          findings,
        },
      },
    });
    const text = sectionText(slackPayload(e));
    expect(text).toContain("• finding 4");
    expect(text).not.toContain("• finding 5");
    expect(text).toContain("• and 3 more");
  });
});

describe("summarizeAction", () => {
  it("shows the command, SQL, request or tool", () => {
    expect(summarizeAction({ kind: "shell", command: "ls" })).toEqual({
      label: "Command",
      text: "ls",
    });
    expect(summarizeAction({ kind: "sql", statement: "DROP TABLE t", database: "prod" })).toEqual({
      label: "SQL",
      text: "-- on prod\nDROP TABLE t",
    });
    expect(
      summarizeAction({ kind: "http", method: "delete", url: "https://api.example/x" }),
    ).toEqual({
      label: "Request",
      text: "DELETE https://api.example/x",
    });
    expect(summarizeAction({ kind: "mcp", server: "github", tool: "delete_repo" })).toEqual({
      label: "MCP tool",
      text: "github → delete_repo",
    });
    expect(summarizeAction({ kind: "tool", tool: "send_email" })).toEqual({
      label: "Tool",
      text: "send_email",
    });
    expect(summarizeAction({})).toEqual({ label: "Action", text: "unknown" });
  });
});
